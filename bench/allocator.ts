// Allocator benchmark: automatic allocation with 1k, 10k, 50k and 100k
// services already allocated from one pool of a /16 IPv4 and a /64 IPv6
// (mixed single/dual stack, some sharing), against MetalLB's method measured
// in the same run: walk the pool from its first address, checking each one
// against the set of used addresses, for every allocation.
//
// For each level N: fill an allocator with N services (timed: the fill rate,
// GC included), then time batches of further allocations on top of it (the
// marginal cost at N allocated; best of several batches, each unassigned
// again, so that other processes on a shared machine disturb it less). The
// baseline is brought to the same state by replaying the allocator's
// assignments (not timed), then times its own allocations; the addresses it
// picks must equal the allocator's, or the run fails. Retained heap per
// service is the heap with a structure minus the heap without it.
//
// The baseline is generous to MetalLB: used addresses are keyed by bigint
// value, where MetalLB formats every candidate with ip.String() and looks it
// up in several string-keyed maps.
//
//   npm run bench -- allocator [--levels 1000,10000,50000,100000] [--batch 2000] [--reps 5]
//                              [--base-batch 200] [--base-seconds 3]
import { Allocator, type ServicePort, type ServiceRequest } from "@ironlb/core/allocator";
import type { Pool } from "@ironlb/core/config";
import { formatIp, parseAddressEntry, prefixFirst, prefixLast, type IpAddress, type IpFamily, type Prefix } from "@ironlb/core/ip";
import os from "node:os";
import { header, table } from "./lib/report.ts";

export const description = "allocator: allocations/s and heap per service at 1k-100k allocated, vs MetalLB's linear scan";

const POOL_NAME = "bench";

function benchPool(): Pool {
  const addresses = ["10.0.0.0/16", "fd00::/64"].map(parseAddressEntry);
  return {
    name: POOL_NAME,
    protocol: "layer2",
    addresses,
    cidrs: addresses.flatMap((a) => a.prefixes),
    avoidBuggyIps: false,
    autoAssign: true,
    bgpAdvertisements: [],
    serviceAllocation: null,
    layer2: { interfaces: [], nodeSelectors: [] },
  };
}

/**
 * Service i of the mix: 40% IPv4, 40% IPv6, 10% RequireDualStack, 10%
 * PreferDualStack (IPv6 primary). 5% share in pairs (TCP/80 + UDP/53 under a
 * per-pair key); 2% use one wide key across four ports, so that key's
 * addresses fill up and new ones open (exercising the per-port indexes).
 * IPv4 demand at 100k stays under the /16 (about 56k addresses).
 */
function service(i: number): ServiceRequest {
  const kind = i % 10;
  const family = kind < 4 ? "ipv4" : kind < 8 ? "ipv6" : "dual";
  let sharingKey: string | null = null;
  let ports: ServicePort[] = [{ protocol: "TCP", port: 443 }];
  if (i % 20 === 2) sharingKey = `pair-${i}`;
  if (i % 20 === 3) {
    sharingKey = `pair-${i - 1}`;
    ports = [{ protocol: "UDP", port: 53 }];
  }
  if (i % 50 === 0) {
    sharingKey = "wide";
    ports = [{ protocol: "TCP", port: 1000 + ((i / 50) % 4) }];
  }
  return {
    key: `ns-${i % 97}/svc-${i}`,
    namespace: `ns-${i % 97}`,
    labels: { app: `app-${i % 13}` },
    namespaceLabels: {},
    family,
    ipFamilyPolicy: kind === 8 ? "RequireDualStack" : kind === 9 ? "PreferDualStack" : "SingleStack",
    primaryFamily: kind === 9 || family === "ipv6" ? "ipv6" : "ipv4",
    sharingKey,
    backendKey: "",
    ports,
  };
}

interface Use {
  readonly key: string;
  readonly backend: string;
  readonly ports: Set<string>;
}

/** MetalLB's getIPFromCIDR: for each allocation, walk the pool upward until an address is free or shareable. */
class LinearScan {
  // ip value -> who uses it, one map per family
  readonly #used = { ipv4: new Map<bigint, Use>(), ipv6: new Map<bigint, Use>() };
  readonly #cidrs: readonly Prefix[];

  constructor(pool: Pool) {
    this.#cidrs = pool.cidrs;
  }

  record(svc: ServiceRequest, ips: readonly IpAddress[]): void {
    for (const ip of ips) {
      const map = this.#used[ip.family];
      const use = map.get(ip.value) ?? { key: svc.sharingKey ?? "", backend: svc.backendKey, ports: new Set<string>() };
      for (const p of svc.ports) use.ports.add(`${p.protocol}/${p.port}`);
      map.set(ip.value, use);
    }
  }

