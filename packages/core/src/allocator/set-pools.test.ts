// Config changes (reference §2.7) and restart (§2.6), after MetalLB's
// TestConfigReload: setPools always accepts, keeps what still fits (under the
// pool that now holds it), drops and reports the rest.
import { describe, expect, test } from "vitest";
import type { Pool } from "../config/index.ts";
import { parseIp } from "../ip/index.ts";
import { Allocator, type ReleaseReason, type SetPoolsReport } from "./allocator.ts";
import { held, outcome, pool, runSteps, svc } from "./pool.fixtures.ts";

const initial = Object.freeze([pool("test", ["1.2.3.0/30", "1000::/126"]), pool("unused", ["1.2.4.0/30", "1001::/126"])]);

interface ReloadCase {
  readonly desc: string;
  readonly pools: readonly Pool[];
  /** Pool of s1 (on 1.2.3.0) and s2 (on 1000::) afterwards; undefined = released. */
  readonly poolS1: string | undefined;
  readonly poolS2: string | undefined;
  readonly report: SetPoolsReport;
}

const released = (service: string, poolName: string, ip: string, reason: ReleaseReason) => ({ service, pool: poolName, ips: [parseIp(ip)], reason });

const cases: readonly ReloadCase[] = [
  { desc: "set same config is no-op", pools: initial, poolS1: "test", poolS2: "test", report: { released: [], moved: [] } },
  { desc: "expand pool", pools: [pool("test", ["1.2.3.0/24", "1000::/120"])], poolS1: "test", poolS2: "test", report: { released: [], moved: [] } },
  { desc: "shrink pool, assignments still inside", pools: [pool("test", ["1.2.3.0/31", "1000::/127"])], poolS1: "test", poolS2: "test", report: { released: [], moved: [] } },
  {
    desc: "can't shrink further, removing the IPv4 assignment",
    pools: [pool("test", ["1.2.3.2/31", "1000::0/126"])],
    poolS1: undefined,
    poolS2: "test",
    report: { released: [released("default/s1", "test", "1.2.3.0", "not-in-any-pool")], moved: [] },
  },
  {
    desc: "can't shrink further ipv6, removing the service allocation",
    pools: [pool("test", ["1.2.3.0/30", "1000::2/127"])],
    poolS1: "test",
    poolS2: undefined,
    report: { released: [released("default/s2", "test", "1000::", "not-in-any-pool")], moved: [] },
  },
  {
    desc: "rename the pool: addresses kept",
    pools: [pool("test2", ["1.2.3.0/30", "1000::0/126"])],
    poolS1: "test2",
    poolS2: "test2",
    report: { released: [], moved: [{ service: "default/s1", from: "test", to: "test2" }, { service: "default/s2", from: "test", to: "test2" }] },
  },
  {
    desc: "split pool",
    pools: [pool("test", ["1.2.3.0/31", "1000::2/127"]), pool("test2", ["1.2.3.2/31", "1000::/127"])],
    poolS1: "test",
    poolS2: "test2",
    report: { released: [], moved: [{ service: "default/s2", from: "test", to: "test2" }] },
  },
  {
    desc: "enable avoid-buggy-ips moves the service on .0",
    pools: [pool("test2", ["1.2.3.0/31", "1000::/127"], { avoidBuggyIps: true })],
    poolS1: undefined,
    poolS2: "test2",
    report: { released: [released("default/s1", "test", "1.2.3.0", "buggy-ip")], moved: [{ service: "default/s2", from: "test", to: "test2" }] },
  },
  {
    desc: "delete every pool",
    pools: [],
    poolS1: undefined,
    poolS2: undefined,
    report: { released: [released("default/s1", "test", "1.2.3.0", "not-in-any-pool"), released("default/s2", "test", "1000::", "not-in-any-pool")], moved: [] },
  },
];

