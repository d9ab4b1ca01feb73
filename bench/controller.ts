// Controller benchmark against kube-sim, baseline in the same run.
//
//   baseline   a minimal client (raw node:http, keep-alive) merge-patches the
//              status of N Services (ingress + annotation + condition, what
//              the controller writes), at 1, 8 and 32 requests in flight:
//              the rate kube-sim accepts status patches at.
//   allocate   N LoadBalancer Services are created while the controller runs;
//              time until every one has its IP. Reported as Services/s against
//              the best baseline rate, and as status writes per Service.
//   restart    the controller is stopped and a new one started over the N
//              allocated Services; time until ready (caches synced, config
//              loaded, first full pass done) and status writes it made (0).
//
// kube-sim runs in this process; the clients (baseline and controller) run in
// a child process, so the server has its own event loop, as an API server
// would. Targets (issue 4): allocate >= 80% of the baseline rate, <= 1 status
// write per Service, restart ready in <= 3 s with zero writes.
//
//   npm run bench -- controller [--services N] [--concurrency C]
//   (IRONLB_BENCH_CHILD_FLAGS="--cpu-prof --cpu-prof-dir=DIR" profiles the client process)
import { fork, type ChildProcess } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry } from "prom-client";
import { Controller } from "@ironlb/controller";
import { createClients, silentLogger } from "@ironlb/kube";
import { createKubeSim, type KubeObject, type KubeSim } from "@ironlb/kube-sim";
import { header, table } from "./lib/report.ts";

export const description = "controller: Services/s to allocate N Services vs raw status-patch rate, writes per Service, restart-to-ready time";

const CHILD_ENV = "IRONLB_BENCH_CHILD";
const NS = "ironlb-system";
const BENCH_NS = "bench";
const RAW_NS = "bench-raw";

type Task =
  | { readonly task: "patch"; readonly url: string; readonly names: readonly string[]; readonly concurrency: number; readonly round: number }
  | { readonly task: "controller-start"; readonly kubeconfig: string; readonly concurrency: number }
  | { readonly task: "controller-stop" }
  | { readonly task: "cpu" };

interface Reply {
  readonly ms?: number;
  /** Client CPU time for the task, microseconds. */
  readonly cpuUs?: number;
  readonly failures?: number;
  readonly error?: string;
}

function ipOf(i: number, round: number): string {
  return `10.${round}.${(i >> 8) & 0xff}.${i & 0xff}`;
}

// ---- child side ------------------------------------------------------------------------

async function patchAll(t: Extract<Task, { task: "patch" }>): Promise<Reply> {
  const agent = new Agent({ keepAlive: true, maxSockets: t.concurrency });
  let next = 0;
  let failures = 0;
  const one = (name: string, i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        metadata: { annotations: { "ironlb.io/ip-allocated-from-pool": "bench" } },
        status: {
          loadBalancer: { ingress: [{ ip: ipOf(i, t.round) }] },
          conditions: [{ type: "ironlb.io/Allocated", status: "True", reason: "Allocated", message: `assigned ${ipOf(i, t.round)} from pool "bench"`, lastTransitionTime: new Date().toISOString() }],
        },
      });
      const req = request(
        `${t.url}/api/v1/namespaces/${RAW_NS}/services/${name}/status`,
        { method: "PATCH", agent, headers: { "Content-Type": "application/merge-patch+json", "Content-Length": Buffer.byteLength(body), Accept: "application/json" } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode !== 200) failures++;
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: t.concurrency }, async () => {
      while (next < t.names.length) {
        const i = next++;
        await one(t.names[i] as string, i);
      }
    }),
  );
  const ms = performance.now() - start;
  agent.destroy();
  return { ms, failures };
}

let controller: Controller | undefined;

