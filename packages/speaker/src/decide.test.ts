import { describe, expect, test } from "vitest";
import { formatIp } from "@ironlb/core/ip";
import type { ServiceObject } from "@ironlb/core/service";
import { decideService, type ServiceDecision } from "./decide.ts";
import { BASE_CONFIG, config, ctx, readyOn, service, slice, type CtxSpec, type SvcSpec } from "./decision.fixtures.ts";
import { NO_ENDPOINTS, summarizeEndpoints, type EndpointSummary } from "./endpoints.ts";
import type { WithdrawReason } from "./reasons.ts";

// Election orders, computed independently with coreutils:
//   printf '%s' 'node-a#198.51.100.1' | sha256sum
// 198.51.100.1:   node-c (6ce45894) < node-a (90259367) < node-b (ab92b491)
// 198.51.100.2:   node-b (200591e0) < node-c (b4627399) < node-a (ea868b1d)
// 2001:db8:51::1: node-a (00d00302) < node-c (af2e9daf) < node-b (bb7d03f3)

interface Row {
  readonly desc: string;
  readonly ctx: CtxSpec;
  /** undefined: the Service was deleted. */
  readonly svc: SvcSpec | undefined;
  readonly endpoints?: EndpointSummary;
  readonly wantL2: { readonly announce: true; readonly owner: string; readonly interfaces?: readonly string[] } | { readonly announce: false; readonly reason: WithdrawReason; readonly owner?: string };
  readonly wantBgp: { readonly announce: true; readonly prefixes: readonly string[] } | { readonly announce: false; readonly reason: WithdrawReason };
  readonly wantPool?: string;
}

const L2_IP = ["198.51.100.1"];
const BGP_IP = ["203.0.113.7"];
const everywhere = readyOn("node-a", "node-b", "node-c");
const notOwnerBgp = { announce: false, reason: "notOwner" } as const;

