// Requested pool and automatic allocation (reference §2.2 steps 2-3) and which
// address inside a pool (§2.5: config order, first usable, families,
// avoid-buggy-ips), as ordered scenarios after MetalLB's TestPoolAllocation,
// TestAllocation, TestAutoAssign and TestBuggyIPs. Unlike MetalLB's tests,
// which accept any address of a set, these assert the exact address: the
// order is deterministic here (first usable in config order, pools by name
// among equal priorities).
import { describe, expect, test } from "vitest";
import type { Pool } from "../config/index.ts";
import { Allocator } from "./allocator.ts";
import { pool, runSteps, selector, svc, type Step } from "./pool.fixtures.ts";

function scenario(pools: readonly Pool[], steps: readonly Step[]): void {
  const a = new Allocator();
  a.setPools(pools);
  runSteps(a, pools, steps);
}

const v4 = (n: string, o: Parameters<typeof svc>[1] = {}) => svc(n, o);
const v6 = (n: string, o: Parameters<typeof svc>[1] = {}) => svc(n, { family: "ipv6", ...o });
const dual = (n: string, o: Parameters<typeof svc>[1] = {}) => svc(n, { family: "dual", ...o });
const prefer = (n: string, o: Parameters<typeof svc>[1] = {}) => svc(n, { family: "dual", policy: "PreferDualStack", ...o });