  allocate(svc: ServiceRequest): IpAddress[] | undefined {
    const families: IpFamily[] = svc.family === "dual" ? ["ipv4", "ipv6"] : [svc.family];
    const out: IpAddress[] = [];
    for (const family of families) {
      const ip = this.#first(family, svc);
      if (ip === undefined) return undefined;
      out.push(ip);
    }
    this.record(svc, out);
    return out;
  }

  #first(family: IpFamily, svc: ServiceRequest): IpAddress | undefined {
    const map = this.#used[family];
    const ports = svc.ports.map((p) => `${p.protocol}/${p.port}`);
    for (const c of this.#cidrs) {
      if (c.family !== family) continue;
      const last = prefixLast(c).value;
      for (let v = prefixFirst(c).value; v <= last; v++) {
        const use = map.get(v);
        if (use === undefined) return { family, value: v };
        if (svc.sharingKey !== null && use.key === svc.sharingKey && use.backend === svc.backendKey && !ports.some((p) => use.ports.has(p))) {
          return { family, value: v };
        }
      }
    }
    return undefined;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (gc === undefined) return Number.NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function option(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}

function allocateOrThrow(a: Allocator, svc: ServiceRequest): readonly IpAddress[] {
  const r = a.allocate(svc);
  if (!r.ok) throw new Error(`allocation of ${svc.key} failed: ${r.error.code} ${r.error.message}`);
  return r.value.ips;
}

const text = (ips: readonly IpAddress[] | undefined) => (ips === undefined ? "none" : ips.map(formatIp).join(","));

interface Row {
  readonly level: number;
  readonly fillPerSec: number;
  readonly oursNs: number;
  readonly oursCpu: number;
  readonly oursBytes: number;
  readonly baseNs: number;
  readonly baseCpu: number;
  readonly baseSamples: number;
  readonly baseBytes: number;
}

/** CPU time of this process (user + system), in ns: on a shared machine it counts only the time this process ran. */
function cpuNs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1e3;
}

/** Fills an allocator with `services`; returns what each got and the wall and CPU time taken. */
function fill(a: Allocator, services: readonly ServiceRequest[]): { readonly ns: number; readonly cpu: number; readonly assigned: (readonly IpAddress[])[] } {
  const assigned: (readonly IpAddress[])[] = new Array<readonly IpAddress[]>(services.length);
  const c0 = cpuNs();
  const t0 = nowNs();
  for (let i = 0; i < services.length; i++) assigned[i] = allocateOrThrow(a, services[i] as ServiceRequest);
  return { ns: nowNs() - t0, cpu: cpuNs() - c0, assigned };
}

/**
 * The marginal cost on top of the current state: best of `reps` batches.
 * Each batch is unassigned afterwards, which restores an equivalent state, so
 * every repetition must pick the same addresses; the best repetition is the
 * one least disturbed by other processes on the machine.
 */
function timeBatches(a: Allocator, extra: readonly ServiceRequest[], reps: number): { readonly ns: number; readonly cpu: number; readonly ips: readonly string[] } {
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let first: string[] | undefined;
  for (let r = 0; r < reps; r++) {
    const { ns, cpu, assigned } = fill(a, extra);
    best = Math.min(best, ns / extra.length);
    bestCpu = Math.min(bestCpu, cpu / extra.length);
    const ips = assigned.map(text);
    if (first !== undefined && ips.join(";") !== first.join(";")) throw new Error(`repetition ${r} picked other addresses`);
    first ??= ips;
    for (const svc of extra) a.unassign(svc.key);
  }
  return { ns: best, cpu: bestCpu, ips: first ?? [] };
}

/** The baseline on the same services: up to `max` allocations or `seconds`; must agree with the allocator. */
function timeBaseline(base: LinearScan, extra: readonly ServiceRequest[], want: readonly string[], max: number, seconds: number): { readonly ns: number; readonly cpu: number; readonly n: number } {
  let n = 0;
  const c0 = cpuNs();
  const t0 = nowNs();
  while (n < Math.min(max, extra.length) && (n < 5 || nowNs() - t0 < seconds * 1e9)) {
    const svc = extra[n] as ServiceRequest;
    const got = text(base.allocate(svc));
    if (got !== want[n]) throw new Error(`baseline and allocator disagree on ${svc.key}: ${got} vs ${want[n]}`);
    n++;
  }
  return { ns: (nowNs() - t0) / n, cpu: (cpuNs() - c0) / n, n };
}

interface Held {
  a: Allocator | undefined;
  base: LinearScan | undefined;
}

