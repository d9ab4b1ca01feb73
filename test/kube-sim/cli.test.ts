// `ironlb kube-sim` as people run it: prints the URL, writes a kubeconfig
// that client-node accepts, stops cleanly on SIGTERM, and rejects a bad
// argument with one line. Runs the built CLI (`npm test` builds first).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../lib/exec.ts";
import { inCi } from "../lib/prereq.ts";
import { waitFor } from "../lib/wait-for.ts";

const main = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));
const built = existsSync(main);
if (!built) {
  const why = `${main} is missing: run \`npx tsc -b\` (npm test does) before the kube-sim CLI suite`;
  if (inCi()) {
    describe("ironlb kube-sim", () => {
      it("is built", () => {
        throw new Error(why);
      });
    });
  } else console.warn(`SKIPPED: ${why}`);
}

describe.skipIf(!built)("ironlb kube-sim", () => {
  const dir = mkdtempSync(path.join(tmpdir(), `kube-sim-cli-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves until SIGTERM and writes a kubeconfig client-node accepts", async () => {
    const kubeconfig = path.join(dir, "kubeconfig");
    const child = spawn(process.execPath, [main, "kube-sim", "--port", "0", "--kubeconfig-out", kubeconfig], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await waitFor(() => /kube-sim listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], { what: "the URL on stdout" });
      const kc = new k8s.KubeConfig();
      kc.loadFromString(readFileSync(kubeconfig, "utf8"));
      expect(kc.getCurrentCluster()?.server).toBe(url);
      const namespaces = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("rejects a bad port with one line and a non-zero exit", async () => {
    const r = await run(process.execPath, [main, "kube-sim", "--port", "70000"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual(["ironlb: --port: 70000 is outside 0..65535"]);
  });
});
