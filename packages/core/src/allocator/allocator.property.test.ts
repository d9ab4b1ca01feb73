// Property test: random sequences of assign / allocate / allocateFromPool /
// allocateAdditionalFamily / unassign / setPools over small, crowded pools.
// After every operation:
// - no address is held by two services unless the sharing rules allow it
//   (same non-empty sharing key, same backend key, pairwise disjoint ports);
// - every held address lies in its recorded pool (and is not a .0/.255 of
//   an avoid-buggy-ips pool); the owner index and the assignments agree;
// - the counters equal a recount (totals by enumerating the pools);
// - a failed operation changed nothing, and inputs are never mutated
//   (everything handed in is deeply frozen);
// - the address chosen from a pool is the one a linear walk of the pool finds
//   (MetalLB's method: CIDRs in config order, ascending, first free or
//   shareable address), so the O(log n) indexes agree with the definition;
// - `explain` predicts the outcome of the call that follows it.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Pool } from "../config/index.ts";
import { formatIp, isBuggyIp, parseIp, prefixContains, prefixFirst, prefixLast, type IpAddress, type IpFamily } from "../ip/index.ts";
import { Allocator } from "./allocator.ts";
import type { AllocResult } from "./errors.ts";
import { outcome, pool, selector, snapshot, svc } from "./pool.fixtures.ts";
import { portKey, type ServiceRequest } from "./request.ts";

const variants: readonly (readonly Pool[])[] = [
  [
    pool("p1", ["10.0.0.0/30", "fd00::/126"]),
    pool("p2", ["10.0.0.254/31", "10.0.1.0/31"], { avoidBuggyIps: true }),
    pool("p3", ["10.0.2.0/31", "fd00:2::/127"], { serviceAllocation: { namespaces: ["team-a"] } }),
    pool("p4", ["10.0.3.0/31"], { autoAssign: false }),
  ],
  // p1 renamed, p3 deleted.
  [pool("q1", ["10.0.0.0/30", "fd00::/126"]), pool("p2", ["10.0.0.254/31", "10.0.1.0/31"], { avoidBuggyIps: true }), pool("p4", ["10.0.3.0/31"], { autoAssign: false })],
  // Shrunk, avoid-buggy-ips off, priorities and selectors, auto-assign on.
  [
    pool("p1", ["10.0.0.0/31", "fd00::/127"]),
    pool("p2", ["10.0.0.254/31", "10.0.1.0/31"]),
    pool("p3", ["10.0.2.0/31", "fd00:2::/127"], { serviceAllocation: { priority: 3, serviceSelectors: [selector({ tier: "gold" })] } }),
    pool("p4", ["10.0.3.0/31"], { serviceAllocation: { priority: 1 } }),
  ],
  // Split, and the avoid-buggy-ips pool grows over the .0.
  [
    pool("a", ["10.0.0.0/31"]),
    pool("b", ["10.0.0.2/31", "fd00::/126"]),
    pool("p2", ["10.0.0.254/31", "10.0.1.0/30"], { avoidBuggyIps: true }),
    pool("p3", ["10.0.2.0/31", "fd00:2::/127"], { serviceAllocation: { namespaces: ["team-a"] } }),
  ],
];
const poolNames = ["p1", "p2", "p3", "p4", "q1", "a", "b", "nope"];
const universe = ["10.0.0.0", "10.0.0.1", "10.0.0.3", "10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1", "10.0.2.0", "10.0.3.1", "9.9.9.9", "fd00::", "fd00::1", "fd00::3", "fd00:2::", "fd00:9::1"];

