import { describe, expect, test } from "vitest";
import { formatIp, formatPrefix, ip, type IpFamily, parseIp, parsePrefix, type Prefix } from "@ironlb/core/ip";
import type { PathAttribute } from "../attributes/types.ts";
import type { Message } from "../message.ts";
import type { UpdateMessage } from "../update.ts";
import { endOfRibFamily } from "../end-of-rib.ts";
import type { Advertisement } from "./advertisement.ts";
import { baseOptions, FakeNet } from "./session.fixtures.ts";
import type { SessionOptions } from "./options.ts";

function setup(a: Partial<SessionOptions> = {}, b: Partial<SessionOptions> = {}) {
  const net = new FakeNet();
  const sa = net.session("a", baseOptions(a));
  const sb = net.session("b", baseOptions({ localAs: 64513, peerAs: 64512, routerId: parseIp("10.0.0.2"), mode: "passive", ...b }));
  sb.start();
  sa.start();
  net.run();
  return { net, a: sa, b: sb };
}

const updates = (got: Message[]) => got.filter((m): m is UpdateMessage => m.type === "update");
const routeUpdates = (got: Message[]) => updates(got).filter((u) => endOfRibFamily(u) === undefined);
const eors = (got: Message[]) => updates(got).flatMap((u) => {
  const f = endOfRibFamily(u);
  return f === undefined ? [] : [f.afi === 1 ? "ipv4" : "ipv6"];
});
const attr = <T extends PathAttribute["type"]>(u: UpdateMessage, type: T) => u.attributes.find((a) => a.type === type) as Extract<PathAttribute, { type: T }> | undefined;

function hosts(family: IpFamily, n: number, base: string): Advertisement[] {
  const start = parseIp(base).value;
  const len = family === "ipv4" ? 32 : 128;
  return Array.from({ length: n }, (_, i) => ({ prefix: { family, network: start + BigInt(i), length: len } as Prefix }));
}

