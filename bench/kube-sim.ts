// kube-sim benchmark: write throughput (Service creates, then status
// merge-patches, concurrent requests over keep-alive HTTP) and watch fan-out
// latency (one writer, 100 watchers; time from sending a status patch to each
// watcher reading the event). The load runs in a child process so that client
// CPU does not share the server's event loop. The floor is a raw node:http
// server doing the same request/response and line fan-out with no store,
// measured in the same run; ratios are kube-sim over the floor.
//
//   npm run bench -- kube-sim [--services N] [--reps R] [--concurrency C] [--watchers W] [--events E] [--rate R]
import { fork, type ChildProcess } from "node:child_process";
import { createServer, request, Agent, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createKubeSim } from "@ironlb/kube-sim";
import { header, percentile, table } from "./lib/report.ts";

export const description = "kube-sim: writes/s (creates, status patches) and watch fan-out latency with 100 watchers, vs a raw node:http floor";

const CHILD_ENV = "IRONLB_BENCH_CHILD";
const NAMESPACE = "bench";

interface WriteTask {
  readonly task: "creates" | "status";
  readonly url: string;
  /** Services svc-<first> .. svc-<first + n - 1>. */
  readonly first: number;
  readonly n: number;
  readonly concurrency: number;
}

interface FanoutTask {
  readonly task: "fanout";
  readonly url: string;
  readonly watchPath: string;
  readonly patchPath: string;
  readonly watchers: number;
  readonly events: number;
  readonly rate: number;
}

type Task = WriteTask | FanoutTask;

interface WriteResult {
  readonly ms: number;
  readonly failures: number;
  readonly firstFailure?: string;
}

interface FanoutResult {
  readonly latencies: number[];
  readonly missing: number;
  readonly ms: number;
}

function serviceBody(i: number): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `svc-${i}`, namespace: NAMESPACE, labels: { app: `app-${i % 100}` } },
    // 10k LoadBalancer Services would exhaust the 2,768 node ports; IronLB users at that scale turn them off.
    spec: { type: "LoadBalancer", allocateLoadBalancerNodePorts: false, selector: { app: `app-${i % 100}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
  });
}

function statusBody(i: number): string {
  return JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: `198.51.${(i >> 8) & 0xff}.${i & 0xff}` }] } } });
}

// ---- child side: the load generator -------------------------------------------------------

function send(agent: Agent, base: string, method: string, path: string, body: string, contentType: string): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), Accept: "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ code: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function runWrites(t: WriteTask): Promise<WriteResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: t.concurrency });
  let next = t.first;
  const end = t.first + t.n;
  let failures = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < end) {
      const i = next++;
      const r =
        t.task === "creates"
          ? await send(agent, t.url, "POST", `/api/v1/namespaces/${NAMESPACE}/services`, serviceBody(i), "application/json")
          : await send(agent, t.url, "PATCH", `/api/v1/namespaces/${NAMESPACE}/services/svc-${i}/status`, statusBody(i), "application/merge-patch+json");
      if (r.code < 200 || r.code > 299) {
        failures++;
        firstFailure ??= `${r.code} ${r.text.slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: t.concurrency }, worker));
  const ms = performance.now() - start;
  agent.destroy();
  return { ms, failures, ...(firstFailure !== undefined ? { firstFailure } : {}) };
}

async function runFanout(t: FanoutTask): Promise<FanoutResult> {
  const sentAt: number[] = [];
  const latencies: number[] = [];
  const received = new Array<number>(t.events).fill(0);
  const marker = /"hostname":"e(\d+)\.bench/g;
  const streams = await Promise.all(
    Array.from(
      { length: t.watchers },
      () =>
        new Promise<() => void>((resolve, reject) => {
          const req = request(`${t.url}${t.watchPath}`, { agent: false }, (res) => {
            res.setEncoding("utf8");
            let carry = "";
            res.on("data", (chunk: string) => {
              const now = performance.now();
              const text = carry + chunk;
              const cut = text.lastIndexOf("\n");
              carry = cut < 0 ? text : text.slice(cut + 1);
              for (const m of (cut < 0 ? "" : text.slice(0, cut)).matchAll(marker)) {
                const seq = Number(m[1]);
                const t0 = sentAt[seq];
                if (t0 !== undefined) {
                  latencies.push(now - t0);
                  received[seq] = (received[seq] ?? 0) + 1;
                }
              }
            });
            resolve(() => req.destroy());
          });
          req.on("error", (e) => (e.message === "socket hang up" ? undefined : reject(e)));
          req.end();
        }),
    ),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < t.events; i++) {
    // A steady rate: each write leaves at its slot, independent of the previous one's answer.
    const due = start + (i * 1000) / t.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname: `e${i}.bench.invalid` }] } } });
    sentAt[i] = performance.now();
    pending.push(send(agent, t.url, "PATCH", t.patchPath, body, "application/merge-patch+json"));
  }
  await Promise.all(pending);
  // Let the last events arrive (bounded: a missing delivery is reported, not waited for forever).
  const deadline = performance.now() + 2_000;
  while (received.some((n) => n < t.watchers) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - start;
  for (const close of streams) close();
  agent.destroy();
  const missing = received.reduce((s, n) => s + (t.watchers - n), 0);
  return { latencies, missing, ms };
}

