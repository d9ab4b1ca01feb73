import { describe, expect, it } from "vitest";
import { parsePrefix } from "../ip/index.ts";
import { mustParse, y } from "./scenarios.fixtures.ts";
import { buggyCount, summarizeConfig } from "./summary.ts";

describe("summarizeConfig", () => {
  const summary = summarizeConfig(
    mustParse(y`
      peers:
      - {name: tor-a, my-asn: 64512, peer-asn: 64513, peer-address: 10.99.0.1, hold-time: 9s}
      - {my-asn: 64512, peer-asn: 64512, peer-address: 10.99.0.2, peer-port: 1179, keepalive-time: 20s, password-secret: {name: bgp, namespace: net}}
      bgp-communities:
        no-advertise: 65535:65282
      address-pools:
      - name: lan
        protocol: layer2
        addresses: [198.51.100.0/24, 2001:db8:51::/64]
        avoid-buggy-ips: true
        layer2: {interfaces: [eth0], node-selectors: [{match-labels: {l2: "yes"}}]}
      - name: edge
        protocol: bgp
        addresses: [203.0.113.10-203.0.113.20]
        auto-assign: false
        bgp-advertisements:
        - {communities: [no-advertise, "large:1:2:3"], peers: [tor-a]}
        service-allocation: {priority: 3, namespace-selectors: [{match-labels: {team: edge}}]}
    `),
  );

  it("counts pool sizes per family exactly, a /64 included", () => {
    expect(summary.pools.map((p) => [p.name, p.size, p.assignable])).toEqual([
      ["lan", { ipv4: 256n, ipv6: 18446744073709551616n }, { ipv4: 254n, ipv6: 18446744073709551616n }],
      ["edge", { ipv4: 11n, ipv6: 0n }, { ipv4: 11n, ipv6: 0n }],
    ]);
  });

  it("lists advertisements, allocation rules and layer2 settings as text", () => {
    expect(summary.pools[1]?.advertisements).toEqual([
      { aggregationLength: 32, aggregationLengthV6: 128, localPref: 0, communities: ["65535:65282", "large:1:2:3"], peers: ["tor-a"] },
    ]);
    expect(summary.pools[1]?.serviceAllocation).toEqual({ priority: 3, namespaces: [], namespaceSelectors: ["team=edge"], serviceSelectors: [] });
    expect(summary.pools[0]?.layer2).toEqual({ interfaces: ["eth0"], nodeSelectors: ["l2=yes"] });
    expect(summary.pools[1]?.layer2).toBeNull();
  });

  it("gives peers their effective timers and session type", () => {
    expect(summary.peers.map((p) => [p.name, p.session, p.holdTime, p.keepaliveTime, p.authentication])).toEqual([
      ["tor-a", "eBGP", 9, 3, "none"],
      ["10.99.0.2:1179", "iBGP", 60, 20, "secret net/bgp"],
    ]);
  });

  it("lists community aliases", () => {
    expect(summary.communities).toEqual([{ alias: "no-advertise", value: "65535:65282" }]);
  });
});

describe("buggyCount", () => {
  it.each([
    ["198.51.100.0/24", 2n],
    ["10.0.0.0/16", 512n],
    ["198.51.100.0/25", 1n],
    ["198.51.100.128/25", 1n],
    ["198.51.100.64/26", 0n],
    ["198.51.100.255/32", 1n],
    ["198.51.100.0/32", 1n],
    ["0.0.0.0/0", 2n * 16777216n],
    ["2001:db8::/64", 0n],
  ])("%s holds %s addresses ending in .0 or .255", (cidr, n) => {
    expect(buggyCount(parsePrefix(cidr))).toBe(n);
  });
});
