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
//   ideal      both allocate scenarios again with the least any controller
//              does (lib/ideal-controller.ts: the same informer and status
//              request, no logic): the bound that the protocol itself sets.
//              Controller / ideal is the cost of IronLB's own logic; ideal /
//              baseline is what the creates, the list and the watch events
//              cost on two shared cores.
//   minimal    the baseline at 32 in flight and the ideal loop once more over
//              the cheapest HTTP client we can write (lib/minimal-http.ts):
//              whether node:http on the client side limits either. The best
//              baseline of a run is the best of all four baseline rows.
//
// Both controllers are warmed up (1,000 Services allocated once) before the
// first run, as the baseline is (1,000 patches), so no run measures a cold JIT.
//
// kube-sim runs in this process; the clients (baseline and controller) run in
// a child process, so the server has its own event loop, as an API server
// would. Targets (issue 4): allocate >= 80% of the baseline rate, <= 1 status
// write per Service, restart ready in <= 3 s with zero writes.
//
//   npm run bench -- controller [--services N] [--concurrency C] [--reps R]
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
import { IdealController } from "./lib/ideal-controller.ts";
import { MinimalHttpPool, minimalRestClient } from "./lib/minimal-http.ts";
import { header, percentile, table } from "./lib/report.ts";

export const description = "controller: Services/s to allocate N Services vs raw status-patch rate, writes per Service, restart-to-ready time";

const CHILD_ENV = "IRONLB_BENCH_CHILD";
const NS = "ironlb-system";
const BENCH_NS = "bench";
const RAW_NS = "bench-raw";

/** The client-side HTTP stack: node:http (what IronLB and the raw baseline use) or lib/minimal-http.ts. */
type HttpStack = "node:http" | "minimal";

type Task =
  | { readonly task: "patch"; readonly url: string; readonly names: readonly string[]; readonly concurrency: number; readonly round: number; readonly http: HttpStack }
  | { readonly task: "controller-start"; readonly kubeconfig: string; readonly concurrency: number }
  | { readonly task: "controller-stop" }
  | { readonly task: "ideal-start"; readonly kubeconfig: string; readonly concurrency: number; readonly http: HttpStack; readonly url: string }
  | { readonly task: "ideal-stop" }
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
  let next = 0;
  let failures = 0;
  const bodyOf = (i: number) => ({
    metadata: { annotations: { "ironlb.io/ip-allocated-from-pool": "bench" } },
    status: {
      loadBalancer: { ingress: [{ ip: ipOf(i, t.round) }] },
      conditions: [{ type: "ironlb.io/Allocated", status: "True", reason: "Allocated", message: `assigned ${ipOf(i, t.round)} from pool "bench"`, lastTransitionTime: new Date().toISOString() }],
    },
  });
  const path = (name: string) => `/api/v1/namespaces/${RAW_NS}/services/${name}/status`;
  let one: (name: string, i: number) => Promise<void>;
  let close: () => void;
  if (t.http === "minimal") {
    const pool = new MinimalHttpPool(t.url, t.concurrency);
    one = async (name, i) => {
      const r = await pool.request("PATCH", path(name), bodyOf(i), "application/merge-patch+json");
      if (r.code !== 200) failures++;
    };
    close = () => pool.close();
  } else {
    const agent = new Agent({ keepAlive: true, maxSockets: t.concurrency });
    one = (name, i) =>
      new Promise<void>((resolve, reject) => {
        const body = JSON.stringify(bodyOf(i));
        const req = request(
          `${t.url}${path(name)}`,
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
    close = () => agent.destroy();
  }
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
  close();
  return { ms, failures };
}

let controller: Controller | undefined;
let ideal: IdealController | undefined;
let idealPool: MinimalHttpPool | undefined;

async function child(): Promise<void> {
  process.on("message", ({ id, task: t }: { id: number; task: Task }) => {
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
        case "ideal-start": {
          const start = performance.now();
          const clients = createClients({ kubeconfig: t.kubeconfig });
          // The minimal stack carries the list and the status writes; the watch stays client-node's.
          if (t.http === "minimal") idealPool = new MinimalHttpPool(t.url, t.concurrency);
          ideal = new IdealController(idealPool === undefined ? clients : { ...clients, rest: minimalRestClient(idealPool) }, { concurrency: t.concurrency, namespace: BENCH_NS });
          await ideal.start();
          return { ms: performance.now() - start };
        }
        case "ideal-stop":
          await ideal?.stop();
          ideal = undefined;
          idealPool?.close();
          idealPool = undefined;
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
        process.send?.({ id, reply: { cpuUs: cpu.user + cpu.system, ...r } });
      },
      (e: unknown) => process.send?.({ id, reply: { error: String(e) } }),
    );
  });
}

if (process.env[CHILD_ENV] === "controller") await child();

