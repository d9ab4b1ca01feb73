// kube-sim benchmark: write throughput (Service creates, then status
// merge-patches, concurrent requests over keep-alive HTTP) and watch fan-out
// latency (one writer, 100 watchers; time from sending a status patch to each
// watcher reading the event). The load runs in a child process so that client
// CPU does not share the server's event loop. The floor is a raw node:http
// server doing the same request/response and line fan-out with no store,
// measured in the same run; ratios are kube-sim over the floor.
//
//   npm run bench -- kube-sim [--services N] [--concurrency C] [--watchers W] [--events E] [--rate R]
import { fork, type ChildProcess } from "node:child_process";
import { createServer, request, Agent, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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
  header("kube-sim");
  console.log(`${services} Services, ${concurrency} concurrent keep-alive connections; fan-out: ${watchers} watchers, ${events} status patches at ${rate}/s\n`);

  const worker = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: "kube-sim" } });
  const sim = await createKubeSim({ requestLogSize: 1_000 });
  sim.store.create("namespaces", { metadata: { name: NAMESPACE } });
  const floor = await floorServer();
  try {
    // Warm-up (JIT, connections), not counted: the first `warm` Services of each target.
    const warm = Math.min(1_000, Math.floor(services / 10));
    for (const url of [sim.url, floor.url]) {
      await ask<WriteResult>(worker, { task: "creates", url, first: services, n: warm, concurrency });
      await ask<WriteResult>(worker, { task: "status", url, first: services, n: warm, concurrency });
    }
    const writeRows: (string | number)[][] = [];
    const rates: Record<string, number> = {};
    for (const task of ["creates", "status"] as const) {
      const simR = await measured<WriteResult>(worker, { task, url: sim.url, first: 0, n: services, concurrency });
      const floorR = await measured<WriteResult>(worker, { task, url: floor.url, first: 0, n: services, concurrency });
      if (simR.failures > 0) console.log(`kube-sim ${task}: ${simR.failures} failed, first: ${simR.firstFailure ?? ""}`);
      const simRate = (services * 1000) / simR.ms;
      const floorRate = (services * 1000) / floorR.ms;
      rates[task] = simRate;
      writeRows.push([
        task === "creates" ? "Service create (POST)" : "status merge-patch (PATCH)",
        simRate,
        floorRate,
        simRate / floorRate,
        simR.serverCpuUs / services,
        floorR.serverCpuUs / services,
      ]);
    }
    console.log(table(["writes", "kube-sim/s", "floor/s", "ratio", "kube-sim CPU us/write", "floor CPU us/write"], writeRows));
    console.log();

    const simFan = await measured<FanoutResult>(worker, {
      task: "fanout",
      url: sim.url,
      watchPath: `/api/v1/namespaces/${NAMESPACE}/services?watch=true&resourceVersion=${sim.store.resourceVersion}`,
      patchPath: `/api/v1/namespaces/${NAMESPACE}/services/svc-0/status`,
      watchers,
      events,
      rate,
    });
    const floorFan = await measured<FanoutResult>(worker, {
      task: "fanout",
      url: floor.url,
      watchPath: "/watch?watch=true",
      patchPath: "/status",
      watchers,
      events,
      rate,
    });
    const row = (name: string, r: FanoutResult & { serverCpuUs: number }): (string | number)[] => [
      name,
      r.latencies.length,
      r.missing,
      percentile(r.latencies, 50),
      percentile(r.latencies, 99),
      Math.max(...r.latencies),
      r.serverCpuUs / Math.max(1, r.latencies.length),
    ];
    console.log(
      table(["fan-out (write -> every watcher)", "deliveries", "missing", "p50 ms", "p99 ms", "max ms", "server CPU us/delivery"], [row("kube-sim", simFan), row("floor", floorFan)]),
    );
    console.log(
      `\nratio kube-sim/floor: p50 ${(percentile(simFan.latencies, 50) / percentile(floorFan.latencies, 50)).toFixed(2)}x, p99 ${(percentile(simFan.latencies, 99) / percentile(floorFan.latencies, 99)).toFixed(2)}x`,
    );
    console.log(
      `targets: >= 2,000 writes/s (creates ${(rates["creates"] ?? 0).toFixed(0)}, status patches ${(rates["status"] ?? 0).toFixed(0)}); p99 fan-out <= 20 ms (${percentile(simFan.latencies, 99).toFixed(2)} ms)`,
    );
  } finally {
    worker.kill();
    await sim.close();
    floor.server.closeAllConnections();
    await new Promise((r) => floor.server.close(r));
  }
}
