import { describe, expect, it } from "vitest";
import { formatCommunity } from "./community.ts";
import { parseConfig } from "./parse.ts";
import { issues, runScenarios, y, type Scenario } from "./scenarios.fixtures.ts";

/**
 * Two peers (lines 1-3: `peers:`, tor-a eBGP, rr iBGP), communities (4-6),
 * then one bgp pool: line 7 `address-pools:`, 8 name, 9 protocol, 10 addresses,
 * 11 `bgp-advertisements:`, advertisements from line 12, then avoid-buggy-ips
 * (so that the .0/.255 warning stays out of these tables).
 */
const pool = (addresses: string, advertisements: string) =>
  [
    "peers:",
    "- {name: tor-a, my-asn: 64512, peer-asn: 64513, peer-address: 10.99.0.1}",
    "- {name: rr, my-asn: 64512, peer-asn: 64512, peer-address: 10.99.0.2}",
    "bgp-communities:",
    "  no-advertise: 65535:65282",
    "  edge: large:64512:100:1",
    "address-pools:",
    "- name: edge",
    "  protocol: bgp",
    `  addresses: [${addresses}]`,
    "  bgp-advertisements:",
    advertisements,
    "  avoid-buggy-ips: true",
    "",
  ].join("\n");

const DEFAULT = { aggregationLength: 32, aggregationLengthV6: 128, localPref: 0, communities: [], peers: [] };