describe("requested pool (MetalLB AllocateFromPool, §2.2 step 2)", () => {
  const pools = Object.freeze([
    pool("not_this_one", ["192.168.0.0/16", "fc00::1:0/112"]),
    pool("test", ["1.2.3.4/31", "1.2.3.10/31", "1000::/127", "2000::/127"]),
    pool("test2", ["10.20.30.0/24", "fc00::2:0/120"]),
    pool("test-v4", ["1.2.4.4/31", "1.2.4.10/31"]),
    pool("test-v6", ["1001::/127", "2001::/127"]),
    pool("test-dualstack", ["1.2.5.4/31", "1002::/127"]),
    pool("manual", ["1.2.6.0/30"], { autoAssign: false }),
    pool("team-a-only", ["1.2.7.0/30"], { serviceAllocation: { namespaces: ["team-a"] } }),
  ]);
  const from = (desc: string, s: Parameters<typeof runSteps>[2][number]["svc"], want: string, p = "test"): Step => ({ desc, op: "fromPool", svc: s, pool: p, want });
  const drop = (key: string): Step => ({ desc: `${key} releases`, op: "unassign", svc: v4(key), want: "true" });

  test("IPv4, then sharing the last address", () => {
    scenario(pools, [
      from("s1 gets an IPv4", v4("s1"), "ok 1.2.3.4 from test"),
      from("s2 gets an IPv4", v4("s2"), "ok 1.2.3.5 from test"),
      from("s3 gets an IPv4 from the second CIDR", v4("s3"), "ok 1.2.3.10 from test"),
      from("s4 gets an IPv4", v4("s4"), "ok 1.2.3.11 from test"),
      from("s5 can't get an IPv4", v4("s5"), "POOL_EXHAUSTED"),
      from("s6 can't get an IPv4", v4("s6"), "POOL_EXHAUSTED"),
      drop("s1"),
      from("s5 can now grab s1's former IPv4", v4("s5"), "ok 1.2.3.4 from test"),
      from("s6 still can't get an IPv4", v4("s6"), "POOL_EXHAUSTED"),
      drop("s5"),
      from("s5 enables IPv4 sharing", v4("s5", { share: "share", ports: ["tcp/80"] }), "ok 1.2.3.4 from test"),
      from("s6 can get an IPv4 now, with sharing", v4("s6", { share: "share", ports: ["tcp/443"] }), "ok 1.2.3.4 from test"),
      drop("s2"),
      // "free OR shareable, whichever comes first": .4 (shareable) comes before .5 (free).
      from("s7 shares .4 although .5 is free", v4("s7", { share: "share", ports: ["tcp/8080"] }), "ok 1.2.3.4 from test"),
      from("s8's port is taken on .4: it gets the free .5", v4("s8", { share: "share", ports: ["tcp/80"] }), "ok 1.2.3.5 from test"),
      from("s9 needs TCP/80: taken on .4 and .5", v4("s9", { share: "share", ports: ["tcp/80"] }), "POOL_EXHAUSTED"),
      from("s10 needs UDP/53 and TCP/443: .4 has TCP/443, .5 has neither", v4("s10", { share: "share", ports: ["udp/53", "tcp/443"] }), "ok 1.2.3.5 from test"),
      from("another backend key does not share", v4("s11", { share: "share", backend: "app=x", ports: ["tcp/9"] }), "POOL_EXHAUSTED"),
      from("another sharing key does not share", v4("s11", { share: "other", ports: ["tcp/9"] }), "POOL_EXHAUSTED"),
      from("no key does not share", v4("s11", { ports: ["tcp/9"] }), "POOL_EXHAUSTED"),
    ]);
  });

  test("IPv6, and the wrong-family re-claim", () => {
    scenario(pools, [
      from("s1 gets an IPv6", v6("s1"), "ok 1000:: from test"),
      from("s2 gets an IPv6", v6("s2"), "ok 1000::1 from test"),
      from("s3 gets an IPv6", v6("s3"), "ok 2000:: from test"),
      from("s4 gets an IPv6", v6("s4"), "ok 2000::1 from test"),
      from("s5 can't get an IPv6", v6("s5"), "POOL_EXHAUSTED"),
      drop("s1"),
      from("s5 can now grab s1's former IPv6", v6("s5"), "ok 1000:: from test"),
      drop("s5"),
      from("s5 enables IPv6 sharing", v6("s5", { share: "share", ports: ["tcp/80"] }), "ok 1000:: from test"),
      from("s6 can get an IPv6 now, with sharing", v6("s6", { share: "share", ports: ["tcp/443"] }), "ok 1000:: from test"),
      from("s7 gets an IPv4", v4("s7"), "ok 1.2.3.4 from test"),
      // MetalLB: "IP for wrong family assigned" (a should-not-happen case: ipFamilies is immutable).
      from("s7 asking for an IPv6 from the same pool re-claims its IPv4 and fails", v6("s7"), "FAMILY_MISMATCH"),
    ]);
  });

  test("dual-stack and PreferDualStack", () => {
    scenario(pools, [
      from("d1 gets dual-stack IPs", dual("d1"), "ok 1.2.3.4,1000:: from test"),
      from("d2 gets dual-stack IPs", dual("d2"), "ok 1.2.3.5,1000::1 from test"),
      from("d3 gets dual-stack IPs", dual("d3"), "ok 1.2.3.10,2000:: from test"),
      from("d4 gets dual-stack IPs, IPv4 listed first even with IPv6 primary", dual("d4", { primary: "ipv6" }), "ok 1.2.3.11,2000::1 from test"),
      from("d5 can't get dual-stack IPs", dual("d5"), "POOL_EXHAUSTED"),
      drop("d1"),
      from("d5 can now grab d1's former IPs", dual("d5"), "ok 1.2.3.4,1000:: from test"),
      from("RequireDualStack from an IPv4-only pool", dual("d6"), "FAMILY_NOT_IN_POOL", "test-v4"),
      from("IPv6 from an IPv4-only pool", v6("d6"), "FAMILY_NOT_IN_POOL", "test-v4"),
      from("PreferDualStack from an IPv4-only pool gets one IPv4", prefer("p1"), "ok 1.2.4.4 from test-v4", "test-v4"),
      from("PreferDualStack from an IPv6-only pool gets one IPv6", prefer("p2"), "ok 1001:: from test-v6", "test-v6"),
      drop("p2"),
      from("p2 then gets both from a dual-stack pool", prefer("p2"), "ok 1.2.5.4,1002:: from test-dualstack", "test-dualstack"),
    ]);
  });

  test("unknown pool, auto-assign off, compatibility, moving between pools", () => {
    scenario(pools, [
      from("unknown pool", v4("s1"), "UNKNOWN_POOL", "nonexistentpool"),
      from("auto-assign: false is fine when the pool is requested", v4("s1"), "ok 1.2.6.0 from manual", "manual"),
      from("re-requesting the same pool re-claims", v4("s1"), "ok 1.2.6.0 from manual", "manual"),
      from("a pool that does not admit the namespace", v4("s2"), "POOL_NOT_ALLOWED", "team-a-only"),
      from("one that does", v4("team-a/s2"), "ok 1.2.7.0 from team-a-only", "team-a-only"),
      { desc: "s1 moves to another pool, freeing the old address", op: "fromPool", svc: v4("s1"), pool: "test2", want: "ok 10.20.30.0 from test2", holds: { "default/s1": ["10.20.30.0"] } },
      from("the old address is free again", v4("s3"), "ok 1.2.6.0 from manual", "manual"),
      from("a failed move keeps the old address", v4("s1"), "UNKNOWN_POOL", "gone"),
      { desc: "s1 still holds its address", op: "fromPool", svc: v4("s1"), pool: "test2", want: "ok 10.20.30.0 from test2" },
    ]);
  });

  test("additional family for PreferDualStack with one address (§2.1 step 7)", () => {
    scenario(pools, [
      { desc: "p1 re-claims a single IPv4 of a dual-stack pool", op: "reclaim", svc: prefer("p1"), ips: ["1.2.5.5"], want: "ok 1.2.5.5 from test-dualstack" },
      { desc: "p1 adds an IPv6 from the same pool", op: "additional", svc: prefer("p1"), want: "ok 1.2.5.5,1002:: from test-dualstack" },
      { desc: "already dual: idempotent", op: "additional", svc: prefer("p1"), want: "ok 1.2.5.5,1002:: from test-dualstack" },
      { desc: "p2 holds one IPv6", op: "reclaim", svc: prefer("p2", { primary: "ipv6" }), ips: ["1002::1"], want: "ok 1002::1 from test-dualstack" },
      // The kept address stays first, as MetalLB writes [existing, additional].
      { desc: "p2 adds the last IPv4", op: "additional", svc: prefer("p2", { primary: "ipv6" }), want: "ok 1002::1,1.2.5.4 from test-dualstack" },
      { desc: "p3 holds one IPv6", op: "reclaim", svc: prefer("p3"), ips: ["1002::"], want: "SHARING_CONFLICT" },
      { desc: "p3 from an IPv4-only pool", op: "fromPool", svc: prefer("p3"), pool: "test-v4", want: "ok 1.2.4.4 from test-v4" },
      { desc: "the pool has no IPv6", op: "additional", svc: prefer("p3"), want: "FAMILY_NOT_IN_POOL" },
      { desc: "p4 holds an IPv4 of the exhausted dual pool", op: "unassign", svc: prefer("p2"), want: "true" },
      { desc: "p4 takes 1.2.5.4", op: "reclaim", svc: prefer("p4"), ips: ["1.2.5.4"], want: "ok 1.2.5.4 from test-dualstack" },
      { desc: "p5 takes the other IPv6", op: "reclaim", svc: prefer("p5", { primary: "ipv6" }), ips: ["1002::1"], want: "ok 1002::1 from test-dualstack" },
      { desc: "no IPv6 left for p4", op: "additional", svc: prefer("p4"), want: "POOL_EXHAUSTED" },
      { desc: "a service without an address", op: "additional", svc: prefer("p6"), want: "INVALID_REQUEST" },
      { desc: "a RequireDualStack service", op: "additional", svc: dual("d1"), want: "INVALID_REQUEST" },
    ]);
  });
});

