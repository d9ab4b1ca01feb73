import { describe, expect, test } from "vitest";
import { formatIp, formatPrefix, parseIp, parsePrefix } from "@ironlb/core/ip";
import type { Community } from "@ironlb/core/config";
import type { ServiceDecision } from "./decide.ts";
import { buildDesired } from "./desired.ts";
import type { ServiceRoute } from "./bgp-verdict.ts";

const std = (hi: number, lo: number): Community => ({ kind: "standard", value: hi * 65536 + lo });
const large = (g: number, a: number, b: number): Community => ({ kind: "large", globalAdmin: g, localData1: a, localData2: b });

function l2(key: string, ips: string[], interfaces?: string[]): ServiceDecision {
  return { key, ips: ips.map(parseIp), pool: "l2", layer2: { announce: true, interfaces, owner: "me" }, bgp: { announce: false, reason: "notOwner" } };
}

function route(prefix: string, localPref: number, communities: Community[] = [], peers: string[] = []): ServiceRoute {
  return { prefix: parsePrefix(prefix), localPref, communities, peers };
}

function bgp(key: string, ips: string[], routes: ServiceRoute[]): ServiceDecision {
  return { key, ips: ips.map(parseIp), pool: "edge", layer2: { announce: false, reason: "noMatchingAdvertisement", owner: undefined }, bgp: { announce: true, routes } };
}

function withdrawn(key: string): ServiceDecision {
  return { key, ips: [parseIp("198.51.100.9")], pool: "l2", layer2: { announce: false, reason: "notOwner", owner: "other" }, bgp: { announce: false, reason: "notOwner" } };
}

describe("buildDesired: layer 2", () => {
  const rows = [
    { desc: "nothing announced", decisions: [withdrawn("ns/a")], want: [] },
    { desc: "one Service, all interfaces", decisions: [l2("ns/a", ["198.51.100.1"])], want: [{ ip: "198.51.100.1", interfaces: undefined, services: ["ns/a"] }] },
    {
      desc: "dual-stack Service: both IPs",
      decisions: [l2("ns/a", ["2001:db8::1", "198.51.100.1"], ["eth0"])],
      want: [
        { ip: "198.51.100.1", interfaces: ["eth0"], services: ["ns/a"] },
        { ip: "2001:db8::1", interfaces: ["eth0"], services: ["ns/a"] },
      ],
    },
    {
      desc: "a shared IP is one announcement; interfaces unioned and sorted",
      decisions: [l2("ns/b", ["198.51.100.1"], ["eth1"]), l2("ns/a", ["198.51.100.1"], ["eth0"])],
      want: [{ ip: "198.51.100.1", interfaces: ["eth0", "eth1"], services: ["ns/a", "ns/b"] }],
    },
    {
      desc: "a shared IP: all interfaces wins",
      decisions: [l2("ns/a", ["198.51.100.1"], ["eth0"]), l2("ns/b", ["198.51.100.1"])],
      want: [{ ip: "198.51.100.1", interfaces: undefined, services: ["ns/a", "ns/b"] }],
    },
    {
      desc: "IPs in ascending order",
      decisions: [l2("ns/a", ["198.51.100.10"]), l2("ns/b", ["198.51.100.9"]), withdrawn("ns/c")],
      want: [
        { ip: "198.51.100.9", interfaces: undefined, services: ["ns/b"] },
        { ip: "198.51.100.10", interfaces: undefined, services: ["ns/a"] },
      ],
    },
  ];
  test.each(rows)("$desc", ({ decisions, want }) => {
    const d = buildDesired(decisions, []);
    expect(d.layer2.map((a) => ({ ip: formatIp(a.ip), interfaces: a.interfaces, services: a.services }))).toEqual(want);
    expect(d.bgp.size).toBe(0);
  });
});

describe("buildDesired: BGP", () => {
  const show = (d: ReturnType<typeof buildDesired>) =>
    Object.fromEntries(
      [...d.bgp].map(([peer, routes]) => [
        peer,
        routes.map((r) => ({ prefix: formatPrefix(r.prefix), localPref: r.localPref, communities: r.communities, large: r.largeCommunities, services: r.services })),
      ]),
    );

  test("every session gets an entry, even an empty one (withdraw all)", () => {
    expect(show(buildDesired([withdrawn("ns/a")], ["tor", "rr"]))).toEqual({ rr: [], tor: [] });
  });

  test("per-advertisement peer lists; empty means every peer", () => {
    const d = buildDesired([bgp("ns/a", ["203.0.113.7"], [route("203.0.113.7/32", 100), route("203.0.113.0/24", 0, [], ["tor"])])], ["tor", "rr"]);
    expect(show(d)).toEqual({
      rr: [{ prefix: "203.0.113.7/32", localPref: 100, communities: [], large: [], services: ["ns/a"] }],
      tor: [
        { prefix: "203.0.113.0/24", localPref: undefined, communities: [], large: [], services: ["ns/a"] },
        { prefix: "203.0.113.7/32", localPref: 100, communities: [], large: [], services: ["ns/a"] },
      ],
    });
  });

  test("a route naming only peers without a session on this node goes nowhere", () => {
    expect(show(buildDesired([bgp("ns/a", ["203.0.113.7"], [route("203.0.113.7/32", 0, [], ["elsewhere"])])], ["tor"]))).toEqual({ tor: [] });
  });

  test("the same prefix from two Services: one route, communities unioned and sorted", () => {
    const d = buildDesired(
      [
        bgp("ns/b", ["203.0.113.9"], [route("203.0.113.0/24", 200, [std(64512, 2), large(64512, 1, 1)])]),
        bgp("ns/a", ["203.0.113.7"], [route("203.0.113.0/24", 200, [std(64512, 1), std(64512, 2), large(1, 2, 3)])]),
      ],
      ["tor"],
    );
    expect(show(d)).toEqual({
      tor: [
        {
          prefix: "203.0.113.0/24",
          localPref: 200,
          communities: [64512 * 65536 + 1, 64512 * 65536 + 2],
          large: [
            { global: 1, local1: 2, local2: 3 },
            { global: 64512, local1: 1, local2: 1 },
          ],
          services: ["ns/a", "ns/b"],
        },
      ],
    });
    expect(d.conflicts).toEqual([]);
  });

  test("two LOCAL_PREFs for one prefix: the first Service in key order wins, the clash is reported", () => {
    const d = buildDesired([bgp("ns/b", ["203.0.113.9"], [route("203.0.113.0/24", 300)]), bgp("ns/a", ["203.0.113.7"], [route("203.0.113.0/24", 100)])], ["tor"]);
    expect(show(d).tor?.[0]?.localPref).toBe(100);
    expect(d.conflicts).toEqual([{ peer: "tor", prefix: "203.0.113.0/24", kept: { service: "ns/a", localPref: 100 }, dropped: [{ service: "ns/b", localPref: 300 }] }]);
  });

  test("the input is not mutated and the output is stable", () => {
    const decisions = [bgp("ns/a", ["203.0.113.7"], [route("203.0.113.7/32", 100, [std(1, 2)])]), l2("ns/c", ["198.51.100.1"])];
    const before = JSON.stringify(decisions, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const a = buildDesired(decisions, ["tor"]);
    const b = buildDesired([...decisions].reverse(), ["tor"]);
    expect(show(a)).toEqual(show(b));
    expect(JSON.stringify(decisions, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).toBe(before);
  });
});
