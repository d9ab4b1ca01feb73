// kube-sim driven by the machine's real kubectl (1.32) with its defaults:
// discovery (aggregated), OpenAPI v3 with server-side field validation,
// client-side apply (GET + strategic merge patch with the last-applied
// annotation), Table output for `get`, and `get -w` following a change made
// by another client.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { run } from "../lib/exec.ts";
import { findBinary, inCi } from "../lib/prereq.ts";
import { waitFor } from "../lib/wait-for.ts";

const kubectl = findBinary("kubectl");

if (!kubectl) {
  const why = "kubectl not found on PATH: the kubectl suite of kube-sim cannot run";
  if (inCi()) {
    describe("kubectl against kube-sim", () => {
      it("has kubectl", () => {
        throw new Error(why);
      });
    });
  } else console.warn(`SKIPPED: ${why}`);
}

describe.skipIf(!kubectl)("kubectl against kube-sim", () => {
  let sim: KubeSim;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await createKubeSim();
    dir = mkdtempSync(path.join(tmpdir(), `kube-sim-kubectl-${process.pid}-`));
    writeFileSync(path.join(dir, "kubeconfig"), sim.kubeconfig());
    env = { KUBECONFIG: path.join(dir, "kubeconfig"), HOME: dir };
  });

  afterAll(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs kubectl with a private discovery cache; returns stdout, stderr and exit code. */
  async function k(...args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
    return run(kubectl as string, ["--cache-dir", path.join(dir, "cache"), ...args], { env, allowFailure: true, timeout: 20_000 });
  }

  function file(name: string, content: string): string {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  }

  it("applies a ConfigMap and reads it back as JSON", async () => {
    const f = file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ironlb-config\ndata:\n  config: |\n    address-pools: []\n");
    const applied = await k("apply", "-f", f);
    expect(applied).toMatchObject({ code: 0, stdout: "configmap/ironlb-config created\n" });
    const got = await k("get", "configmap", "ironlb-config", "-o", "json");
    expect(got.code).toBe(0);
    const cm = JSON.parse(got.stdout) as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    expect(cm.data).toEqual({ config: "address-pools: []\n" });
    expect(Object.keys(cm.metadata.annotations)).toEqual(["kubectl.kubernetes.io/last-applied-configuration"]);
    expect((await k("apply", "-f", f)).stdout).toBe("configmap/ironlb-config unchanged\n");
  });

  it("applies a LoadBalancer Service, which gets a cluster IP and node ports; re-apply merges ports", async () => {
    const svc = (ports: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  selector:\n    app: web\n  ports:\n${ports}`;
    const f = file("svc.yaml", svc("  - name: http\n    port: 80\n    targetPort: 8080\n"));
    expect(await k("apply", "-f", f)).toMatchObject({ code: 0, stdout: "service/web created\n" });
    const first = JSON.parse((await k("get", "svc", "web", "-o", "json")).stdout) as { spec: { clusterIP: string; ports: { port: number; nodePort: number }[] } };
    const [a, b] = first.spec.clusterIP.split(".").map(Number);
    expect(a).toBe(10);
    expect((b as number) & 0xf0).toBe(96); // inside 10.96.0.0/12
    const np = first.spec.ports[0]?.nodePort as number;
    expect(np).toBeGreaterThanOrEqual(30000);
    expect(np).toBeLessThanOrEqual(32767);
    writeFileSync(f, svc("  - name: http\n    port: 80\n    targetPort: 8080\n  - name: dns\n    port: 53\n    protocol: UDP\n"));
    expect(await k("apply", "-f", f)).toMatchObject({ code: 0, stdout: "service/web configured\n" });
    const second = JSON.parse((await k("get", "svc", "web", "-o", "json")).stdout) as typeof first;
    expect(second.spec.clusterIP).toBe(first.spec.clusterIP);
    expect(second.spec.ports.map((p) => p.port)).toEqual([80, 53]);
    expect(second.spec.ports[0]?.nodePort).toBe(np);
    const table = await k("get", "svc", "web");
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    expect(table.stdout).toContain(`web    LoadBalancer   ${first.spec.clusterIP}`);
    expect(table.stdout).toContain("<pending>");
  });

  it("patches with --type merge and rejects unknown fields under --validate=strict (the default)", async () => {
    expect(await k("patch", "svc", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"tier":"front"}}}')).toMatchObject({ code: 0, stdout: "service/web patched\n" });
    expect(sim.store.get("services", "default", "web")?.metadata.labels).toEqual({ tier: "front" });
    const bad = file("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata: {}\nbogus: 1\n");
    const rejected = await k("apply", "-f", bad);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain('strict decoding error: unknown field "bogus"');
    expect(sim.store.get("configmaps", "default", "bad")).toBeUndefined();
  });

  it("get -w prints a change made by another client", async () => {
    const child = spawn(kubectl as string, ["--cache-dir", path.join(dir, "cache"), "get", "svc", "web", "-w"], { env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => out.includes("<pending>"), { what: "kubectl get -w to print the Service" });
      sim.store.patch("services", "default", "web", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } } }, { subresource: "status" });
      await waitFor(() => /web\s+LoadBalancer\s+\S+\s+192\.0\.2\.10\s/.test(out), { what: "kubectl get -w to print the new external IP" });
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("typed create subcommands (protobuf request bodies) work", async () => {
    expect(await k("create", "namespace", "team")).toMatchObject({ code: 0, stdout: "namespace/team created\n" });
    expect(await k("-n", "team", "create", "configmap", "cfg", "--from-literal=a=b")).toMatchObject({ code: 0, stdout: "configmap/cfg created\n" });
    expect(await k("-n", "team", "create", "secret", "generic", "pw", "--from-literal=password=s3cret")).toMatchObject({ code: 0 });
    expect(await k("-n", "team", "create", "service", "loadbalancer", "lb", "--tcp=80:8080")).toMatchObject({ code: 0, stdout: "service/lb created\n" });
    expect(sim.store.get("configmaps", "team", "cfg")?.["data"]).toEqual({ a: "b" });
    expect(Buffer.from((sim.store.get("secrets", "team", "pw")?.["data"] as Record<string, string>)["password"] ?? "", "base64").toString()).toBe("s3cret");
    expect(sim.store.get("services", "team", "lb")?.["spec"]).toMatchObject({ type: "LoadBalancer", ports: [{ port: 80, targetPort: 8080 }] });
    expect(await k("delete", "namespace", "team")).toMatchObject({ code: 0 });
    expect(sim.store.get("namespaces", "", "team")).toBeUndefined();
  });

  it("deletes, after which get is NotFound", async () => {
    expect(await k("delete", "svc", "web")).toMatchObject({ code: 0, stdout: 'service "web" deleted\n' });
    const gone = await k("get", "svc", "web");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('services "web" not found');
    expect(sim.requestLog.count({ verb: "delete", resource: "services" })).toBe(1);
  });
});