describe("automatic allocation (MetalLB Allocate, §2.2 step 3)", () => {
  test("first usable address across pools in config order (TestAllocation)", () => {
    const pools = [pool("test1", ["1.2.3.4/31", "1000::4/127"]), pool("test2", ["1.2.3.10/31", "1000::10/127"])];
    const alloc = (desc: string, s: Step["svc"], want: string): Step => ({ desc, op: "allocate", svc: s, want });
    scenario(pools, [
      alloc("s1 gets an IPv4", v4("s1"), "ok 1.2.3.4 from test1"),
      alloc("s2 gets an IPv4", v4("s2"), "ok 1.2.3.5 from test1"),
      alloc("s3 gets an IPv4 from the next pool", v4("s3"), "ok 1.2.3.10 from test2"),
      alloc("s4 gets an IPv4", v4("s4"), "ok 1.2.3.11 from test2"),
      alloc("s5 can't get an IPv4", v4("s5"), "POOL_EXHAUSTED"),
      alloc("allocate re-claims for a service that holds addresses", v4("s1"), "ok 1.2.3.4 from test1"),
      { desc: "s1 gives up its IPv4", op: "unassign", svc: v4("s1"), want: "true" },
      alloc("s5 can now get an IPv4, with sharing", v4("s5", { share: "share", ports: ["tcp/80"] }), "ok 1.2.3.4 from test1"),
      alloc("s6 can get an IPv4 with sharing", v4("s6", { share: "share", ports: ["tcp/443"] }), "ok 1.2.3.4 from test1"),
      alloc("s5 re-claim with a port s6 uses fails", v4("s5", { share: "share", ports: ["tcp/443"] }), "PORT_CONFLICT"),
      alloc("s1 gets an IPv6", v6("s1"), "ok 1000::4 from test1"),
      alloc("d1: no IPv4 is free anywhere", dual("d1"), "POOL_EXHAUSTED"),
      { desc: "s2 gives up 1.2.3.5", op: "unassign", svc: v4("s2"), want: "true" },
      alloc("d1 gets dual-stack IPs from the pool that has both free", dual("d1"), "ok 1.2.3.5,1000::5 from test1"),
      alloc("d2: test1 has no IPv4 left, test2 neither", dual("d2"), "POOL_EXHAUSTED"),
      alloc("RequireDualStack with one clusterIP", v4("d3", { policy: "RequireDualStack" }), "NOT_ENOUGH_CLUSTER_IPS"),
    ]);
  });

  test("auto-assign: false pools are skipped (TestAutoAssign)", () => {
    const pools = [pool("test1", ["1.2.3.4/31", "1000::4/127"], { autoAssign: false }), pool("test2", ["1.2.3.10/31", "1000::10/127"])];
    const alloc = (desc: string, s: Step["svc"], want: string): Step => ({ desc, op: "allocate", svc: s, want });
    scenario(pools, [
      alloc("s1", v4("s1"), "ok 1.2.3.10 from test2"),
      alloc("s2", v4("s2"), "ok 1.2.3.11 from test2"),
      alloc("s3: the only auto-assign pool is full", v4("s3"), "POOL_EXHAUSTED"),
      alloc("v1", v6("v1"), "ok 1000::10 from test2"),
      alloc("d1", dual("d1", { share: "k" }), "POOL_EXHAUSTED"),
    ]);
  });

  test("avoid-buggy-ips skips .0 and .255 (TestBuggyIPs)", () => {
    const pools = [
      pool("test", ["1.2.3.0/31"]),
      pool("test2", ["1.2.3.254/31"]),
      pool("test3", ["1.2.4.0/31"], { avoidBuggyIps: true }),
      pool("test4", ["1.2.4.254/31"], { avoidBuggyIps: true }),
      pool("test5", ["1.2.5.250-1.2.6.2"], { avoidBuggyIps: true }),
    ];
    const want = ["1.2.3.0 from test", "1.2.3.1 from test", "1.2.3.254 from test2", "1.2.3.255 from test2", "1.2.4.1 from test3", "1.2.4.254 from test4"];
    const steps: Step[] = want.map((w, i) => ({ desc: `s${i + 1}`, op: "allocate", svc: v4(`s${i + 1}`), want: `ok ${w}` }));
    // A range across a /24 boundary: .250-.254, then .1 and .2 of the next /24.
    for (const ip of ["1.2.5.250", "1.2.5.251", "1.2.5.252", "1.2.5.253", "1.2.5.254", "1.2.6.1", "1.2.6.2"]) {
      steps.push({ desc: `r ${ip}`, op: "allocate", svc: v4(`r-${ip}`), want: `ok ${ip} from test5` });
    }
    steps.push({ desc: "everything used", op: "allocate", svc: v4("last"), want: "POOL_EXHAUSTED" });
    scenario(pools, steps);
  });

  test("CIDRs in config order, not numeric order; ranges split ascending", () => {
    const pools = [pool("p", ["10.0.5.0/31", "10.0.1.0/31", "10.0.0.6-10.0.0.9"])];
    const want = ["10.0.5.0", "10.0.5.1", "10.0.1.0", "10.0.1.1", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9"];
    scenario(
      pools,
      want.map((ip, i): Step => ({ desc: `#${i + 1}`, op: "allocate", svc: v4(`s${i}`), want: `ok ${ip} from p` })),
    );
  });

  test("a freed hole is refilled first (lowest free address)", () => {
    const pools = [pool("p", ["10.0.0.0/29"])];
    scenario(pools, [
      { desc: "a", op: "allocate", svc: v4("a"), want: "ok 10.0.0.0 from p" },
      { desc: "b", op: "allocate", svc: v4("b"), want: "ok 10.0.0.1 from p" },
      { desc: "c", op: "allocate", svc: v4("c"), want: "ok 10.0.0.2 from p" },
      { desc: "b leaves", op: "unassign", svc: v4("b"), want: "true" },
      { desc: "a leaves", op: "unassign", svc: v4("a"), want: "true" },
      { desc: "d takes the lowest hole", op: "allocate", svc: v4("d"), want: "ok 10.0.0.0 from p" },
      { desc: "e takes the next", op: "allocate", svc: v4("e"), want: "ok 10.0.0.1 from p" },
      { desc: "f continues after c", op: "allocate", svc: v4("f"), want: "ok 10.0.0.3 from p" },
    ]);
  });

  test("pinned pools by priority, ties by name, then the rest in config order", () => {
    const gold = selector({ tier: "gold" });
    const pools = Object.freeze([
      pool("default-a", ["10.0.0.0/30"]),
      pool("default-b", ["10.0.1.0/32"]),
      pool("ns-pool", ["10.1.0.0/30"], { serviceAllocation: { namespaces: ["team-a"] } }),
      pool("prio10", ["10.2.0.0/31"], { serviceAllocation: { namespaces: ["team-a"], priority: 10 } }),
      pool("prio5-z", ["10.3.0.0/32"], { serviceAllocation: { serviceSelectors: [gold], priority: 5 } }),
      pool("prio5-a", ["10.4.0.0/32"], { serviceAllocation: { serviceSelectors: [gold], priority: 5 } }),
      // Only a priority: admits and pins every service (MetalLB PR #2714).
      pool("all-prio", ["10.5.0.0/32"], { serviceAllocation: { priority: 20 } }),
      pool("pinned-off", ["10.6.0.0/30"], { autoAssign: false, serviceAllocation: { namespaces: ["team-a"], priority: 1 } }),
      pool("prod-ns", ["10.7.0.0/32"], { serviceAllocation: { namespaceSelectors: [selector({ env: "prod" })] } }),
    ]);
    const alloc = (desc: string, s: Step["svc"], want: string): Step => ({ desc, op: "allocate", svc: s, want });
    scenario(pools, [
      alloc("a plain service is pinned by the priority-only pool", v4("x1"), "ok 10.5.0.0 from all-prio"),
      alloc("then falls back to pools without service-allocation", v4("x2"), "ok 10.0.0.0 from default-a"),
      alloc("team-a: priority 10 before 20 before 0; auto-assign off never", v4("team-a/y1"), "ok 10.2.0.0 from prio10"),
      alloc("team-a again", v4("team-a/y2"), "ok 10.2.0.1 from prio10"),
      alloc("team-a: prio10 full, all-prio full, then the priority-0 namespace pool", v4("team-a/y3"), "ok 10.1.0.0 from ns-pool"),
      alloc("gold: equal priorities in name order", v4("team-a/g1", { labels: { tier: "gold" } }), "ok 10.4.0.0 from prio5-a"),
      alloc("gold: the other priority-5 pool", v4("team-a/g2", { labels: { tier: "gold" } }), "ok 10.3.0.0 from prio5-z"),
      alloc("gold: the rest of team-a's order", v4("team-a/g3", { labels: { tier: "gold" } }), "ok 10.1.0.1 from ns-pool"),
      alloc("gold outside team-a: pinned pools full, so unpinned ones", v4("other/g4", { labels: { tier: "gold" } }), "ok 10.0.0.1 from default-a"),
      alloc("namespace selector pins a prod namespace", v4("shop/z1", { namespaceLabels: { env: "prod" } }), "ok 10.7.0.0 from prod-ns"),
      alloc("prod, pinned pool full", v4("shop/z2", { namespaceLabels: { env: "prod" } }), "ok 10.0.0.2 from default-a"),
      alloc("default-a's last", v4("q1"), "ok 10.0.0.3 from default-a"),
      alloc("default-b", v4("q2"), "ok 10.0.1.0 from default-b"),
      // ns-pool still has 10.1.0.2/.3, but it never serves another namespace.
      alloc("other namespace: everything it may use is full", v4("other/q3"), "POOL_EXHAUSTED"),
      alloc("team-a still gets ns-pool", v4("team-a/y4"), "ok 10.1.0.2 from ns-pool"),
      alloc("no pool has IPv6", v6("v1"), "NO_POOL"),
    ]);
  });

  test("a service-allocation that admits nobody leaves only the unpinned pools", () => {
    const pools = [
      pool("only-ns-x", ["10.0.0.0/30"], { serviceAllocation: { namespaces: ["x"] } }),
      pool("selector-matching-nothing", ["10.0.1.0/30"], { serviceAllocation: { namespaceSelectors: [selector({ env: "none" })] } }),
    ];
    scenario(pools, [
      { desc: "default namespace: no usable pool", op: "allocate", svc: v4("s1"), want: "NO_POOL" },
      { desc: "namespace x", op: "allocate", svc: v4("x/s1"), want: "ok 10.0.0.0 from only-ns-x" },
    ]);
  });

  test("dual-stack pool choice (§2.5)", () => {
    const pools = Object.freeze([pool("v4only", ["10.0.0.0/31"]), pool("v6only", ["fd00::/127"]), pool("both", ["10.1.0.0/32", "fd01::/127"])]);
    const alloc = (desc: string, s: Step["svc"], want: string): Step => ({ desc, op: "allocate", svc: s, want });
    scenario(pools, [
      alloc("RequireDualStack: the first pool with both families free", dual("r1"), "ok 10.1.0.0,fd01:: from both"),
      alloc("RequireDualStack: no pool has both free", dual("r2"), "POOL_EXHAUSTED"),
      alloc("PreferDualStack, IPv4 primary: first pool with the primary family", prefer("p1"), "ok 10.0.0.0 from v4only"),
      alloc("PreferDualStack, IPv6 primary", prefer("p2", { primary: "ipv6" }), "ok fd00:: from v6only"),
      alloc("PreferDualStack, IPv6 primary, again", prefer("p3", { primary: "ipv6" }), "ok fd00::1 from v6only"),
      alloc("primary family in a later pool beats the secondary in an earlier one", prefer("p4", { primary: "ipv6" }), "ok fd01::1 from both"),
      alloc("only the secondary family is left", prefer("p5", { primary: "ipv6" }), "ok 10.0.0.1 from v4only"),
      alloc("nothing left", prefer("p6"), "POOL_EXHAUSTED"),
      alloc("SingleStack with two clusterIPs is malformed", dual("p7", { policy: "SingleStack" }), "INVALID_REQUEST"),
    ]);
  });

  test("allocation results are frozen, inputs stay intact", () => {
    const a = new Allocator();
    const pools = [pool("p", ["10.0.0.0/30", "fd00::/126"])];
    a.setPools(pools);
    const r = a.allocate(dual("d"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.isFrozen(r.value)).toBe(true);
    expect(Object.isFrozen(r.value.ips)).toBe(true);
    expect(Object.isFrozen(a.ips("default/d"))).toBe(true);
    expect(a.pool("default/d")).toBe("p");
    expect(a.pool("default/none")).toBeUndefined();
    expect(a.ips("default/none")).toEqual([]);
  });
});