describe("setPools (reference §2.7, TestConfigReload)", () => {
  test.each(cases)("$desc", ({ pools, poolS1, poolS2, report }) => {
    const a = new Allocator();
    a.setPools(initial);
    expect(outcome(a.assign(svc("s1"), [parseIp("1.2.3.0")]))).toBe("ok 1.2.3.0 from test");
    expect(outcome(a.assign(svc("s2", { family: "ipv6" }), [parseIp("1000::")]))).toBe("ok 1000:: from test");
    const before = structuredClone(pools);
    expect(a.setPools(pools)).toEqual(report);
    expect(pools).toEqual(before);
    expect(a.pool("default/s1")).toBe(poolS1);
    expect(a.pool("default/s2")).toBe(poolS2);
    // Counters are recomputed for the new pools: only kept assignments count.
    for (const name of a.poolNames()) {
      const c = a.counters(name);
      const v4 = poolS1 === name ? 1n : 0n;
      const v6 = poolS2 === name ? 1n : 0n;
      expect(c?.ipv4.inUse, name).toBe(v4);
      expect(c?.ipv6.inUse, name).toBe(v6);
      expect(c?.services, name).toBe(Number(v4 + v6));
    }
    expect(a.counters("gone")).toBeUndefined();
  });

  test("a released service is re-allocated right away; kept ones keep their address (§2.7 step 4)", () => {
    const a = new Allocator();
    a.setPools([pool("old", ["10.0.0.0/30"]), pool("other", ["10.0.9.0/30"])]);
    runSteps(a, [], [
      { desc: "a", op: "allocate", svc: svc("a"), want: "ok 10.0.0.0 from old" },
      { desc: "b", op: "allocate", svc: svc("b"), want: "ok 10.0.0.1 from old" },
      { desc: "c in other", op: "fromPool", svc: svc("c"), pool: "other", want: "ok 10.0.9.0 from other" },
    ]);
    const next = [pool("new", ["10.0.0.1/32", "10.0.0.2/31"]), pool("other", ["10.0.9.0/30"])];
    const report = a.setPools(next);
    expect(report.released.map((r) => [r.service, r.reason])).toEqual([["default/a", "not-in-any-pool"]]);
    expect(report.moved).toEqual([{ service: "default/b", from: "old", to: "new" }]);
    expect(held(a, "default/b")).toEqual(["10.0.0.1"]);
    expect(held(a, "default/c")).toEqual(["10.0.9.0"]);
    // The controller re-runs the released service: it gets the first free address of the new config.
    expect(outcome(a.allocate(svc("a")))).toBe("ok 10.0.0.2 from new");
  });

  test("a dual-stack assignment whose families land in different pools is released", () => {
    const a = new Allocator();
    a.setPools([pool("both", ["10.0.0.0/30", "fd00::/126"])]);
    expect(outcome(a.allocate(svc("d", { family: "dual" })))).toBe("ok 10.0.0.0,fd00:: from both");
    const report = a.setPools([pool("v4", ["10.0.0.0/30"]), pool("v6", ["fd00::/126"])]);
    expect(report.released.map((r) => [r.service, r.reason])).toEqual([["default/d", "split-across-pools"]]);
    expect(a.counters("v4")?.ipv4.inUse).toBe(0n);
  });

  test("shared addresses survive a rename with all their holders and keys", () => {
    const a = new Allocator();
    a.setPools([pool("p", ["10.0.0.0/30"])]);
    const web = svc("web", { share: "k", ports: ["tcp/80"] });
    const dns = svc("dns", { share: "k", ports: ["udp/53"] });
    expect(outcome(a.allocate(web))).toBe("ok 10.0.0.0 from p");
    expect(outcome(a.allocate(dns))).toBe("ok 10.0.0.0 from p");
    a.setPools([pool("renamed", ["10.0.0.0/30"])]);
    expect(a.servicesOn(parseIp("10.0.0.0"))).toEqual(["default/dns", "default/web"]);
    expect(a.counters("renamed")).toMatchObject({ ipv4: { inUse: 1n }, services: 2 });
    // The port index came along: a third service on UDP/53 cannot join, one on TCP/443 can.
    expect(outcome(a.allocate(svc("dns2", { share: "k", ports: ["udp/53"] })))).toBe("ok 10.0.0.1 from renamed");
    expect(outcome(a.allocate(svc("tls", { share: "k", ports: ["tcp/443"] })))).toBe("ok 10.0.0.0 from renamed");
  });

  test("a pool that stops admitting a service keeps it until the service is re-claimed (MetalLB SetPools)", () => {
    const a = new Allocator();
    a.setPools([pool("p", ["10.0.0.0/30"])]);
    expect(outcome(a.allocate(svc("s")))).toBe("ok 10.0.0.0 from p");
    expect(a.setPools([pool("p", ["10.0.0.0/30"], { serviceAllocation: { namespaces: ["team-a"] } })])).toEqual({ released: [], moved: [] });
    expect(a.pool("default/s")).toBe("p");
    // The controller's reprocess re-claims; the re-claim fails and it clears the state.
    expect(outcome(a.assign(svc("s"), a.ips("default/s"), { reclaim: true }))).toBe("POOL_NOT_ALLOWED");
  });

  test("restart: services restored from their status first, then pending ones (§2.6)", () => {
    const a = new Allocator();
    a.setPools([pool("p", ["10.0.0.0/30"])]);
    // reprocessAll sorts by number of ingress IPs, descending: holders re-claim before anyone allocates.
    expect(outcome(a.assign(svc("restored-b"), [parseIp("10.0.0.1")], { reclaim: true }))).toBe("ok 10.0.0.1 from p");
    expect(outcome(a.assign(svc("restored-a"), [parseIp("10.0.0.0")], { reclaim: true }))).toBe("ok 10.0.0.0 from p");
    expect(outcome(a.allocate(svc("pending")))).toBe("ok 10.0.0.2 from p");
  });

  test("overlapping or duplicate pools are a broken contract, not something to guess about", () => {
    const a = new Allocator();
    expect(() => a.setPools([pool("a", ["10.0.0.0/24"]), pool("b", ["10.0.0.128/25"])])).toThrow(/overlap/);
    expect(() => a.setPools([pool("a", ["10.0.0.0/24"]), pool("a", ["10.0.1.0/24"])])).toThrow(/twice/);
    expect(() => a.setPools([pool("a", ["10.0.0.0/24", "10.0.0.7/32"])])).toThrow(/overlap/);
    // A failed setPools keeps the previous state.
    expect(a.poolNames()).toEqual([]);
  });
});