// ---- parent side -----------------------------------------------------------------------

let asked = 0;

/** Sends a task to the child; replies are matched by id (tasks may overlap). */
function ask(worker: ChildProcess, task: Task): Promise<Reply> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const onMessage = (m: { id: number; reply: Reply }) => {
      if (m.id !== id) return;
      worker.off("message", onMessage);
      if (m.reply.error !== undefined) reject(new Error(m.reply.error));
      else resolve(m.reply);
    };
    worker.on("message", onMessage);
    worker.send({ id, task });
  });
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}

function successfulStatusWrites(sim: KubeSim): number {
  return sim.requestLog.count({ verb: "patch", resource: "services", subresource: "status", code: 200 }) + sim.requestLog.count({ verb: "update", resource: "services", subresource: "status", code: 200 });
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

interface AllocPhase {
  readonly ms: number;
  readonly writes: number;
  readonly events: number;
  readonly serverUs: number;
  readonly clientUs: number;
}

/** Waits until every Service in BENCH_NS has one IP, all distinct; measures writes and CPU since `from`. */
async function allocated(sim: KubeSim, worker: ChildProcess, n: number, from: Mark): Promise<AllocPhase> {
  // The clock stops at the n-th successful status write (a cheap counter); the full check comes
  // after it, out of the window: listing 10k objects costs the server ~200 ms, which would land
  // in the window and on the server's CPU. Only when the check fails is the window extended.
  await poll(() => successfulStatusWrites(sim) - from.okWrites >= n, 600_000, "a status write per Service");
  let ms = performance.now() - from.t;
  const server = process.cpuUsage(from.server);
  const ipsOf = () => sim.store.list<KubeObject & { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>("services", { namespace: BENCH_NS }).map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip ?? "");
  if (!ipsOf().every((ip) => ip !== "")) {
    await poll(() => ipsOf().every((ip) => ip !== ""), 600_000, "every Service to have an IP");
    ms = performance.now() - from.t;
  }
  const clientUs = (await ask(worker, { task: "cpu" })).cpuUs ?? 0;
  const ips = new Set(ipsOf());
  if (ips.size !== n) throw new Error(`expected ${n} distinct IPs, got ${ips.size}`);
  return {
    ms,
    writes: statusWrites(sim) - from.writes,
    events: sim.requestLog.count({ verb: "create", resource: "events" }) - from.events,
    serverUs: (server.user + server.system) / n,
    clientUs: (clientUs - from.clientUs) / n,
  };
}

interface Mark {
  readonly t: number;
  readonly writes: number;
  readonly okWrites: number;
  readonly events: number;
  readonly server: NodeJS.CpuUsage;
  readonly clientUs: number;
}

async function mark(sim: KubeSim, worker: ChildProcess): Promise<Mark> {
  const clientUs = (await ask(worker, { task: "cpu" })).cpuUs ?? 0;
  return { t: performance.now(), writes: statusWrites(sim), okWrites: successfulStatusWrites(sim), events: sim.requestLog.count({ verb: "create", resource: "events" }), server: process.cpuUsage(), clientUs };
}

/** One way to allocate: IronLB's controller or the ideal loop. */
interface Contender {
  readonly start: Task;
  readonly stop: Task;
}

function contenders(kubeconfig: string, url: string, concurrency: number): { readonly controller: Contender; readonly ideal: Contender; readonly idealMinimal: Contender } {
  return {
    controller: { start: { task: "controller-start", kubeconfig, concurrency }, stop: { task: "controller-stop" } },
    ideal: { start: { task: "ideal-start", kubeconfig, concurrency, http: "node:http", url }, stop: { task: "ideal-stop" } },
    idealMinimal: { start: { task: "ideal-start", kubeconfig, concurrency, http: "minimal", url }, stop: { task: "ideal-stop" } },
  };
}

/** The baseline rows of every run: node:http at three depths, and the minimal client at the deepest. */
const BASELINES: readonly { readonly concurrency: number; readonly http: HttpStack }[] = [
  { concurrency: 1, http: "node:http" },
  { concurrency: 8, http: "node:http" },
  { concurrency: 32, http: "node:http" },
  { concurrency: 32, http: "minimal" },
];

interface Scenarios {
  readonly created: number;
  readonly running: AllocPhase;
  readonly pending: AllocPhase;
}

/** Both allocate scenarios; leaves N allocated Services in BENCH_NS and the allocator stopped. */
async function scenarios(sim: KubeSim, worker: ChildProcess, a: Contender, n: number): Promise<Scenarios & { readonly names: string[] }> {
  // 1. Created while it runs: the watch-driven path, creates inside the window.
  await ask(worker, a.start);
  const m1 = await mark(sim, worker);
  const names = createServices(sim, BENCH_NS, n);
  const created = performance.now() - m1.t;
  const running = await allocated(sim, worker, n, m1);

  // 2. Pending when it starts: the first full pass allocates them all.
  await ask(worker, a.stop);
  for (const name of names) sim.store.delete("services", BENCH_NS, name);
  createServices(sim, BENCH_NS, n);
  const m2 = await mark(sim, worker);
  const started = ask(worker, a.start);
  const pending = await allocated(sim, worker, n, m2);
  await started;
  await ask(worker, a.stop);
  return { created, running, pending, names };
}

/** Allocates `n` Services once and removes them, so that the measured runs find warm code. */
async function warmUp(sim: KubeSim, worker: ChildProcess, a: Contender, n: number): Promise<void> {
  await ask(worker, a.start);
  const m = await mark(sim, worker);
  const names = createServices(sim, BENCH_NS, n);
  await allocated(sim, worker, n, m);
  await ask(worker, a.stop);
  for (const name of names) sim.store.delete("services", BENCH_NS, name);
}

interface Rep {
  readonly baseline: readonly { readonly concurrency: number; readonly rate: number; readonly failures: number; readonly serverUs: number; readonly clientUs: number }[];
  readonly best: number;
  readonly controller: Scenarios;
  readonly ideal: Scenarios;
  readonly idealMinimal: Scenarios;
  readonly restartMs: number;
  readonly restartWrites: number;
}

async function repetition(sim: KubeSim, worker: ChildProcess, kubeconfig: string, n: number, concurrency: number, rep: number): Promise<Rep> {
  // Baseline: the same status patches from a minimal client, on Services of another
  // loadBalancerClass (the controller never touches them).
  const raw = createServices(sim, RAW_NS, n, { loadBalancerClass: "example.com/other" });
  for (const http of ["node:http", "minimal"] as const) await ask(worker, { task: "patch", url: sim.url, names: raw.slice(0, Math.min(1_000, n)), concurrency: 8, round: 0, http }); // warm-up
  const baseline: Rep["baseline"][number][] = [];
  for (const [round, { concurrency: c, http }] of BASELINES.entries()) {
    const server0 = process.cpuUsage();
    const r = await ask(worker, { task: "patch", url: sim.url, names: raw, concurrency: c, round: rep * BASELINES.length + round + 1, http });
    const server = process.cpuUsage(server0);
    baseline.push({ concurrency: c, rate: (n * 1000) / (r.ms ?? 1), failures: r.failures ?? 0, serverUs: (server.user + server.system) / n, clientUs: (r.cpuUs ?? 0) / n });
  }
  for (const name of raw) sim.store.delete("services", RAW_NS, name);

  const a = contenders(kubeconfig, sim.url, concurrency);
  const controller = await scenarios(sim, worker, a.controller, n);

  // 3. Restart over N allocated Services: ready time, and writes (none expected).
  const writesBeforeRestart = statusWrites(sim);
  const restart = await ask(worker, a.controller.start);
  // Anything a restart would write happens in the first full pass, before ready; look a little longer anyway.
  const settle = performance.now();
  await poll(() => performance.now() - settle > 500, 1_000, "settle");
  const restartWrites = statusWrites(sim) - writesBeforeRestart;
  await ask(worker, a.controller.stop);
  for (const name of controller.names) sim.store.delete("services", BENCH_NS, name);

  const ideal = await scenarios(sim, worker, a.ideal, n);
  for (const name of ideal.names) sim.store.delete("services", BENCH_NS, name);
  const idealMinimal = await scenarios(sim, worker, a.idealMinimal, n);
  for (const name of idealMinimal.names) sim.store.delete("services", BENCH_NS, name);
  return { baseline, best: Math.max(...baseline.map((b) => b.rate)), controller, ideal, idealMinimal, restartMs: restart.ms ?? 0, restartWrites };
}

export async function run(args: readonly string[]): Promise<void> {
  const n = flag(args, "services", 10_000);
  const concurrency = flag(args, "concurrency", 16);
  const reps = flag(args, "reps", 3);
  header("controller");
  console.log(`${reps} runs of ${n} Services; controller with ${concurrency} status writes in flight; kube-sim in this process, clients in a child process.`);
  console.log("Each run measures its own baseline right before the controller; ratios are per run, medians reported (the machine is shared).\n");

  const dir = mkdtempSync(join(tmpdir(), "ironlb-bench-controller-"));
  // requestLogSize 0: counters only (no entries kept).
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
    const firstStart = await ask(worker, { task: "controller-start", kubeconfig, concurrency });
    await ask(worker, { task: "controller-stop" });
    const a = contenders(kubeconfig, sim.url, concurrency);
    for (const c of [a.controller, a.ideal, a.idealMinimal]) await warmUp(sim, worker, c, Math.min(1_000, n));
    const runs: Rep[] = [];
    for (let r = 0; r < reps; r++) runs.push(await repetition(sim, worker, kubeconfig, n, concurrency, r));

    const med = (f: (r: Rep) => number) => percentile(runs.map(f), 50);
    const range = (f: (r: Rep) => number, digits = 0) => `${Math.min(...runs.map(f)).toFixed(digits)}-${Math.max(...runs.map(f)).toFixed(digits)}`;
    console.log(
      table(
        ["baseline: raw status merge-patches", "client", "in flight", "patches/s (median)", "range", "kube-sim CPU us/patch", "client CPU us/patch"],
        BASELINES.map(({ concurrency: c, http }, i) => {
          const b = (r: Rep) => r.baseline[i] as Rep["baseline"][number];
          return [`${runs.reduce((s, r) => s + b(r).failures, 0)} failed`, http, c, med((r) => b(r).rate), range((r) => b(r).rate), med((r) => b(r).serverUs), med((r) => b(r).clientUs)];
        }),
      ),
    );
    console.log();
    const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
    const rate = (p: AllocPhase) => (n * 1000) / p.ms;
    const rows = (what: string, p: (r: Rep) => AllocPhase, q: (r: Rep) => AllocPhase, m: (r: Rep) => AllocPhase): (string | number)[][] => {
      const ratio = med((r) => rate(p(r)) / r.best);
      return [
        [what, `${med((r) => rate(p(r))).toFixed(0)} Services/s (${range((r) => rate(p(r)))})`, ">= 0.80 of baseline", `${ratio.toFixed(2)} (${range((r) => rate(p(r)) / r.best, 2)}), ${verdict(ratio >= 0.8)}`],
        ["  status writes per Service", med((r) => p(r).writes / n).toFixed(3), "<= 1", verdict(Math.max(...runs.map((r) => p(r).writes / n)) <= 1)],
        ["  CPU per Service kube-sim / controller", `${med((r) => p(r).serverUs).toFixed(0)} us / ${med((r) => p(r).clientUs).toFixed(0)} us`, "", `Events sent in the window: ${med((r) => p(r).events)}`],
        ["  ideal loop, same scenario", `${med((r) => rate(q(r))).toFixed(0)} Services/s (${range((r) => rate(q(r)))})`, "", `${med((r) => rate(q(r)) / r.best).toFixed(2)} (${range((r) => rate(q(r)) / r.best, 2)})`],
        ["  CPU per Service kube-sim / ideal loop", `${med((r) => q(r).serverUs).toFixed(0)} us / ${med((r) => q(r).clientUs).toFixed(0)} us`, "", ""],
        ["  controller / ideal loop", med((r) => rate(p(r)) / rate(q(r))).toFixed(2), "", `range ${range((r) => rate(p(r)) / rate(q(r)), 2)}`],
        ["  ideal loop over the minimal HTTP client", `${med((r) => rate(m(r))).toFixed(0)} Services/s (${range((r) => rate(m(r)))})`, "", `${med((r) => rate(m(r)) / r.best).toFixed(2)} (${range((r) => rate(m(r)) / r.best, 2)})`],
        ["  CPU per Service kube-sim / minimal ideal loop", `${med((r) => m(r).serverUs).toFixed(0)} us / ${med((r) => m(r).clientUs).toFixed(0)} us`, "", ""],
      ];
    };
    console.log(
      table(
        ["controller", "result (median, range)", "target", "ratio to best baseline of its run"],
        [
          ...rows(`allocate ${n} Services created while it runs (creates: ${med((r) => r.controller.created).toFixed(0)} ms)`, (r) => r.controller.running, (r) => r.ideal.running, (r) => r.idealMinimal.running),
          ...rows(`allocate ${n} Services pending when it starts`, (r) => r.controller.pending, (r) => r.ideal.pending, (r) => r.idealMinimal.pending),
          [`restart over ${n} allocated Services`, `ready in ${(med((r) => r.restartMs) / 1000).toFixed(2)} s (${range((r) => r.restartMs / 1000, 2)})`, "<= 3 s", verdict(Math.max(...runs.map((r) => r.restartMs)) <= 3_000)],
          ["  status writes caused by the restart", Math.max(...runs.map((r) => r.restartWrites)), "0", verdict(runs.every((r) => r.restartWrites === 0))],
          ["first start, empty cluster, ready in", `${((firstStart.ms ?? 0) / 1000).toFixed(2)} s`, "", ""],
        ],
      ),
    );
    console.log("\nideal loop: the same informer and status request with no logic (bench/lib/ideal-controller.ts), the most any controller reaches here.");
    console.log("minimal HTTP client: plain keep-alive sockets, Content-Length responses (bench/lib/minimal-http.ts); the best baseline includes its row.");
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
