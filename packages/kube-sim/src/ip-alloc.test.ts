import { describe, expect, it } from "vitest";
import { Cidr, formatIp, IpAllocator, parseIp, PortAllocator, ServiceAllocators } from "./ip-alloc.ts";

describe("IP text forms", () => {
  // [input, canonical RFC 5952 form]
  const roundTrips: [string, string][] = [
    ["10.96.0.1", "10.96.0.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["fd00:10:96::1", "fd00:10:96::1"],
    ["FD00:0010:0096:0000:0000:0000:0000:0001", "fd00:10:96::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // longest run wins, first on ties
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"],
  ];
  it.each(roundTrips)("%s -> %s", (text, canonical) => {
    const p = parseIp(text);
    expect(p).toBeDefined();
    expect(formatIp(p!.family, p!.value)).toBe(canonical);
  });

  it.each(["", "10.96.0", "10.96.0.256", "010.1.1.1", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "foo"])("rejects %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe("allocators", () => {
  it("CIDRs normalise their base and know their members", () => {
    const c = new Cidr("10.96.7.9/12");
    expect(formatIp(c.family, c.base)).toBe("10.96.0.0");
    expect(c.contains(parseIp("10.111.255.255")!)).toBe(true);
    expect(c.contains(parseIp("10.112.0.0")!)).toBe(false);
    expect(() => new Cidr("10.0.0.0/33")).toThrow();
  });

  it("never hands out the network or IPv4 broadcast address, and stops when full", () => {
    const a = new IpAllocator(new Cidr("192.0.2.0/30"), () => 0);
    expect(a.allocateSpecific(parseIp("192.0.2.0")!)).toBe("out-of-range");
    expect(a.allocateSpecific(parseIp("192.0.2.3")!)).toBe("out-of-range");
    expect([a.allocateNext(), a.allocateNext(), a.allocateNext()]).toEqual(["192.0.2.1", "192.0.2.2", undefined]);
    expect(a.allocateSpecific(parseIp("192.0.2.1")!)).toBe("in-use");
    a.release(parseIp("192.0.2.1")!);
    expect(a.allocateNext()).toBe("192.0.2.1");
    const v6 = new IpAllocator(new Cidr("fd00::/126"), () => 0.99);
    expect([v6.allocateNext(), v6.allocateNext(), v6.allocateNext(), v6.allocateNext()]).toEqual(["fd00::3", "fd00::1", "fd00::2", undefined]);
  });

  it("node ports: range, conflicts, exhaustion", () => {
    const p = new PortAllocator(30000, 30002, () => 0.5);
    expect(p.allocateSpecific(29999)).toBe("out-of-range");
    expect(p.allocateSpecific(30002)).toBe("ok");
    expect(p.allocateSpecific(30002)).toBe("in-use");
    expect([p.allocateNext(), p.allocateNext(), p.allocateNext()]).toEqual([30001, 30000, undefined]);
  });

  it("a transaction undoes its allocations on rollback and applies releases only on commit", () => {
    const pool = new ServiceAllocators({ clusterIPRanges: ["10.96.0.0/28"], nodePortRange: "30000-30010", random: () => 0 });
    const tx = pool.begin();
    expect(tx.ip("IPv4", undefined)).toEqual({ ip: "10.96.0.1" });
    expect(tx.port(30005)).toEqual({ port: 30005 });
    expect(tx.ip("IPv6", undefined)).toEqual({ error: "not-configured" });
    tx.rollback();
    expect(pool.ips[0]?.usedCount).toBe(0);
    expect(pool.nodePorts.has(30005)).toBe(false);
    const t2 = pool.begin();
    t2.ip("IPv4", "10.96.0.5");
    t2.commit();
    const t3 = pool.begin();
    t3.releaseIp("10.96.0.5");
    expect(pool.ips[0]?.has(parseIp("10.96.0.5")!)).toBe(true);
    t3.commit();
    expect(pool.ips[0]?.has(parseIp("10.96.0.5")!)).toBe(false);
  });

  it("refuses configurations the apiserver refuses", () => {
    expect(() => new ServiceAllocators({ clusterIPRanges: ["10.0.0.0/16", "10.1.0.0/16"], nodePortRange: "30000-32767", random: Math.random })).toThrow();
    expect(() => new ServiceAllocators({ clusterIPRanges: ["10.0.0.0/16"], nodePortRange: "32767-30000", random: Math.random })).toThrow();
  });
});