async function child(): Promise<void> {
  process.on("message", (t: Task) => {
    const cpu0 = process.cpuUsage();
    const run = async (): Promise<Reply> => {
      switch (t.task) {
        case "patch":
          return patchAll(t);
        case "controller-start": {
          const start = performance.now();
          controller = new Controller({ clients: createClients({ kubeconfig: t.kubeconfig }), namespace: NS, identity: `bench-${process.pid}`, registry: new Registry(), logger: silentLogger, concurrency: t.concurrency });
          await controller.start();
          await controller.whenReady();
          return { ms: performance.now() - start };
        }
        case "controller-stop":
          await controller?.stop();
          controller = undefined;
          return {};
        case "cpu": {
          const total = process.cpuUsage();
          return { cpuUs: total.user + total.system };
        }
      }
    };
    run().then(
      (r) => {
        const cpu = process.cpuUsage(cpu0);
        process.send?.({ cpuUs: cpu.user + cpu.system, ...r });
      },
      (e: unknown) => process.send?.({ error: String(e) }),
    );
  });
}

if (process.env[CHILD_ENV] === "controller") await child();

// ---- parent side -----------------------------------------------------------------------

function ask(worker: ChildProcess, task: Task): Promise<Reply> {
  return new Promise((resolve, reject) => {
    worker.once("message", (r: Reply) => (r.error !== undefined ? reject(new Error(r.error)) : resolve(r)));
    worker.send(task);
  });
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}

function statusWrites(sim: KubeSim): number {
  return sim.requestLog.count({ verb: "patch", resource: "services", subresource: "status" }) + sim.requestLog.count({ verb: "update", resource: "services", subresource: "status" });
}