async function child(): Promise<void> {
  process.on("message", (msg: Task) => {
    const work = msg.task === "fanout" ? runFanout(msg) : runWrites(msg);
    work.then(
      (r) => process.send?.(r),
      (e: unknown) => process.send?.({ error: String(e) }),
    );
  });
}

if (process.env[CHILD_ENV] === "kube-sim") await child();

// ---- parent side: servers and reporting ---------------------------------------------------

function ask<T>(worker: ChildProcess, task: Task): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once("message", (m: T & { error?: string }) => (m.error !== undefined ? reject(new Error(m.error)) : resolve(m)));
    worker.send(task);
  });
}

/** Runs a task and also returns the CPU time this (server) process spent meanwhile, in microseconds. */
async function measured<T>(worker: ChildProcess, task: Task): Promise<T & { serverCpuUs: number }> {
  const before = process.cpuUsage();
  const r = await ask<T>(worker, task);
  const used = process.cpuUsage(before);
  return { ...r, serverCpuUs: used.user + used.system };
}

/** The floor: node:http with the same requests and fan-out, and no store at all. */
async function floorServer(): Promise<{ url: string; server: Server }> {
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if ((req.url ?? "").includes("watch=true")) {
      res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
      streams.add(res);
      res.on("close", () => streams.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.method === "PATCH" && body.includes("hostname")) {
        const line = `{"type":"MODIFIED","object":${body}}\n`;
        for (const s of streams) s.write(line);
      }
      res.writeHead(req.method === "POST" ? 201 : 200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: expected a positive integer, got ${JSON.stringify(args[i + 1])}`);
  return v;
}

export async function run(args: readonly string[]): Promise<void> {
  const services = flag(args, "services", 10_000);
  const concurrency = flag(args, "concurrency", 32);
  const watchers = flag(args, "watchers", 100);
  const events = flag(args, "events", 1_000);
  const rate = flag(args, "rate", 100);
  const reps = flag(args, "reps", 3);
  header("kube-sim");
  console.log(
    `${reps} runs of ${services} Service creates and status patches, ${concurrency} concurrent keep-alive connections; fan-out: ${watchers} watchers, ${events} status patches at ${rate}/s\n`,
  );

  const worker = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: "kube-sim" } });
  const sim = await createKubeSim({ requestLogSize: 1_000 });
  sim.store.create("namespaces", { metadata: { name: NAMESPACE } });
  const floor = await floorServer();
  try {
    // Warm-up (JIT, connections), not counted: Services after the measured ones.
    const warm = Math.min(1_000, Math.floor(services / 10));
    for (const url of [sim.url, floor.url]) {
      await ask<WriteResult>(worker, { task: "creates", url, first: reps * services, n: warm, concurrency });
      await ask<WriteResult>(worker, { task: "status", url, first: reps * services, n: warm, concurrency });
    }
    // Each repetition writes its own Services; the machine is shared, so medians are reported with the range.
    const writeRows: (string | number)[][] = [];
    const rates: Record<string, number> = {};
    for (const task of ["creates", "status"] as const) {
      const simRates: number[] = [];
      const floorRates: number[] = [];
      const simCpu: number[] = [];
      const floorCpu: number[] = [];
      for (let r = 0; r < reps; r++) {
        const simR = await measured<WriteResult>(worker, { task, url: sim.url, first: r * services, n: services, concurrency });
        const floorR = await measured<WriteResult>(worker, { task, url: floor.url, first: r * services, n: services, concurrency });
        if (simR.failures > 0) console.log(`kube-sim ${task}: ${simR.failures} failed, first: ${simR.firstFailure ?? ""}`);
        simRates.push((services * 1000) / simR.ms);
        floorRates.push((services * 1000) / floorR.ms);
        simCpu.push(simR.serverCpuUs / services);
        floorCpu.push(floorR.serverCpuUs / services);
      }
      const simRate = percentile(simRates, 50);
      const floorRate = percentile(floorRates, 50);
      rates[task] = simRate;
      writeRows.push([
        task === "creates" ? "Service create (POST)" : "status merge-patch (PATCH)",
        simRate,
        `${Math.min(...simRates).toFixed(0)}-${Math.max(...simRates).toFixed(0)}`,
        floorRate,
        simRate / floorRate,
        percentile(simCpu, 50),
        percentile(floorCpu, 50),
      ]);
    }
    console.log(table(["writes (median of runs)", "kube-sim/s", "kube-sim range", "floor/s", "ratio", "kube-sim CPU us/write", "floor CPU us/write"], writeRows));
    console.log();

    const fanout: Record<"sim" | "floor", { p50: number[]; p99: number[]; max: number[]; missing: number; deliveries: number; cpu: number[] }> = {
      sim: { p50: [], p99: [], max: [], missing: 0, deliveries: 0, cpu: [] },
      floor: { p50: [], p99: [], max: [], missing: 0, deliveries: 0, cpu: [] },
    };
    // GC pauses in this (server) process during fan-out, to tell them apart from scheduling delay.
    const gcPauses: { start: number; duration: number }[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, duration: e.duration });
    });
    gcObserver.observe({ entryTypes: ["gc"] });
    const gcDuring: Record<"sim" | "floor", { total: number; max: number }> = { sim: { total: 0, max: 0 }, floor: { total: 0, max: 0 } };
    for (let r = 0; r < reps; r++) {
      for (const target of ["sim", "floor"] as const) {
        // Start each run from a collected heap (node --expose-gc, as `npm run bench` runs it).
        (globalThis as { gc?: () => void }).gc?.();
        const windowStart = performance.now();
        const res = await measured<FanoutResult>(
          worker,
          target === "sim"
            ? {
                task: "fanout",
                url: sim.url,
                watchPath: `/api/v1/namespaces/${NAMESPACE}/services?watch=true&resourceVersion=${sim.store.resourceVersion}`,
                patchPath: `/api/v1/namespaces/${NAMESPACE}/services/svc-0/status`,
                watchers,
                events,
                rate,
              }
            : { task: "fanout", url: floor.url, watchPath: "/watch?watch=true", patchPath: "/status", watchers, events, rate },
        );
        // Observer entries arrive asynchronously: let them in, then keep the ones inside this run.
        await new Promise((r) => setImmediate(r));
        const inRun = gcPauses.filter((p) => p.start >= windowStart).map((p) => p.duration);
        gcPauses.length = 0;
        const g = gcDuring[target];
        g.total += inRun.reduce((a, b) => a + b, 0);
        g.max = Math.max(g.max, ...inRun, 0);
        const f = fanout[target];
        f.p50.push(percentile(res.latencies, 50));
        f.p99.push(percentile(res.latencies, 99));
        f.max.push(Math.max(...res.latencies));
        f.missing += res.missing;
        f.deliveries += res.latencies.length;
        f.cpu.push(res.serverCpuUs / Math.max(1, res.latencies.length));
      }
    }
    const row = (name: string, f: (typeof fanout)["sim"]): (string | number)[] => [
      name,
      f.deliveries,
      f.missing,
      percentile(f.p50, 50),
      percentile(f.p99, 50),
      `${Math.min(...f.p99).toFixed(1)}-${Math.max(...f.p99).toFixed(1)}`,
      Math.max(...f.max),
      percentile(f.cpu, 50),
    ];
    console.log(
      table(
        ["fan-out (write -> every watcher)", "deliveries", "missing", "p50 ms", "p99 ms", "p99 range", "max ms", "server CPU us/delivery"],
        [row("kube-sim", fanout.sim), row("floor", fanout.floor)],
      ),
    );
    gcObserver.disconnect();
    console.log(
      `GC in the server process (it hosts both) during fan-out runs: kube-sim runs ${gcDuring.sim.total.toFixed(0)} ms (longest pause ${gcDuring.sim.max.toFixed(1)} ms), floor runs ${gcDuring.floor.total.toFixed(0)} ms (longest ${gcDuring.floor.max.toFixed(1)} ms)`,
    );
    const simP99 = percentile(fanout.sim.p99, 50);
    console.log(`\nratio kube-sim/floor: p50 ${(percentile(fanout.sim.p50, 50) / percentile(fanout.floor.p50, 50)).toFixed(2)}x, p99 ${(simP99 / percentile(fanout.floor.p99, 50)).toFixed(2)}x`);
    console.log(`targets: >= 2,000 writes/s (creates ${(rates["creates"] ?? 0).toFixed(0)}, status patches ${(rates["status"] ?? 0).toFixed(0)}); p99 fan-out <= 20 ms (${simP99.toFixed(2)} ms)`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other processes share these cores)`);
  } finally {
    worker.kill();
    await sim.close();
    floor.server.closeAllConnections();
    await new Promise((r) => floor.server.close(r));
  }
}
