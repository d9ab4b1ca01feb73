// Test-only builders for allocator tests (excluded from the build by the
// *.fixtures.ts pattern): Pools built the way the config parser resolves
// them, ServiceRequests as the controller builds them. Everything returned is
// deeply frozen, so an allocator that mutated its inputs would throw.
import { expect } from "vitest";
import type { LabelSelector, Pool, ServiceAllocation } from "../config/index.ts";
import { formatIp, parseAddressEntry, parseIp, type IpAddress } from "../ip/index.ts";
import type { Allocator } from "./allocator.ts";
import type { AllocResult } from "./errors.ts";
import type { ServicePort, ServiceRequest } from "./request.ts";

export interface PoolOptions {
  readonly autoAssign?: boolean;
  readonly avoidBuggyIps?: boolean;
  readonly serviceAllocation?: Partial<ServiceAllocation> | null;
}

export function pool(name: string, addresses: readonly string[], options: PoolOptions = {}): Pool {
  const entries = addresses.map(parseAddressEntry);
  const sa = options.serviceAllocation ?? null;
  return deepFreeze({
    name,
    protocol: "layer2",
    addresses: entries,
    cidrs: entries.flatMap((e) => e.prefixes),
    avoidBuggyIps: options.avoidBuggyIps ?? false,
    autoAssign: options.autoAssign ?? true,
    bgpAdvertisements: [],
    serviceAllocation: sa === null ? null : { priority: 0, namespaces: [], namespaceSelectors: [], serviceSelectors: [], ...sa },
    layer2: { interfaces: [], nodeSelectors: [] },
  });
}

export function selector(matchLabels: Record<string, string>): LabelSelector {
  return deepFreeze({ matchLabels, matchExpressions: [] });
}

export interface SvcOptions {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly namespaceLabels?: Record<string, string>;
  readonly family?: ServiceRequest["family"];
  readonly policy?: ServiceRequest["ipFamilyPolicy"];
  readonly primary?: ServiceRequest["primaryFamily"];
  readonly share?: string | null;
  readonly backend?: string;
  /** "tcp/80" style, as in MetalLB's tests. */
  readonly ports?: readonly string[];
}

/** A request keyed "<namespace>/<name>"; `name` may already contain the namespace ("ns/x"). */
export function svc(name: string, o: SvcOptions = {}): ServiceRequest {
  const namespace = o.namespace ?? (name.includes("/") ? (name.split("/")[0] as string) : "default");
  const key = name.includes("/") ? name : `${namespace}/${name}`;
  const family = o.family ?? "ipv4";
  return deepFreeze({
    key,
    namespace,
    labels: o.labels ?? {},
    namespaceLabels: o.namespaceLabels ?? {},
    family,
    ipFamilyPolicy: o.policy ?? (family === "dual" ? "RequireDualStack" : "SingleStack"),
    primaryFamily: o.primary ?? (family === "ipv6" ? "ipv6" : "ipv4"),
    sharingKey: o.share ?? null,
    backendKey: o.backend ?? "",
    ports: (o.ports ?? []).map(port),
  });
}

export function port(text: string): ServicePort {
  const [proto, num] = text.split("/");
  return { protocol: (proto ?? "").toUpperCase() as ServicePort["protocol"], port: Number(num) };
}

export function ips(...texts: string[]): readonly IpAddress[] {
  return Object.freeze(texts.map(parseIp));
}

/** The text of a result: `ok 1.2.3.4,1000::4 from test` or the error code. */
export function outcome(r: AllocResult<{ readonly pool: string; readonly ips: readonly IpAddress[] }>): string {
  return r.ok ? `ok ${r.value.ips.map(formatIp).join(",")} from ${r.value.pool}` : r.error.code;
}

/** The addresses a service holds, as text. */
export function held(a: Allocator, key: string): string[] {
  return a.ips(key).map(formatIp);
}

/** One row of an ordered scenario table (MetalLB TestAssignment style). */
export interface Step {
  readonly desc: string;
  readonly op: "assign" | "reclaim" | "unassign" | "allocate" | "fromPool" | "additional";
  readonly svc: ServiceRequest;
  /** assign/reclaim: the addresses. */
  readonly ips?: readonly string[];
  /** fromPool: the pool; assign: the address-pool annotation. */
  readonly pool?: string;
  /** `ok <ips> from <pool>`, an error code, or for unassign "true"/"false". */
  readonly want: string;
  /** Addresses held by these services after the step ([] = none). */
  readonly holds?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Runs the steps in order. After every step: the outcome, the listed
 * holdings, that a failed step changed nothing, and that neither the pools
 * nor the request passed in were mutated.
 */
export function runSteps(a: Allocator, pools: readonly Pool[], steps: readonly Step[]): void {
  const poolsBefore = structuredClone(pools);
  for (const step of steps) {
    const svcBefore = structuredClone(step.svc);
    const stateBefore = snapshot(a);
    const requested = step.ips === undefined ? undefined : ips(...step.ips);
    let got: string;
    switch (step.op) {
      case "assign":
        got = outcome(a.assign(step.svc, requested ?? [], { pool: step.pool }));
        break;
      case "reclaim":
        got = outcome(a.assign(step.svc, requested ?? [], { reclaim: true }));
        break;
      case "unassign":
        got = String(a.unassign(step.svc.key));
        break;
      case "allocate":
        got = outcome(a.allocate(step.svc));
        break;
      case "fromPool":
        got = outcome(a.allocateFromPool(step.svc, step.pool ?? ""));
        break;
      case "additional":
        got = outcome(a.allocateAdditionalFamily(step.svc));
        break;
    }
    expect(got, step.desc).toBe(step.want);
    if (!step.want.startsWith("ok") && step.op !== "unassign") expect(snapshot(a), `${step.desc}: a failed step changed state`).toEqual(stateBefore);
    for (const [key, want] of Object.entries(step.holds ?? {})) expect(held(a, key), `${step.desc}: ${key} holds`).toEqual(want);
    expect(step.svc, `${step.desc}: request mutated`).toEqual(svcBefore);
    expect(pools, `${step.desc}: pools mutated`).toEqual(poolsBefore);
  }
}

/** Everything observable (owners per address, counters per pool) as text, cheap to compare. */
export function snapshot(a: Allocator): string {
  const owners = a.owners().map((o) => `${formatIp(o.ip)} ${o.pool} ${o.sharingKey} ${o.services.join(",")}`);
  const counters = a.poolNames().map((n) => JSON.stringify(a.counters(n), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  return [...owners, ...counters].join("\n");
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