function measureLevel(
  held: Held,
  pools: readonly Pool[],
  filled: readonly ServiceRequest[],
  extra: readonly ServiceRequest[],
  o: { readonly reps: number; readonly baseBatch: number; readonly baseSeconds: number },
): { readonly fillNs: number; readonly ours: { readonly ns: number; readonly cpu: number }; readonly baseline: { readonly ns: number; readonly cpu: number; readonly n: number } } {
  const a = new Allocator();
  held.a = a;
  a.setPools(pools);
  const { ns: fillNs, assigned } = fill(a, filled);
  const ours = timeBatches(a, extra, o.reps);
  // The baseline in the same state: replay (untimed) what the allocator assigned.
  const base = new LinearScan(pools[0] as Pool);
  held.base = base;
  for (let i = 0; i < filled.length; i++) base.record(filled[i] as ServiceRequest, assigned[i] as readonly IpAddress[]);
  const baseline = timeBaseline(base, extra, ours.ips, o.baseBatch, o.baseSeconds);
  return { fillNs, ours, baseline };
}

export async function run(args: readonly string[]): Promise<void> {
  const levels = option(args, "levels", "1000,10000,50000,100000").split(",").map(Number);
  const batch = Number(option(args, "batch", "2000"));
  const reps = Number(option(args, "reps", "5"));
  const baseBatch = Number(option(args, "base-batch", "200"));
  const baseSeconds = Number(option(args, "base-seconds", "3"));
  header("allocator: automatic allocation from a /16 + /64 pool");
  if (gc === undefined) console.log("note: run with --expose-gc (npm run bench does) for heap figures");
  const load0 = os.loadavg()[0] as number;
  const pools = [benchPool()];

  // Warm the JIT through the same functions that are measured, so the first
  // level does not pay for compilation.
  {
    const warmServices = Array.from({ length: 12_000 }, (_, i) => service(i));
    const warm = new Allocator();
    warm.setPools(pools);
    const warmBase = new LinearScan(pools[0] as Pool);
    const { assigned } = fill(warm, warmServices.slice(0, 10_000));
    for (let i = 0; i < 10_000; i++) warmBase.record(warmServices[i] as ServiceRequest, assigned[i] as readonly IpAddress[]);
    const { ips } = timeBatches(warm, warmServices.slice(10_000), 3);
    timeBaseline(warmBase, warmServices.slice(10_000), ips, 20, 1);
  }

  const rows: Row[] = [];
  for (const level of levels) {
    const services = Array.from({ length: level + batch }, (_, i) => service(i));
    const extra = services.slice(level);

    // Both structures are built and timed in a helper and kept only in
    // `held`: once the helper's frame is gone, dropping them really frees them.
    const held: Held = { a: undefined, base: undefined };
    const { fillNs, ours, baseline } = measureLevel(held, pools, services.slice(0, level), extra, { reps, baseBatch, baseSeconds });

    // Retained heap of each structure: the heap with it minus the heap without it.
    const withBoth = heapUsed();
    held.base = undefined;
    const withOurs = heapUsed();
    held.a = undefined;
    const withNone = heapUsed();
    const oursBytes = (withOurs - withNone) / level;
    const baseBytes = (withBoth - withOurs) / level;
    rows.push({ level, fillPerSec: level / (fillNs / 1e9), oursNs: ours.ns, oursCpu: ours.cpu, oursBytes, baseNs: baseline.ns, baseCpu: baseline.cpu, baseSamples: baseline.n, baseBytes });
  }

  console.log(
    table(
      ["allocated", "allocs/s", "us/alloc", "cpu us", "heap B/svc", "fill allocs/s", "base allocs/s", "base us/alloc", "base cpu us", "(n)", "base B/svc", "ratio", "cpu ratio"],
      rows.map((r) => [
        r.level,
        Math.round(1e9 / r.oursNs),
        r.oursNs / 1e3,
        r.oursCpu / 1e3,
        Math.round(r.oursBytes),
        Math.round(r.fillPerSec),
        Math.round(1e9 / r.baseNs),
        r.baseNs / 1e3,
        r.baseCpu / 1e3,
        r.baseSamples,
        Math.round(r.baseBytes),
        r.baseNs / r.oursNs,
        r.baseCpu / r.oursCpu,
      ]),
    ),
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first !== undefined && last !== undefined && last !== first) {
    console.log(
      `\nallocated x${(last.level / first.level).toFixed(0)} -> time per allocation x${(last.oursNs / first.oursNs).toFixed(2)} (allocator), x${(last.baseNs / first.baseNs).toFixed(0)} (baseline)`,
    );
  }
  console.log(`allocs/s, us/alloc: best of ${reps} batches of ${batch} allocations on top of N allocated (wall clock); cpu us: this process's CPU time per allocation, best batch.`);
  console.log(`baseline: the same services in the same state, up to ${baseBatch} allocations or ${baseSeconds}s; it picked the same addresses.`);
  console.log("heap B/svc: retained heap after filling N services, divided by N (allocator: all its indexes; baseline: its used-address map).");
  console.log(`load average (1 min) at start / end: ${load0.toFixed(2)} / ${(os.loadavg()[0] as number).toFixed(2)} on ${os.cpus().length} CPUs`);
}