const svcArb = fc
  .record({
    idx: fc.integer({ min: 0, max: 5 }),
    ns: fc.constantFrom("default", "team-a"),
    family: fc.constantFrom("ipv4", "ipv4", "ipv4", "ipv6", "dual", "dual"),
    dualPolicy: fc.constantFrom("PreferDualStack", "RequireDualStack"),
    odd: fc.integer({ min: 0, max: 19 }),
    primary: fc.constantFrom("ipv4", "ipv6"),
    share: fc.constantFrom(null, "k1", "k1", "k2"),
    backend: fc.constantFrom("", "", "app=x"),
    ports: fc.subarray(["tcp/80", "tcp/443", "udp/53"]),
    gold: fc.boolean(),
  })
  .map((r) =>
    svc(`${r.ns}/s${r.idx}`, {
      family: r.family as ServiceRequest["family"],
      // Mostly the policies Kubernetes produces; now and then a malformed combination.
      policy: r.odd === 0 ? "RequireDualStack" : r.odd === 1 ? "SingleStack" : r.family === "dual" ? (r.dualPolicy as ServiceRequest["ipFamilyPolicy"]) : "SingleStack",
      primary: r.family === "ipv6" ? "ipv6" : r.family === "ipv4" ? "ipv4" : (r.primary as IpFamily),
      share: r.share,
      backend: r.backend,
      ports: r.ports,
      labels: r.gold ? { tier: "gold" } : {},
    }),
  );

type Op =
  | { readonly op: "allocate" | "additional" | "unassign"; readonly s: ServiceRequest }
  | { readonly op: "fromPool"; readonly s: ServiceRequest; readonly pool: string }
  | { readonly op: "assign"; readonly s: ServiceRequest; readonly ips: readonly string[]; readonly reclaim: boolean }
  | { readonly op: "setPools"; readonly variant: number };

// PreferDualStack dual-stack services, the only ones allocateAdditionalFamily serves.
const preferArb = svcArb.map((s) => svc(s.key, { ...s, share: s.sharingKey, backend: s.backendKey, ports: s.ports.map((p) => `${p.protocol}/${p.port}`), family: "dual", policy: "PreferDualStack" }));
// Mostly well-formed requests (one address, or one per family); now and then none or three.
const requestedArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...universe), { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...universe), { minLength: 0, maxLength: 3 }) },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: svcArb.map((s) => ({ op: "allocate" as const, s })) },
  { weight: 2, arbitrary: preferArb.map((s) => ({ op: "allocate" as const, s })) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("fromPool" as const), s: svcArb, pool: fc.constantFrom(...poolNames) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("assign" as const), s: fc.oneof(svcArb, preferArb), ips: requestedArb, reclaim: fc.boolean() }) },
  { weight: 2, arbitrary: preferArb.map((s) => ({ op: "additional" as const, s })) },
  { weight: 2, arbitrary: svcArb.map((s) => ({ op: "unassign" as const, s })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: variants.length - 1 }).map((variant) => ({ op: "setPools" as const, variant })) },
);

class Model {
  readonly a = new Allocator();
  pools: readonly Pool[] = [];
  // serviceKey -> the request its current assignment was recorded with
  readonly req = new Map<string, ServiceRequest>();