describe("Session", () => {
  test("reaches Established and reports what was negotiated", () => {
    const { net, a } = setup();
    expect(a.state).toBe("Established");
    const est = net.ends.a.events.find((e) => e.type === "established");
    expect(est).toMatchObject({ peerAs: 64513, peerRouterId: "10.0.0.2", holdTime: 9, keepaliveTime: 3, families: ["ipv4", "ipv6"], fourOctetAs: true, extendedMessage: true, routeRefresh: true, localAddress: "10.0.0.1" });
    expect(net.ends.a.events.filter((e) => e.type === "stateChanged").map((e) => e.type === "stateChanged" && e.to)).toEqual(["Connect", "OpenSent", "OpenConfirm", "Established"]);
    expect(net.ends.a.events.find((e) => e.type === "peerCapabilities")).toMatchObject({ capabilities: expect.arrayContaining([expect.objectContaining({ name: "four-octet-as", as: 64513 })]) });
  });

  test("nothing is sent until the first setAdvertisements; an empty set sends End-of-RIB only", () => {
    const { net, a } = setup();
    expect(updates(net.ends.b.got)).toEqual([]);
    a.setAdvertisements([]);
    net.run();
    expect(routeUpdates(net.ends.b.got)).toEqual([]);
    expect(eors(net.ends.b.got)).toEqual(["ipv4", "ipv6"]);
  });

  test("eBGP attributes: AS_PATH [our AS], NEXT_HOP = our address, MED, sorted de-duplicated communities, no LOCAL_PREF", () => {
    const { net, a } = setup();
    a.setAdvertisements([
      { prefix: parsePrefix("198.51.100.10/32"), med: 5, communities: [0xfde80002, 0xfde80001, 0xfde80002], largeCommunities: [{ global: 64512, local1: 2, local2: 0 }, { global: 64512, local1: 1, local2: 0 }] },
    ]);
    net.run();
    const [u] = routeUpdates(net.ends.b.got);
    expect(u?.nlri.map(formatPrefix)).toEqual(["198.51.100.10/32"]);
    expect(attr(u as UpdateMessage, "as-path")?.segments).toEqual([{ type: "sequence", asns: [64512] }]);
    expect(formatIp(attr(u as UpdateMessage, "next-hop")?.address ?? ip("ipv4", 0n))).toBe("10.0.0.1");
    expect(attr(u as UpdateMessage, "med")?.value).toBe(5);
    expect(attr(u as UpdateMessage, "communities")?.communities).toEqual([0xfde80001, 0xfde80002]);
    expect(attr(u as UpdateMessage, "large-communities")?.communities).toEqual([{ global: 64512, local1: 1, local2: 0 }, { global: 64512, local1: 2, local2: 0 }]);
    expect(attr(u as UpdateMessage, "local-pref")).toBeUndefined();
    expect(attr(u as UpdateMessage, "origin")?.origin).toBe(0);
  });

  test("iBGP attributes: empty AS_PATH, LOCAL_PREF (100 unless set)", () => {
    const { net, a } = setup({ peerAs: 64512 }, { localAs: 64512 });
    expect(a.state).toBe("Established");
    a.setAdvertisements([{ prefix: parsePrefix("198.51.100.1/32") }, { prefix: parsePrefix("198.51.100.2/32"), localPref: 300 }]);
    net.run();
    const us = routeUpdates(net.ends.b.got);
    expect(us.map((u) => [u.nlri.map(formatPrefix), attr(u, "local-pref")?.value, attr(u, "as-path")?.segments])).toEqual([
      [["198.51.100.1/32"], 100, []],
      [["198.51.100.2/32"], 300, []],
    ]);
  });

  test("IPv6 on an IPv4 session needs an IPv6 next hop: skipped and reported without one", () => {
    const { net, a } = setup();
    a.setAdvertisements([{ prefix: parsePrefix("2001:db8::1/128") }, { prefix: parsePrefix("198.51.100.1/32") }]);
    net.run();
    expect(routeUpdates(net.ends.b.got).map((u) => u.nlri.length)).toEqual([1]);
    expect(net.ends.a.events).toContainEqual({ type: "advertisementsSkipped", reason: "no-next-hop", family: "ipv6", count: 1, example: "2001:db8::1/128" });
    expect(a.counters().prefixesSkipped).toBe(1);
  });

  test("IPv6 with a configured global and link-local next hop travels in MP_REACH_NLRI", () => {
    const { net, a } = setup({ nextHop: { ipv6: parseIp("2001:db8::a"), ipv6LinkLocal: parseIp("fe80::a") } });
    a.setAdvertisements([{ prefix: parsePrefix("2001:db8:1::/64") }]);
    net.run();
    const [u] = routeUpdates(net.ends.b.got);
    const mp = attr(u as UpdateMessage, "mp-reach");
    expect(mp && [formatIp(mp.nextHop), mp.linkLocalNextHop && formatIp(mp.linkLocalNextHop), mp.nlri.map(formatPrefix)]).toEqual(["2001:db8::a", "fe80::a", ["2001:db8:1::/64"]]);
    expect(attr(u as UpdateMessage, "next-hop")).toBeUndefined();
    expect(u?.attributes[0]?.type).toBe("mp-reach"); // RFC 7606 §5.1: first
  });

  test("20k prefixes pack into few UPDATEs; withdrawing them all too (4096-byte messages)", () => {
    const { net, a, b } = setup({ extendedMessage: false, nextHop: { ipv6: parseIp("2001:db8::a") } });
    const all = [...hosts("ipv4", 10_000, "198.18.0.0"), ...hosts("ipv6", 10_000, "2001:db8:100::")];
    a.setAdvertisements(all);
    net.run();
    const sent = routeUpdates(net.ends.b.got);
    expect(sent.length).toBeLessThanOrEqual(60);
    expect(b.counters().prefixesReceived).toEqual({ ipv4: 10_000, ipv6: 10_000 });
    expect(a.counters()).toMatchObject({ prefixesAdvertised: 20_000, prefixesPending: 0 });
    net.ends.b.got.length = 0;
    a.setAdvertisements([]);
    net.run();
    expect(updates(net.ends.b.got).length).toBeLessThanOrEqual(60); // 13 IPv4 + 42 IPv6 withdrawals
    expect(b.counters().prefixesReceived).toEqual({ ipv4: 0, ipv6: 0 });
  });

  test("extended messages (RFC 8654) carry up to 65535 bytes per UPDATE", () => {
    const { net, a } = setup();
    a.setAdvertisements(hosts("ipv4", 10_000, "198.18.0.0"));
    net.run();
    const sent = routeUpdates(net.ends.b.got);
    expect(sent.length).toBe(1);
  });

  test("pending changes coalesce under backpressure: only the latest set is sent", () => {
    const { net, a, b } = setup({ extendedMessage: false });
    net.ends.a.window = 1;
    a.setAdvertisements(hosts("ipv4", 40_000, "198.18.0.0"));
    const firstWrite = routeUpdates(net.ends.b.got).length; // nothing delivered yet
    expect(firstWrite).toBe(0);
    expect(a.counters().prefixesPending).toBeGreaterThan(20_000); // one 64 KiB batch went out, the rest waits
    // Before the socket drains, the wanted set changes twice.
    a.setAdvertisements(hosts("ipv4", 30_000, "198.18.0.0"));
    const latest = hosts("ipv4", 2000, "198.19.0.0");
    a.setAdvertisements(latest);
    net.run();
    expect(b.counters().prefixesReceived.ipv4).toBe(2000);
    const announced = routeUpdates(net.ends.b.got).reduce((n, u) => n + u.nlri.length, 0);
    // The first batch (about 13k) went out before the changes; after it, only the latest set.
    expect(announced).toBeLessThan(14_000 + 2000);
    expect(a.counters().prefixesPending).toBe(0);
  });

  test("a reconnect re-sends everything, then End-of-RIB", () => {
    const { net, a, b } = setup();
    a.setAdvertisements(hosts("ipv4", 100, "198.18.0.0"));
    net.run();
    b.stop({ message: "maintenance" });
    net.run();
    expect(net.ends.a.events).toContainEqual(expect.objectContaining({ type: "notificationReceived", code: 6, subcode: 2, message: "maintenance" }));
    expect(a.state).toBe("Idle");
    net.ends.b.got.length = 0;
    b.start();
    net.advance(1000); // our idle hold (reconnect backoff)
    expect(a.state).toBe("Established");
    expect(b.counters().prefixesReceived.ipv4).toBe(100);
    expect(eors(net.ends.b.got)).toEqual(["ipv4", "ipv6"]);
  });

  test("ROUTE-REFRESH re-sends the family asked for", () => {
    const { net, a, b } = setup();
    a.setAdvertisements([...hosts("ipv4", 10, "198.18.0.0")]);
    net.run();
    const before = routeUpdates(net.ends.b.got).length;
    expect(b.requestRouteRefresh("ipv4")).toBe(true);
    net.run();
    expect(routeUpdates(net.ends.b.got).length).toBe(before + 1);
    expect(net.ends.a.events).toContainEqual({ type: "routeRefreshReceived", family: "ipv4" });
  });

  test("keepalives keep the session up; a silent peer makes our hold timer send 4/0", () => {
    const { net, a } = setup();
    net.advance(60_000);
    expect(a.state).toBe("Established");
    net.linkUp = false; // the peer freezes: nothing arrives any more
    net.advance(9000);
    expect(net.ends.a.events).toContainEqual(expect.objectContaining({ type: "notificationSent", code: 4, subcode: 0, codeName: "Hold Timer Expired" }));
    expect(net.ends.a.events).toContainEqual({ type: "stateChanged", from: "Established", to: "Idle", reason: "hold-timer-expired" });
  });

  test("graceful restart: R bit and F bits after a restart, cleared once End-of-RIB went out", () => {
    const { net, a, b } = setup({ gracefulRestart: { restartTime: 120, restarting: true } }, { gracefulRestart: { restartTime: 60 } });
    const open1 = net.ends.b.got.find((m) => m.type === "open");
    expect(open1?.type === "open" && open1.capabilities.find((c) => c.type === "graceful-restart")).toEqual({
      type: "graceful-restart",
      restarting: true,
      notification: false,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, forwardingState: true },
        { afi: 2, safi: 1, forwardingState: true },
      ],
    });
    a.setAdvertisements([]);
    net.run();
    a.stop({ graceful: true });
    net.run();
    expect(net.ends.b.got.filter((m) => m.type === "notification")).toEqual([]); // graceful: no NOTIFICATION
    expect(b.state).not.toBe("Established");
    net.ends.b.got.length = 0;
    a.start();
    net.run();
    const open2 = net.ends.b.got.find((m) => m.type === "open");
    expect(open2?.type === "open" && open2.capabilities.find((c) => c.type === "graceful-restart")).toMatchObject({ restarting: false });
  });

  test("counters count messages per type", () => {
    const { a } = setup();
    const c = a.counters();
    expect(c.messagesOut).toMatchObject({ open: 1, keepalive: 1 });
    expect(c.messagesIn).toMatchObject({ open: 1, keepalive: 1 });
    expect(c.establishedTransitions).toBe(1);
  });

  test("bad options are refused with BGP_CONFIG_INVALID", () => {
    const net = new FakeNet();
    for (const bad of [{ holdTime: 2 }, { localAs: 0 }, { routerId: parseIp("::1") }, { families: [] }, { gracefulRestart: { restartTime: 5000 } }, { nextHop: { ipv6LinkLocal: parseIp("2001:db8::1") } }]) {
      expect(() => net.session("a", baseOptions(bad as Partial<SessionOptions>))).toThrow(expect.objectContaining({ code: "BGP_CONFIG_INVALID" }));
    }
  });
});
