// Per-pool counters and owners per address (reference §2.5 "Capacity
// counting", §4 allocator gauges), after MetalLB's TestPoolCount and
// TestPoolMetrics. Totals are exact bigints: no MaxInt64 for a /64, and no
// negative count for a buggy /32 (MetalLB's poolCount subtracts both ends of
// a /32 that is .0, giving -1).
import { describe, expect, test } from "vitest";
import { parseIp } from "../ip/index.ts";
import { Allocator } from "./allocator.ts";
import { outcome, pool, svc } from "./pool.fixtures.ts";

describe("counters: usable addresses (TestPoolCount)", () => {
  test.each([
    { desc: "/24", cidrs: ["1.2.3.0/24"], avoid: false, ipv4: 256n, ipv6: 0n },
    { desc: "/24 and /25", cidrs: ["1.2.3.0/24", "2.3.4.128/25"], avoid: false, ipv4: 384n, ipv6: 0n },
    { desc: "/24 and /25, no buggy IPs", cidrs: ["1.2.3.0/24", "2.3.4.128/25"], avoid: true, ipv4: 381n, ipv6: 0n },
    { desc: "a big IPv6 range, exact", cidrs: ["1.2.3.0/24", "2.3.4.128/25", "1000::/64"], avoid: true, ipv4: 381n, ipv6: 1n << 64n },
    { desc: "IPv4 and IPv6, buggy .0 at the start of a /31", cidrs: ["1.2.3.0/31", "1000::/127"], avoid: true, ipv4: 1n, ipv6: 2n },
    { desc: "a buggy /32 counts 0", cidrs: ["1.2.3.0/32", "1.2.3.255/32", "1.2.3.7/32"], avoid: true, ipv4: 1n, ipv6: 0n },
    { desc: "/16 without .0 and .255", cidrs: ["10.0.0.0/16"], avoid: true, ipv4: 65536n - 512n, ipv6: 0n },
    { desc: "a range across a /24 boundary", cidrs: ["10.0.0.250-10.0.1.5"], avoid: true, ipv4: 10n, ipv6: 0n },
    { desc: "a whole IPv6 /0", cidrs: ["::/0"], avoid: false, ipv4: 0n, ipv6: 1n << 128n },
  ])("$desc", ({ cidrs, avoid, ipv4, ipv6 }) => {
    const a = new Allocator();
    a.setPools([pool("p", cidrs, { avoidBuggyIps: avoid })]);
    expect(a.counters("p")).toEqual({
      ipv4: { total: ipv4, inUse: 0n, available: ipv4 },
      ipv6: { total: ipv6, inUse: 0n, available: ipv6 },
      services: 0,
    });
  });
});

describe("counters: in use (TestPoolMetrics)", () => {
  test("a shared address counts once; services count each", () => {
    const a = new Allocator();
    a.setPools([pool("test", ["1.2.3.4/30", "1000::4/126"])]);
    const steps: [string, () => unknown, bigint, number][] = [
      ["assign s1", () => a.assign(svc("s1"), [parseIp("1.2.3.4")]), 1n, 1],
      ["assign s2", () => a.assign(svc("s2"), [parseIp("1.2.3.5")]), 2n, 2],
      ["unassign s1", () => a.unassign("default/s1"), 1n, 1],
      ["unassign s2", () => a.unassign("default/s2"), 0n, 0],
      ["assign s1 shared", () => a.assign(svc("s1", { share: "key", ports: ["tcp/80"] }), [parseIp("1.2.3.4")]), 1n, 1],
      ["assign s2 shared", () => a.assign(svc("s2", { share: "key", ports: ["tcp/443"] }), [parseIp("1.2.3.4")]), 1n, 2],
      ["assign s3 shared", () => a.assign(svc("s3", { share: "key", ports: ["tcp/23"] }), [parseIp("1.2.3.4")]), 1n, 3],
      ["unassign s1 shared", () => a.unassign("default/s1"), 1n, 2],
      ["unassign s2 shared", () => a.unassign("default/s2"), 1n, 1],
      ["unassign s3 shared", () => a.unassign("default/s3"), 0n, 0],
    ];
    for (const [desc, run, inUse, services] of steps) {
      run();
      expect(a.counters("test"), desc).toEqual({
        ipv4: { total: 4n, inUse, available: 4n - inUse },
        ipv6: { total: 4n, inUse: 0n, available: 4n },
        services,
      });
    }
    expect(outcome(a.assign(svc("d", { family: "dual" }), [parseIp("1.2.3.6"), parseIp("1000::5")]))).toBe("ok 1.2.3.6,1000::5 from test");
    expect(a.counters("test")).toMatchObject({ ipv4: { inUse: 1n }, ipv6: { inUse: 1n }, services: 1 });
    a.setPools([]);
    expect(a.counters("test")).toBeUndefined();
  });
});

describe("owners per address (for `ironlb status`)", () => {
  test("every used address with its pool, key and holders, sorted by address", () => {
    const a = new Allocator();
    a.setPools([pool("p", ["10.0.0.0/30", "fd00::/126"]), pool("q", ["10.0.1.0/30"])]);
    a.allocate(svc("ns/web", { share: "k", ports: ["tcp/80"] }));
    a.allocate(svc("ns/dns", { share: "k", ports: ["udp/53"] }));
    a.allocate(svc("ns/v6", { family: "ipv6" }));
    a.allocateFromPool(svc("ns/q1"), "q");
    a.allocate(svc("ns/alone"));
    expect(a.owners().map((o) => [o.ip.family === "ipv4" ? o.ip.value : `v6:${o.ip.value}`, o.pool, o.sharingKey, o.services])).toEqual([
      [parseIp("10.0.0.0").value, "p", "k", ["ns/dns", "ns/web"]],
      [parseIp("10.0.0.1").value, "p", "", ["ns/alone"]],
      [parseIp("10.0.1.0").value, "q", "", ["ns/q1"]],
      [`v6:${parseIp("fd00::").value}`, "p", "", ["ns/v6"]],
    ]);
    expect(a.servicesOn(parseIp("10.0.0.0"))).toEqual(["ns/dns", "ns/web"]);
    expect(a.servicesOn(parseIp("10.0.0.3"))).toEqual([]);
    expect(a.poolNames()).toEqual(["p", "q"]);
  });
});