const rows: readonly Row[] = [
  // Common checks (reference §3 step 1): both protocols withdraw with the same reason.
  { desc: "deleted Service", ctx: { me: "node-c" }, svc: undefined, wantL2: { announce: false, reason: "serviceDeleted" }, wantBgp: { announce: false, reason: "serviceDeleted" } },
  { desc: "ClusterIP Service", ctx: { me: "node-c" }, svc: { type: "ClusterIP", ips: L2_IP }, wantL2: { announce: false, reason: "notLoadBalancer" }, wantBgp: { announce: false, reason: "notLoadBalancer" } },
  { desc: "another loadBalancerClass", ctx: { me: "node-c" }, svc: { ips: L2_IP, lbClass: "other" }, wantL2: { announce: false, reason: "otherLoadBalancerClass" }, wantBgp: { announce: false, reason: "otherLoadBalancerClass" } },
  { desc: "our loadBalancerClass", ctx: { me: "node-c", lbClass: "ironlb" }, svc: { ips: L2_IP, lbClass: "ironlb" }, endpoints: everywhere, wantL2: { announce: true, owner: "node-c" }, wantBgp: notOwnerBgp, wantPool: "l2" },
  { desc: "a class configured, Service without one", ctx: { me: "node-c", lbClass: "ironlb" }, svc: { ips: L2_IP }, wantL2: { announce: false, reason: "otherLoadBalancerClass" }, wantBgp: { announce: false, reason: "otherLoadBalancerClass" } },
  { desc: "no IP yet", ctx: { me: "node-c" }, svc: { ips: [] }, wantL2: { announce: false, reason: "noIPAllocated" }, wantBgp: { announce: false, reason: "noIPAllocated" } },
  { desc: "an IP that does not parse", ctx: { me: "node-c" }, svc: { ips: ["198.51.100.1", "not-an-ip"] }, wantL2: { announce: false, reason: "invalidIP" }, wantBgp: { announce: false, reason: "invalidIP" } },
  { desc: "a hostname-only ingress entry", ctx: { me: "node-c" }, svc: { hostnames: ["lb.example"] }, wantL2: { announce: false, reason: "invalidIP" }, wantBgp: { announce: false, reason: "invalidIP" } },
  { desc: "an IP outside every pool", ctx: { me: "node-c" }, svc: { ips: ["192.0.2.1"] }, endpoints: everywhere, wantL2: { announce: false, reason: "ipNotAllowed" }, wantBgp: { announce: false, reason: "ipNotAllowed" } },
  { desc: "IPs of two different pools", ctx: { me: "node-c" }, svc: { ips: ["198.51.100.1", "203.0.113.1"] }, endpoints: everywhere, wantL2: { announce: false, reason: "ipNotAllowed" }, wantBgp: { announce: false, reason: "ipNotAllowed" } },

  // Layer 2 election (§3.1).
  { desc: "L2: the first of the order announces", ctx: { me: "node-c" }, svc: { ips: L2_IP }, endpoints: everywhere, wantL2: { announce: true, owner: "node-c" }, wantBgp: notOwnerBgp, wantPool: "l2" },
  { desc: "L2: another node loses", ctx: { me: "node-a" }, svc: { ips: L2_IP }, endpoints: everywhere, wantL2: { announce: false, reason: "notOwner", owner: "node-c" }, wantBgp: notOwnerBgp },
  { desc: "L2: the owner's speaker is not live: the next takes over", ctx: { me: "node-a", live: ["node-a", "node-b"] }, svc: { ips: L2_IP }, endpoints: everywhere, wantL2: { announce: true, owner: "node-a" }, wantBgp: notOwnerBgp },
  { desc: "L2: this speaker is not live", ctx: { me: "node-c", live: ["node-a", "node-b"] }, svc: { ips: L2_IP }, endpoints: everywhere, wantL2: { announce: false, reason: "speakerNotReady", owner: "node-a" }, wantBgp: notOwnerBgp },
  { desc: "L2: a live speaker without a Node object is no candidate", ctx: { me: "node-a", nodes: { "node-a": {}, "node-b": {} }, live: ["node-a", "node-b", "node-c"] }, svc: { ips: L2_IP }, endpoints: everywhere, wantL2: { announce: true, owner: "node-a" }, wantBgp: notOwnerBgp },
  {
    desc: "L2: the owner has NetworkUnavailable: removed from the candidates",
    ctx: { me: "node-a", nodes: { "node-a": {}, "node-b": {}, "node-c": { networkUnavailable: true } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: true, owner: "node-a" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: NetworkUnavailable=False changes nothing",
    ctx: { me: "node-c", nodes: { "node-a": {}, "node-b": {}, "node-c": { networkUnavailable: false } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: true, owner: "node-c" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: this node has NetworkUnavailable",
    ctx: { me: "node-c", nodes: { "node-a": {}, "node-b": {}, "node-c": { networkUnavailable: true } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: false, reason: "nodeNetworkUnavailable", owner: "node-a" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: the exclude label (any value) removes the owner",
    ctx: { me: "node-a", nodes: { "node-a": {}, "node-b": {}, "node-c": { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" } } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: true, owner: "node-a" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: this node is labelled excluded",
    ctx: { me: "node-c", nodes: { "node-a": {}, "node-b": {}, "node-c": { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "true" } } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: false, reason: "nodeLabeledExcludeBalancers", owner: "node-a" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: ignore-exclude-lb keeps the labelled owner",
    ctx: { me: "node-c", ignoreExcludeLb: true, nodes: { "node-a": {}, "node-b": {}, "node-c": { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "true" } } } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: true, owner: "node-c" },
    wantBgp: notOwnerBgp,
  },
  { desc: "L2: no endpoint can serve: withdrawn even for Cluster", ctx: { me: "node-c" }, svc: { ips: L2_IP }, endpoints: NO_ENDPOINTS, wantL2: { announce: false, reason: "noEndpoints" }, wantBgp: notOwnerBgp },
  {
    desc: "L2: only unready endpoints: withdrawn",
    ctx: { me: "node-c" },
    svc: { ips: L2_IP },
    endpoints: summarizeEndpoints([slice([{ node: "node-c", ready: false }])]),
    wantL2: { announce: false, reason: "noEndpoints" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: a terminating endpoint that still serves counts",
    ctx: { me: "node-c" },
    svc: { ips: L2_IP },
    endpoints: summarizeEndpoints([slice([{ node: "node-b", ready: false, serving: true, terminating: true }])]),
    wantL2: { announce: true, owner: "node-c" },
    wantBgp: notOwnerBgp,
  },
  { desc: "L2: ready unset counts as ready", ctx: { me: "node-c" }, svc: { ips: L2_IP }, endpoints: summarizeEndpoints([slice([{ node: "node-a", ready: null }])]), wantL2: { announce: true, owner: "node-c" }, wantBgp: notOwnerBgp },
  { desc: "L2 Local: the endpoint's node owns the IP", ctx: { me: "node-b" }, svc: { ips: L2_IP, local: true }, endpoints: readyOn("node-b"), wantL2: { announce: true, owner: "node-b" }, wantBgp: notOwnerBgp },
  { desc: "L2 Local: the hash owner without an endpoint withdraws", ctx: { me: "node-c" }, svc: { ips: L2_IP, local: true }, endpoints: readyOn("node-b"), wantL2: { announce: false, reason: "noLocalEndpoints", owner: "node-b" }, wantBgp: notOwnerBgp },
  { desc: "L2 Local: election among endpoint nodes only", ctx: { me: "node-a" }, svc: { ips: L2_IP, local: true }, endpoints: readyOn("node-a", "node-b"), wantL2: { announce: true, owner: "node-a" }, wantBgp: notOwnerBgp },
  { desc: "L2 Local: the endpoint node's speaker is dead: nobody", ctx: { me: "node-a", live: ["node-a", "node-c"] }, svc: { ips: L2_IP, local: true }, endpoints: readyOn("node-b"), wantL2: { announce: false, reason: "noLocalEndpoints" }, wantBgp: notOwnerBgp },
  { desc: "L2 dual-stack: the first IP is the key", ctx: { me: "node-a" }, svc: { ips: ["2001:db8:51::1", "198.51.100.1"] }, endpoints: everywhere, wantL2: { announce: true, owner: "node-a" }, wantBgp: notOwnerBgp },
  {
    desc: "L2: node-selectors that do not select this node",
    ctx: { me: "node-c", config: config(BASE_CONFIG.replace("addresses: [198.51.100.0/24, 2001:db8:51::/120]", "addresses: [198.51.100.0/24]\n  layer2:\n    node-selectors:\n    - match-labels: {zone: a}")), nodes: { "node-a": { labels: { zone: "a" } }, "node-b": { labels: { zone: "a" } }, "node-c": {} } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: false, reason: "noMatchingAdvertisement", owner: "node-a" },
    wantBgp: notOwnerBgp,
  },
  {
    desc: "L2: node-selectors and interfaces: the selected node answers on the pool's interfaces",
    ctx: { me: "node-a", config: config(BASE_CONFIG.replace("addresses: [198.51.100.0/24, 2001:db8:51::/120]", "addresses: [198.51.100.0/24]\n  layer2:\n    interfaces: [eth1, eth0]\n    node-selectors:\n    - match-labels: {zone: a}")), nodes: { "node-a": { labels: { zone: "a" } }, "node-b": { labels: { zone: "a" } }, "node-c": {} } },
    svc: { ips: L2_IP },
    endpoints: everywhere,
    wantL2: { announce: true, owner: "node-a", interfaces: ["eth1", "eth0"] },
    wantBgp: notOwnerBgp,
  },
  { desc: "L2: a bgp pool's IP has no layer2 advertisement", ctx: { me: "node-c" }, svc: { ips: BGP_IP }, endpoints: everywhere, wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: true, prefixes: ["203.0.113.7/32"] } },

  // BGP (§3.2).
  { desc: "BGP Cluster: every node announces", ctx: { me: "node-a" }, svc: { ips: BGP_IP }, endpoints: readyOn("node-b"), wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: true, prefixes: ["203.0.113.7/32"] }, wantPool: "edge" },
  { desc: "BGP Cluster: no endpoint anywhere", ctx: { me: "node-a" }, svc: { ips: BGP_IP }, endpoints: NO_ENDPOINTS, wantL2: { announce: false, reason: "noEndpoints" }, wantBgp: { announce: false, reason: "noEndpoints" } },
  { desc: "BGP Local: a local endpoint", ctx: { me: "node-b" }, svc: { ips: BGP_IP, local: true }, endpoints: readyOn("node-b"), wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: true, prefixes: ["203.0.113.7/32"] } },
  { desc: "BGP Local: no local endpoint", ctx: { me: "node-a" }, svc: { ips: BGP_IP, local: true }, endpoints: readyOn("node-b"), wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: false, reason: "noLocalEndpoints" } },
  {
    desc: "BGP Local: an address unready in another slice is unhealthy (false wins)",
    ctx: { me: "node-a" },
    svc: { ips: BGP_IP, local: true },
    endpoints: summarizeEndpoints([slice([{ node: "node-a", address: "10.244.1.5" }], "s1"), slice([{ node: "node-a", address: "10.244.1.5", ready: false }], "s2")]),
    wantL2: { announce: false, reason: "noMatchingAdvertisement" },
    wantBgp: { announce: false, reason: "noLocalEndpoints" },
  },
  { desc: "BGP: NetworkUnavailable", ctx: { me: "node-a", nodes: { "node-a": { networkUnavailable: true } } }, svc: { ips: BGP_IP }, endpoints: everywhere, wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: false, reason: "nodeNetworkUnavailable" } },
  {
    desc: "BGP: exclude label",
    ctx: { me: "node-a", nodes: { "node-a": { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" } } } },
    svc: { ips: BGP_IP },
    endpoints: everywhere,
    wantL2: { announce: false, reason: "noMatchingAdvertisement" },
    wantBgp: { announce: false, reason: "nodeLabeledExcludeBalancers" },
  },
  { desc: "BGP: membership does not matter", ctx: { me: "node-a", live: [] }, svc: { ips: BGP_IP }, endpoints: everywhere, wantL2: { announce: false, reason: "noMatchingAdvertisement" }, wantBgp: { announce: true, prefixes: ["203.0.113.7/32"] } },
];

function run(row: Row): ServiceDecision {
  const svc: ServiceObject | undefined = row.svc === undefined ? undefined : service(row.svc);
  return decideService(ctx(row.ctx), "default/web", svc, row.endpoints ?? everywhere);
}

describe("decideService", () => {
  test.each(rows)("$desc", (row) => {
    const frozen = row.svc === undefined ? undefined : service(row.svc);
    const snapshot = JSON.stringify(frozen);
    const d = run(row);
    const l2 = d.layer2;
    if (row.wantL2.announce) {
      expect(l2).toEqual({ announce: true, owner: row.wantL2.owner, interfaces: row.wantL2.interfaces });
    } else {
      expect(l2).toEqual({ announce: false, reason: row.wantL2.reason, owner: row.wantL2.owner });
    }
    if (row.wantBgp.announce) {
      expect(d.bgp.announce).toBe(true);
      expect(d.bgp.announce && d.bgp.routes.map((r) => `${formatIp({ family: r.prefix.family, value: r.prefix.network })}/${r.prefix.length}`)).toEqual(row.wantBgp.prefixes);
    } else {
      expect(d.bgp).toEqual(row.wantBgp);
    }
    if (row.wantPool !== undefined) expect(d.pool).toBe(row.wantPool);
    // Inputs are not mutated.
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  test("every node reaches the same owner from the same view, and exactly one announces", () => {
    for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8:51::1"]) {
      const winners = ["node-a", "node-b", "node-c"].filter((me) => decideService(ctx({ me }), "default/web", service({ ips: [ip] }), everywhere).layer2.announce);
      expect(winners).toHaveLength(1);
    }
  });

  test("two Services sharing an IP land on one node", () => {
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      const owners = ["a", "b"].map((name) => {
        const svc = service({ name, ips: [ip], annotations: { "metallb.universe.tf/allow-shared-ip": "k" } });
        return ["node-a", "node-b", "node-c"].filter((me) => decideService(ctx({ me }), `default/${name}`, svc, everywhere).layer2.announce);
      });
      expect(owners[0]).toHaveLength(1);
      expect(owners[1]).toEqual(owners[0]);
    }
  });

  test("BGP routes: aggregation, LOCAL_PREF, communities, peers per advertisement, both families", () => {
    const cfg = config(`
peers:
- {name: tor, peer-address: 10.99.0.1, peer-asn: 64512, my-asn: 64512}
- {name: rr, peer-address: 10.99.0.2, peer-asn: 64513, my-asn: 64512}
bgp-communities:
  no-advertise: 65535:65282
address-pools:
- name: edge
  protocol: bgp
  addresses: [203.0.113.0/24, 2001:db8:113::/64]
  bgp-advertisements:
  - {aggregation-length: 32, aggregation-length-v6: 128, localpref: 100, communities: [no-advertise, "64512:7"]}
  - {aggregation-length: 24, aggregation-length-v6: 64, communities: ["large:64512:100:1"], peers: [tor]}
`);
    const d = decideService(ctx({ me: "node-a", config: cfg }), "default/web", service({ ips: ["203.0.113.7", "2001:db8:113::9"] }), everywhere);
    expect(d.bgp).toEqual({
      announce: true,
      routes: [
        {
          prefix: { family: "ipv4", network: 0xcb007107n, length: 32 },
          localPref: 100,
          communities: [
            { kind: "standard", value: 64512 * 65536 + 7 },
            { kind: "standard", value: 65535 * 65536 + 65282 },
          ],
          peers: [],
        },
        { prefix: { family: "ipv4", network: 0xcb007100n, length: 24 }, localPref: 0, communities: [{ kind: "large", globalAdmin: 64512, localData1: 100, localData2: 1 }], peers: ["tor"] },
        { prefix: { family: "ipv6", network: 0x20010db8011300000000000000000009n, length: 128 }, localPref: 100, communities: expect.any(Array), peers: [] },
        { prefix: { family: "ipv6", network: 0x20010db8011300000000000000000000n, length: 64 }, localPref: 0, communities: expect.any(Array), peers: ["tor"] },
      ],
    });
  });
});