function createServices(sim: KubeSim, namespace: string, n: number, extraSpec: Record<string, unknown> = {}): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    // 10k LoadBalancer Services would exhaust the 2,768 node ports; users at that scale turn them off.
    sim.store.create("services", {
      metadata: { name, namespace, labels: { app: `app-${i % 100}` } },
      spec: { type: "LoadBalancer", allocateLoadBalancerNodePorts: false, selector: { app: `app-${i % 100}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }], ...extraSpec },
    });
    names.push(name);
  }
  return names;
}

async function poll(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const n = flag(args, "services", 10_000);
  const concurrency = flag(args, "concurrency", 8);
  header("controller");
  console.log(`${n} Services; controller with ${concurrency} status writes in flight; kube-sim in this process, clients in a child process\n`);

  const dir = mkdtempSync(join(tmpdir(), "ironlb-bench-controller-"));
  const sim = await createKubeSim({ requestLogSize: 0, historySize: 4 * n });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  // IRONLB_BENCH_CHILD_FLAGS="--cpu-prof" profiles the client side.
  const childFlags = (process.env["IRONLB_BENCH_CHILD_FLAGS"] ?? "").split(" ").filter((f) => f !== "");
  const worker = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: "controller" }, execArgv: [...process.execArgv, ...childFlags] });
  try {
    for (const ns of [NS, BENCH_NS, RAW_NS]) sim.store.create("namespaces", { metadata: { name: ns } });
    // A pool of 16,384 addresses in one CIDR.
    sim.store.create("configmaps", { metadata: { name: "config", namespace: NS }, data: { config: "address-pools:\n- name: bench\n  protocol: layer2\n  addresses: [198.18.0.0/18]\n" } });

    // Baseline: the same status patches from a minimal client, on Services of another
    // loadBalancerClass (the controller never touches them).
    const raw = createServices(sim, RAW_NS, n, { loadBalancerClass: "example.com/other" });
    await ask(worker, { task: "patch", url: sim.url, names: raw.slice(0, Math.min(1_000, n)), concurrency: 8, round: 0 }); // warm-up
    const baseline: { concurrency: number; rate: number; failures: number; serverUs: number; clientUs: number }[] = [];
    for (const [round, c] of [1, 8, 32].entries()) {
      const server0 = process.cpuUsage();
      const r = await ask(worker, { task: "patch", url: sim.url, names: raw, concurrency: c, round: round + 1 });
      const server = process.cpuUsage(server0);
      baseline.push({ concurrency: c, rate: (n * 1000) / (r.ms ?? 1), failures: r.failures ?? 0, serverUs: (server.user + server.system) / n, clientUs: (r.cpuUs ?? 0) / n });
    }
    for (const name of raw) sim.store.delete("services", RAW_NS, name);
    const best = Math.max(...baseline.map((b) => b.rate));

    // Allocate: the controller runs; N Services appear; wait until each has its IP.
    const firstStart = await ask(worker, { task: "controller-start", kubeconfig, concurrency });
    const writesBefore = statusWrites(sim);
    const clientCpu0 = (await ask(worker, { task: "cpu" })).cpuUs ?? 0;
    const serverCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const names = createServices(sim, BENCH_NS, n);
    const created = performance.now() - t0;
    const allHaveIps = () => sim.store.list<KubeObject & { status?: { loadBalancer?: { ingress?: unknown[] } } }>("services", { namespace: BENCH_NS }).every((s) => (s.status?.loadBalancer?.ingress?.length ?? 0) === 1);
    // Cheap counter first, then the full check (listing 10k objects each time would slow the server down).
    await poll(() => statusWrites(sim) - writesBefore >= n, 600_000, "a status write per Service");
    await poll(allHaveIps, 600_000, "every Service to have an IP");
    const allocMs = performance.now() - t0;
    const serverCpu = process.cpuUsage(serverCpu0);
    const allocServerUs = (serverCpu.user + serverCpu.system) / n;
    const allocClientUs = (((await ask(worker, { task: "cpu" })).cpuUs ?? 0) - clientCpu0) / n;
    const allocWrites = statusWrites(sim) - writesBefore;
    const ips = new Set(names.map((name) => (sim.store.get<KubeObject & { status: { loadBalancer: { ingress: { ip: string }[] } } }>("services", BENCH_NS, name)?.status.loadBalancer.ingress[0]?.ip ?? "")));
    if (ips.size !== n) throw new Error(`expected ${n} distinct IPs, got ${ips.size}`);

    // Restart: a new controller over N allocated Services.
    await ask(worker, { task: "controller-stop" });
    const writesBeforeRestart = statusWrites(sim);
    const restart = await ask(worker, { task: "controller-start", kubeconfig, concurrency });
    // Anything a restart would write happens in the first full pass, before ready; look a little longer anyway.
    const settle = performance.now();
    await poll(() => performance.now() - settle > 500, 1_000, "settle");
    const restartWrites = statusWrites(sim) - writesBeforeRestart;
    await ask(worker, { task: "controller-stop" });

    console.log(
      table(
        ["baseline: minimal client", "in flight", "status patches/s", "failed", "server CPU us/patch", "client CPU us/patch"],
        baseline.map((b) => ["raw node:http merge-patch", b.concurrency, b.rate, b.failures, b.serverUs, b.clientUs]),
      ),
    );
    console.log();
    const allocRate = (n * 1000) / allocMs;
    console.log(
      table(
        ["controller", "result", "target", "ratio / verdict"],
        [
          [`allocate ${n} Services (creates took ${created.toFixed(0)} ms)`, `${allocRate.toFixed(0)} Services/s (${(allocMs / 1000).toFixed(2)} s)`, `>= ${(0.8 * best).toFixed(0)}/s`, `${(allocRate / best).toFixed(2)} of best baseline ${allocRate / best >= 0.8 ? "ok" : "MISSED"}`],
          ["status writes per Service", (allocWrites / n).toFixed(3), "<= 1", allocWrites / n <= 1 ? "ok" : "MISSED"],
          ["CPU per Service: kube-sim / controller", `${allocServerUs.toFixed(0)} us / ${allocClientUs.toFixed(0)} us`, "", "creates included on the kube-sim side"],
          [`restart over ${n} allocated Services`, `ready in ${((restart.ms ?? 0) / 1000).toFixed(2)} s`, "<= 3 s", (restart.ms ?? 0) <= 3_000 ? "ok" : "MISSED"],
          ["status writes caused by the restart", restartWrites, "0", restartWrites === 0 ? "ok" : "MISSED"],
          ["first start, empty cluster, ready in", `${((firstStart.ms ?? 0) / 1000).toFixed(2)} s`, "", ""],
        ],
      ),
    );
  } finally {
    // Closing the channel lets the child exit on its own (and write a profile if asked to).
    const exited = new Promise((r) => worker.once("exit", r));
    worker.disconnect();
    const timer = setTimeout(() => worker.kill(), 5_000);
    await exited;
    clearTimeout(timer);
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
