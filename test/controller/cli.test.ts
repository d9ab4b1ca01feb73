// The commands as operators run them, through the built executable against
// kube-sim: `ironlb controller` (JSON logs, /metrics, /readyz, Lease released
// on SIGTERM), `ironlb status` and `ironlb explain` (the reasons a Service
// has or lacks an IP), and one-line errors with a non-zero exit for bad
// arguments.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Cluster, config, NS, pool } from "./harness.ts";
import { waitFor } from "../lib/wait-for.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "packages/cli/dist/main.js");

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process (kube-sim answers from it). */
function ironlb(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(() => {
  // `npm test` builds first; a bare `vitest run` may find stale output.
  const built = join(root, "packages/cli/dist/commands/explain.js");
  const sources = ["packages/cli/src/commands/explain.ts", "packages/cli/src/commands/status.ts", "packages/cli/src/commands/controller.ts", "packages/cli/src/cluster-view.ts", "packages/controller/src/controller.ts", "packages/controller/src/view.ts"];
  if (!existsSync(built) || sources.some((s) => statSync(join(root, s)).mtimeMs > statSync(built).mtimeMs)) {
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], { cwd: root, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc -b packages/cli failed:\n${tsc.stdout}${tsc.stderr}`);
  }
});

const CONFIG = config(pool("team", ["198.51.100.0/31"], "service-allocation:\n  namespaces: [team-a]"), pool("lan", ["203.0.113.0/31"]), pool("manual", ["192.0.2.0/30"], "auto-assign: false"));

describe("ironlb status and explain", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ config: CONFIG });
    await c.startController();
    c.createService("a", { annotations: { "ironlb.io/allow-shared-ip": "web" } });
    c.createService("b", { annotations: { "ironlb.io/allow-shared-ip": "web", "ironlb.io/loadBalancerIPs": "203.0.113.0" }, spec: { ports: [{ port: 443 }] } });
    await c.expectService("a", { ips: ["203.0.113.0"] });
    await c.expectService("b", { ips: ["203.0.113.0"] });
    c.createService("c");
    await c.expectService("c", { ips: ["203.0.113.1"] });
    c.createService("d");
    await c.expectService("d", { ips: [], reason: "PoolExhausted" });
  });
  afterAll(() => c.close());

  test("status: pool use per family, holders (shared too) and pending Services with their reason", async () => {
    const [r, json] = await Promise.all([ironlb(["status", "--kubeconfig", c.kubeconfig]), ironlb(["status", "--kubeconfig", c.kubeconfig, "-o", "json"])]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`config ${NS}/config: loaded, 3 pools`);
    expect(r.stdout).toMatch(/lan\s+2\/2\s+-\s+3/);
    expect(r.stdout).toMatch(/team\s+0\/2/);
    expect(r.stdout).toMatch(/203\.0\.113\.0\s+lan\s+default\/a, default\/b \(shared, key "web"\)/);
    expect(r.stdout).toMatch(/default\/d\s+PoolExhausted\s+no available IPs/);
    // No speaker runs here: the announcements section says so instead of failing the command.
    expect(r.stdout).toContain("Announcements (published by the speakers):\nno speaker has published its state (are the speakers running?)");
    const report = JSON.parse(json.stdout) as { pools: { name: string; ipv4: { inUse: string } }[]; pending: { service: string; reason: string }[] };
    expect(report.pools.find((p) => p.name === "lan")?.ipv4.inUse).toBe("2");
    expect(report.pending).toEqual([expect.objectContaining({ service: "default/d", reason: "PoolExhausted" })]);
  });

  test("explain: every pool's verdict and the result, for a pending and for an allocated Service", async () => {
    const [pending, held, team] = await Promise.all([
      ironlb(["explain", "default/d", "--kubeconfig", c.kubeconfig]),
      ironlb(["explain", "default/c", "--kubeconfig", c.kubeconfig, "-o", "yaml"]),
      ironlb(["explain", "team-a/x", "--kubeconfig", c.kubeconfig]),
    ]);
    expect(pending.status).toBe(3);
    expect(pending.stdout).toMatch(/team\s+excluded\s+rejected\s+namespace-not-allowed/);
    expect(pending.stdout).toMatch(/lan\s+default\s+rejected\s+no-free-address/);
    expect(pending.stdout).toMatch(/manual\s+default\s+rejected\s+auto-assign-disabled/);
    expect(pending.stdout).toContain("result  no IP: PoolExhausted (POOL_EXHAUSTED)");
    expect(held.status).toBe(0);
    expect(held.stdout).toContain("mode: automatic");
    expect(held.stdout).toMatch(/reason: selected/);
    expect(held.stdout).toMatch(/outcome:\n\s+ok: true\n\s+pool: lan\n\s+ips:\n\s+- 203\.0\.113\.1/);
    expect(team).toMatchObject({ status: 1, stdout: "", stderr: "ironlb: service team-a/x not found\n" });
  });
});

describe.concurrent("bad arguments: one line, non-zero exit", () => {
  test.each([
    [["explain", "not-a-ref"], 'ironlb: service: "not-a-ref" is not NAMESPACE/NAME'],
    [["status", "-o", "xml"], "error: option '-o, --output <format>' argument 'xml' is invalid"],
    [["controller", "--metrics-addr", "[::1"], "ironlb: --metrics-addr: invalid"],
    [["controller", "--leader-elect", "--leader-elect-lease-duration", "soon"], "ironlb: --leader-elect-lease-duration: time: invalid duration"],
    [["controller", "--leader-elect", "--leader-elect-lease-duration", "2s"], "ironlb: --leader-elect-*: need lease duration > renew deadline > retry period"],
    [["status", "--kubeconfig", "/nonexistent/kubeconfig"], "ironlb: --kubeconfig: kubeconfig /nonexistent/kubeconfig does not exist"],
  ])("%j", async (args, first) => {
    const r = await ironlb(args);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(first);
  });
});

describe("ironlb controller", () => {
  test("assigns, logs JSON, serves /metrics and /readyz, and releases its Lease on SIGTERM", async () => {
    const c = await Cluster.start({ config: CONFIG });
    const child = spawn(process.execPath, [main, "controller", "--kubeconfig", c.kubeconfig, "--metrics-addr", "127.0.0.1:0", "--leader-elect", "--pod-name", "ctl-cli", "--leader-elect-retry-period", "200ms", "--leader-elect-renew-deadline", "1s", "--leader-elect-lease-duration", "2s"], { cwd: root });
    const lines: Record<string, unknown>[] = [];
    let buffered = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
        lines.push(JSON.parse(buffered.slice(0, i)) as Record<string, unknown>);
        buffered = buffered.slice(i + 1);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      c.createService("web");
      await c.expectService("web", { ips: ["203.0.113.0"], pool: "lan", reason: "Allocated" }, { timeout: 20_000 });
      const decision = lines.find((l) => l["msg"] === "IP address assigned");
      expect(decision).toMatchObject({ level: "info", service: "default/web", pool: "lan", ip: ["203.0.113.0"] });
      const url = lines.find((l) => l["msg"] === "monitoring endpoint listening")?.["url"] as string;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain("ironlb_config_loaded 1");
      expect(metrics).toContain("ironlb_config_stale 0");
      expect(metrics).toContain('ironlb_allocator_addresses_in_use_total{pool="lan"} 1');
      expect(metrics).toContain('ironlb_allocator_ipv4_addresses_total{pool="manual"} 4');
      expect(metrics).toContain("ironlb_controller_leader 1");
      expect(metrics).toMatch(/ironlb_controller_reconcile_duration_seconds_count\{kind="reprocess-all"\} [1-9]/);
      const ready = await waitFor(async () => {
        const r = await fetch(`${url}/readyz?verbose`);
        return r.status === 200 ? r.text() : false;
      }, { what: "/readyz 200" });
      expect(ready).toContain("[+]leader-election ok (leader)");
      const lease = () => (c.sim.store.get("leases", NS, "ironlb-controller") as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
      expect(lease()).toBe("ctl-cli");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(lease()).toBe("");
      expect(stderr).toBe("");
      expect(lines.at(-1)).toMatchObject({ msg: "stopped", released: true });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await c.close();
    }
  });
});