  run(op: Op): void {
    const before = snapshot(this.a);
    const ownersBefore = this.a.owners();
    if (op.op === "setPools") {
      this.pools = variants[op.variant] as readonly Pool[];
      const report = this.a.setPools(this.pools);
      for (const r of report.released) this.req.delete(r.service);
      for (const key of this.req.keys()) expect(this.a.assignment(key), `${key} survives setPools`).toBeDefined();
      return;
    }
    const s = op.s;
    const held = this.a.assignment(s.key);
    let result: AllocResult<{ readonly pool: string; readonly ips: readonly IpAddress[] }>;
    switch (op.op) {
      case "unassign":
        expect(this.a.unassign(s.key)).toBe(held !== undefined);
        this.req.delete(s.key);
        return;
      case "allocate": {
        const e = this.a.explain(s);
        expect(snapshot(this.a), "explain changed state").toEqual(before);
        result = this.a.allocate(s);
        expect(outcome(result), "explain predicts allocate").toBe(outcome(held === undefined ? e.outcome : (e.current?.reclaim ?? e.outcome)));
        if (held === undefined && result.ok && result.value.ips.length > 0) this.#checkFirstUsable(s, result.value, ownersBefore);
        break;
      }
      case "fromPool": {
        const e = this.a.explain(s, { pool: op.pool });
        result = this.a.allocateFromPool(s, op.pool);
        const reclaim = held !== undefined && held.pool === op.pool;
        expect(outcome(result), "explain predicts allocateFromPool").toBe(outcome(reclaim ? (e.current?.reclaim ?? e.outcome) : e.outcome));
        if (!reclaim && result.ok) this.#checkFirstUsable(s, result.value, ownersBefore);
        break;
      }
      case "assign": {
        const ips = op.ips.map(parseIp);
        if (!op.reclaim) {
          const e = this.a.explain(s, { ips });
          expect(snapshot(this.a), "explain changed state").toEqual(before);
          result = this.a.assign(s, ips);
          if (ips.length > 0) expect(outcome(result), "explain predicts assign").toBe(outcome(e.outcome));
        } else result = this.a.assign(s, ips, { reclaim: true });
        break;
      }
      case "additional":
        result = this.a.allocateAdditionalFamily(s);
        break;
    }
    if (result.ok) {
      this.req.set(s.key, s);
      expect(this.a.assignment(s.key)).toEqual(result.value);
      const p = this.pools.find((x) => x.name === result.value.pool) as Pool;
      expect(admits(p, s), `${p.name} does not admit ${s.key}`).toBe(true);
      if (op.op === "allocate" && held === undefined) expect(p.autoAssign, `automatic allocation from ${p.name}`).toBe(true);
    } else {
      expect(snapshot(this.a), `failed ${op.op} (${result.error.code}) changed state`).toEqual(before);
    }
  }