const table: Scenario[] = [
  {
    desc: "no bgp-advertisements: one default advertisement",
    yaml: "peers: [{my-asn: 1, peer-asn: 2, peer-address: 10.99.0.1}]\naddress-pools:\n- {name: p, protocol: bgp, addresses: [203.0.113.0/24]}\n",
    want: { pools: [{ bgpAdvertisements: [DEFAULT] }] },
  },
  { desc: "an empty list: one default advertisement", yaml: pool("203.0.113.0/24", "  []").replace("  bgp-advertisements:\n  []", "  bgp-advertisements: []"), want: { pools: [{ bgpAdvertisements: [DEFAULT] }] } },
  { desc: "a null entry is the default advertisement", yaml: pool("203.0.113.0/24", "  -"), want: { pools: [{ bgpAdvertisements: [DEFAULT] }] } },
  // aggregation lengths
  {
    desc: "aggregation-length 24 on a /24",
    yaml: pool("203.0.113.0/24", "  - aggregation-length: 24"),
    want: { pools: [{ bgpAdvertisements: [{ ...DEFAULT, aggregationLength: 24 }] }] },
  },
  { desc: "aggregation-length 33", yaml: pool("203.0.113.0/24", "  - aggregation-length: 33"), wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 12 }] },
  { desc: "aggregation-length negative", yaml: pool("203.0.113.0/24", "  - aggregation-length: -1"), wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 12 }] },
  {
    desc: "aggregation-length shorter than an entry's prefix",
    yaml: pool("10.20.30.40/24, 1.2.3.0/28", "  - aggregation-length: 26"),
    wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 12 }],
    wantWarnings: [{ code: "CIDR_HOST_BITS", path: "address-pools[0].addresses[0]", line: 10 }],
  },
  {
    desc: "a range is judged by its widest CIDR: 3.3.3.2-3.3.3.254 splits down to a /26 and allows 26",
    yaml: pool("3.3.3.2-3.3.3.254", "  - aggregation-length: 26"),
    want: { pools: [{ bgpAdvertisements: [{ aggregationLength: 26 }] }] },
  },
  {
    desc: "a range is judged by its widest CIDR: 3.3.3.2-3.3.3.254 refuses 25",
    yaml: pool("3.3.3.2-3.3.3.254", "  - aggregation-length: 25"),
    wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 12 }],
  },
  {
    desc: "aggregation-length-v6 64 on a /64",
    yaml: pool("2001:db8:cafe::/64", "  - aggregation-length-v6: 64"),
    want: { pools: [{ bgpAdvertisements: [{ ...DEFAULT, aggregationLengthV6: 64 }] }] },
  },
  { desc: "aggregation-length-v6 129", yaml: pool("2001:db8:cafe::/64", "  - aggregation-length-v6: 129"), wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length-v6", line: 12 }] },
  {
    desc: "aggregation-length-v6 shorter than the /64",
    yaml: pool("2001:db8:cafe::/64", "  - aggregation-length-v6: 48"),
    wantErrors: [{ code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length-v6", line: 12 }],
  },
  {
    desc: "only entries of the matching family are checked",
    yaml: pool("2001:db8:cafe::/64", "  - {aggregation-length: 8, aggregation-length-v6: 64}"),
    want: { pools: [{ bgpAdvertisements: [{ aggregationLength: 8, aggregationLengthV6: 64 }] }] },
  },
  // localpref
  { desc: "localpref", yaml: pool("203.0.113.0/24", "  - localpref: 100"), want: { pools: [{ bgpAdvertisements: [{ localPref: 100 }] }] } },
  { desc: "localpref beyond uint32", yaml: pool("203.0.113.0/24", "  - localpref: 4294967296"), wantErrors: [{ code: "OUT_OF_RANGE", path: "address-pools[0].bgp-advertisements[0].localpref", line: 12 }] },
  { desc: "localpref quoted", yaml: pool("203.0.113.0/24", '  - localpref: "100"'), wantErrors: [{ code: "INVALID_TYPE", path: "address-pools[0].bgp-advertisements[0].localpref", line: 12 }] },
  // communities
  {
    desc: "alias, literal and large communities, sorted standard first",
    yaml: pool("203.0.113.0/24", '  - communities: [edge, "large:1:2:3", no-advertise, "1234:2345"]'),
    want: (c) =>
      expect(c.pools[0]?.bgpAdvertisements[0]?.communities.map(formatCommunity)).toEqual(["1234:2345", "65535:65282", "large:1:2:3", "large:64512:100:1"]),
  },
  {
    desc: "an unknown alias",
    yaml: pool("203.0.113.0/24", "  - communities: [flarb]"),
    wantErrors: [{ code: "UNKNOWN_COMMUNITY_ALIAS", path: "address-pools[0].bgp-advertisements[0].communities[0]", line: 12 }],
  },
  {
    desc: "malformed literals",
    yaml: pool("203.0.113.0/24", '  - communities: ["99999999:1", "1:99999999", "1:2:3", "large:1:2"]'),
    wantErrors: [
      { code: "INVALID_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[0]", line: 12 },
      { code: "INVALID_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[1]", line: 12 },
      { code: "INVALID_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[2]", line: 12 },
      { code: "INVALID_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[3]", line: 12 },
    ],
  },
  {
    desc: "a community twice",
    yaml: pool("203.0.113.0/24", '  - communities: ["1:1", "1:1"]'),
    wantErrors: [{ code: "DUPLICATE_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[1]", line: 12 }],
  },
  {
    desc: "an alias and a literal of the same value",
    yaml: pool("203.0.113.0/24", '  - communities: [no-advertise, "65535:65282"]'),
    wantErrors: [{ code: "DUPLICATE_COMMUNITY", path: "address-pools[0].bgp-advertisements[0].communities[1]", line: 12 }],
  },
  {
    desc: "an alias with a broken value is reported where it is defined, once",
    yaml: y`
      bgp-communities:
        flarb: 99999999:1
      address-pools:
      - name: pool1
        protocol: bgp
        addresses: [203.0.113.0/24]
        bgp-advertisements:
        - communities: [flarb]
    `,
    wantErrors: [{ code: "INVALID_COMMUNITY", path: "bgp-communities.flarb", line: 2 }],
  },
  {
    desc: "an alias defined twice",
    yaml: "bgp-communities:\n  a: 1:1\n  a: 1:2\n",
    wantErrors: [{ code: "DUPLICATE_KEY", path: "bgp-communities.a", line: 3 }],
  },
  { desc: "bgp-communities must be a mapping", yaml: "bgp-communities: [1:1]\n", wantErrors: [{ code: "INVALID_TYPE", path: "bgp-communities", line: 1 }] },
  { desc: "an alias for a large community", yaml: "bgp-communities:\n  big: large:1:2:3\n", want: { communities: { big: { kind: "large", globalAdmin: 1, localData1: 2, localData2: 3 } } } },
  // peers (extension)
  { desc: "advertisement to named peers", yaml: pool("203.0.113.0/24", "  - peers: [tor-a]"), want: { pools: [{ bgpAdvertisements: [{ peers: ["tor-a"] }] }] } },
  {
    desc: "a peer without name is referenced by its address",
    yaml: "peers: [{my-asn: 1, peer-asn: 2, peer-address: 10.99.0.9, peer-port: 1179}]\naddress-pools:\n- {name: p, protocol: bgp, addresses: [203.0.113.0/24], bgp-advertisements: [{peers: ['10.99.0.9:1179']}]}\n",
    want: { pools: [{ bgpAdvertisements: [{ peers: ["10.99.0.9:1179"] }] }] },
  },
  { desc: "an unknown peer", yaml: pool("203.0.113.0/24", "  - peers: [tor-b]"), wantErrors: [{ code: "UNKNOWN_PEER", path: "address-pools[0].bgp-advertisements[0].peers[0]", line: 12 }] },
  {
    desc: "a peer named twice",
    yaml: pool("203.0.113.0/24", "  - peers: [tor-a, tor-a]"),
    wantErrors: [{ code: "DUPLICATE_ENTRY", path: "address-pools[0].bgp-advertisements[0].peers[1]", line: 12 }],
  },
  { desc: "unknown advertisement key", yaml: pool("203.0.113.0/24", "  - local-pref: 100"), wantErrors: [{ code: "UNKNOWN_KEY", path: "address-pools[0].bgp-advertisements[0].local-pref", line: 12 }] },
  // equal advertisements
  {
    desc: "two equal advertisements",
    yaml: pool("203.0.113.0/24", "  - aggregation-length: 32\n  - {}"),
    wantErrors: [{ code: "DUPLICATE_ADVERTISEMENT", path: "address-pools[0].bgp-advertisements[1]", line: 13 }],
  },
  {
    desc: "equal once aliases are resolved and order is ignored",
    yaml: pool("203.0.113.0/24", '  - communities: [no-advertise, "1:1"]\n  - communities: ["1:1", "65535:65282"]'),
    wantErrors: [{ code: "DUPLICATE_ADVERTISEMENT", path: "address-pools[0].bgp-advertisements[1]", line: 13 }],
  },
  // LOCAL_PREF compatibility (reference §1b)
  {
    desc: "different localpref, same aggregation: refused",
    yaml: pool("203.0.113.0/24", "  - localpref: 100\n  - localpref: 200"),
    wantErrors: [{ code: "INCOMPATIBLE_LOCAL_PREF", path: "address-pools[0].bgp-advertisements[1].localpref", line: 13 }],
  },
  {
    desc: "different localpref, different aggregation: fine",
    yaml: pool("203.0.113.0/24", "  - {localpref: 100, aggregation-length: 32}\n  - {localpref: 200, aggregation-length: 24}"),
    want: { pools: [{ bgpAdvertisements: [{ localPref: 100 }, { localPref: 200 }] }] },
  },
  {
    desc: "dual-stack pool: the IPv6 length must differ too",
    yaml: pool("203.0.113.0/24, 2001:db8:cafe::/64", "  - {localpref: 100, aggregation-length: 32}\n  - {localpref: 200, aggregation-length: 24}"),
    wantErrors: [{ code: "INCOMPATIBLE_LOCAL_PREF", path: "address-pools[0].bgp-advertisements[1].localpref", line: 13 }],
  },
  {
    desc: "dual-stack pool: both lengths differ",
    yaml: pool("203.0.113.0/24, 2001:db8:cafe::/64", "  - {localpref: 100}\n  - {localpref: 200, aggregation-length: 24, aggregation-length-v6: 64}"),
    want: { pools: [{ bgpAdvertisements: [{ localPref: 100 }, { localPref: 200 }] }] },
  },
  {
    desc: "IPv6-only pool: a different IPv4 length does not tell them apart",
    yaml: pool("2001:db8:cafe::/64", "  - {localpref: 100}\n  - {localpref: 200, aggregation-length: 24}"),
    wantErrors: [{ code: "INCOMPATIBLE_LOCAL_PREF", path: "address-pools[0].bgp-advertisements[1].localpref", line: 13 }],
  },
  {
    desc: "disjoint peers: fine",
    yaml: pool("203.0.113.0/24", "  - {localpref: 100, peers: [rr]}\n  - {localpref: 200, peers: [tor-a]}"),
    want: { pools: [{ bgpAdvertisements: [{ peers: ["rr"] }, { peers: ["tor-a"] }] }] },
    wantWarnings: [{ code: "LOCAL_PREF_IGNORED", path: "address-pools[0].bgp-advertisements[1].localpref", line: 13 }],
  },
  {
    desc: "one advertisement to all peers, one to some: they meet",
    yaml: pool("203.0.113.0/24", "  - {localpref: 100}\n  - {localpref: 200, peers: [rr]}"),
    wantErrors: [{ code: "INCOMPATIBLE_LOCAL_PREF", path: "address-pools[0].bgp-advertisements[1].localpref", line: 13 }],
  },
  // warnings
  {
    desc: "warning: localpref to eBGP peers only",
    yaml: pool("203.0.113.0/24", "  - {localpref: 100, peers: [tor-a]}"),
    wantWarnings: [{ code: "LOCAL_PREF_IGNORED", path: "address-pools[0].bgp-advertisements[0].localpref", line: 12 }],
  },
  { desc: "no warning when an iBGP peer gets it", yaml: pool("203.0.113.0/24", "  - {localpref: 100}"), wantWarnings: [] },
];

runScenarios("bgp advertisements", table);

describe("bgp advertisements: independent mistakes are all reported", () => {
  it("an advertisement with three problems reports three errors", () => {
    const result = parseConfig(pool("203.0.113.0/24", "  - aggregation-length: 33\n    localpref: -5\n    communities: [nope]"));
    expect(issues(result, "errors")).toEqual([
      { code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 12 },
      { code: "OUT_OF_RANGE", path: "address-pools[0].bgp-advertisements[0].localpref", line: 13 },
      { code: "UNKNOWN_COMMUNITY_ALIAS", path: "address-pools[0].bgp-advertisements[0].communities[0]", line: 14 },
    ]);
  });

  it("advertisements of a pool with a bad protocol are still checked", () => {
    const result = parseConfig("address-pools:\n- name: p\n  protocol: bpg\n  addresses: [203.0.113.0/24]\n  bgp-advertisements:\n  - aggregation-length: 40\n");
    expect(issues(result, "errors")).toEqual([
      { code: "INVALID_PROTOCOL", path: "address-pools[0].protocol", line: 3 },
      { code: "INVALID_AGGREGATION_LENGTH", path: "address-pools[0].bgp-advertisements[0].aggregation-length", line: 6 },
    ]);
  });
});