  /** The linear walk (MetalLB getIPFromCIDR) over the state before the call must find the same addresses. */
  #checkFirstUsable(s: ServiceRequest, got: { readonly pool: string; readonly ips: readonly IpAddress[] }, owners: ReturnType<Allocator["owners"]>): void {
    const p = this.pools.find((x) => x.name === got.pool) as Pool;
    for (const ip of got.ips) {
      const want = this.#walk(p, ip.family, s, owners);
      expect(want === undefined ? undefined : formatIp(want), `first usable ${ip.family} in ${p.name} for ${s.key}`).toBe(formatIp(ip));
    }
  }

  #walk(p: Pool, family: IpFamily, s: ServiceRequest, owners: ReturnType<Allocator["owners"]>): IpAddress | undefined {
    const mine = new Set(s.ports.map(portKey));
    for (const c of p.cidrs) {
      if (c.family !== family) continue;
      for (let v = prefixFirst(c).value; v <= prefixLast(c).value; v++) {
        const ip = { family, value: v };
        if (p.avoidBuggyIps && isBuggyIp(ip)) continue;
        const holders = owners.find((o) => o.ip.family === family && o.ip.value === v)?.services ?? [];
        if (holders.length === 0) return ip;
        const others = holders.map((h) => this.req.get(h) as ServiceRequest);
        const shareable =
          s.sharingKey !== null &&
          others.every((o) => o.sharingKey === s.sharingKey && o.backendKey === s.backendKey && !o.ports.some((x) => mine.has(portKey(x))));
        if (shareable) return ip;
      }
    }
    return undefined;
  }

  check(): void {
    const owners = this.a.owners();
    const held = new Map<string, string[]>();
    for (const o of owners) {
      expect(o.services.length).toBeGreaterThan(0);
      for (const key of o.services) held.set(key, [...(held.get(key) ?? []), formatIp(o.ip)]);
      const reqs = o.services.map((k) => this.req.get(k) as ServiceRequest);
      expect(reqs.every((r) => r !== undefined), "holder without a recorded request").toBe(true);
      if (reqs.length > 1) {
        // The sharing rules (§2.4): same non-empty key, same backend key, disjoint ports.
        const first = reqs[0] as ServiceRequest;
        for (const r of reqs) {
          expect(r.sharingKey, `${formatIp(o.ip)} shared without a key`).not.toBeNull();
          expect(r.sharingKey).toBe(first.sharingKey);
          expect(r.backendKey).toBe(first.backendKey);
        }
        const ports = reqs.flatMap((r) => [...new Set(r.ports.map(portKey))]);
        expect(new Set(ports).size, `${formatIp(o.ip)}: port used twice`).toBe(ports.length);
      }
      expect(o.sharingKey).toBe(reqs[0]?.sharingKey ?? "");
    }
    const counts = new Map<string, { ipv4: number; ipv6: number; services: number }>();
    for (const [key, r] of this.req) {
      const asg = this.a.assignment(key);
      expect(asg, `${key} lost its assignment`).toBeDefined();
      if (asg === undefined) continue;
      expect(asg.ips.map(formatIp).sort()).toEqual([...(held.get(key) ?? [])].sort());
      expect(asg.ips.length === 1 || (asg.ips.length === 2 && asg.ips[0]?.family !== asg.ips[1]?.family)).toBe(true);
      const p = this.pools.find((x) => x.name === asg.pool);
      expect(p, `${key} recorded under a pool that does not exist`).toBeDefined();
      for (const ip of asg.ips) {
        expect(p?.cidrs.some((c) => prefixContains(c, ip)), `${formatIp(ip)} outside ${asg.pool}`).toBe(true);
        expect(p?.avoidBuggyIps === true && isBuggyIp(ip), `${formatIp(ip)} is buggy in ${asg.pool}`).toBe(false);
      }
      const c = counts.get(asg.pool) ?? { ipv4: 0, ipv6: 0, services: 0 };
      c.services++;
      counts.set(asg.pool, c);
      void r;
    }
    expect([...held.keys()].sort()).toEqual([...this.req.keys()].filter((k) => this.a.assignment(k) !== undefined).sort());
    for (const o of owners) {
      const c = counts.get(o.pool) ?? { ipv4: 0, ipv6: 0, services: 0 };
      c[o.ip.family]++;
      counts.set(o.pool, c);
    }
    for (const p of this.pools) {
      const c = counts.get(p.name) ?? { ipv4: 0, ipv6: 0, services: 0 };
      const got = this.a.counters(p.name);
      for (const family of ["ipv4", "ipv6"] as const) {
        const total = usable(p, family);
        expect(got?.[family], `${p.name} ${family}`).toEqual({ total, inUse: BigInt(c[family]), available: total - BigInt(c[family]) });
      }
      expect(got?.services, `${p.name} services`).toBe(c.services);
    }
  }
}

// §2.3, written out again here rather than reusing compat.ts.
function admits(p: Pool, s: ServiceRequest): boolean {
  const sa = p.serviceAllocation;
  if (sa === null) return true;
  const matches = (sel: { readonly matchLabels: Readonly<Record<string, string>> }, labels: Readonly<Record<string, string>>) =>
    Object.entries(sel.matchLabels).every(([k, v]) => labels[k] === v);
  const nsRestricted = sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0;
  const nsOk = !nsRestricted || sa.namespaces.includes(s.namespace) || sa.namespaceSelectors.some((sel) => matches(sel, s.namespaceLabels));
  const svcOk = sa.serviceSelectors.length === 0 || sa.serviceSelectors.some((sel) => matches(sel, s.labels));
  return nsOk && svcOk;
}

function usable(p: Pool, family: IpFamily): bigint {
  let n = 0n;
  for (const c of p.cidrs) {
    if (c.family !== family) continue;
    for (let v = prefixFirst(c).value; v <= prefixLast(c).value; v++) if (!(p.avoidBuggyIps && isBuggyIp({ family, value: v }))) n++;
  }
  return n;
}

describe("allocator properties", () => {
  test("random operation sequences keep every invariant", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: variants.length - 1 }), fc.array(opArb, { minLength: 1, maxLength: 60, size: "max" }), (start, ops) => {
        const m = new Model();
        m.run({ op: "setPools", variant: start });
        m.check();
        for (const op of ops) {
          m.run(op);
          m.check();
        }
      }),
      { numRuns: 100 },
    );
  });
});
