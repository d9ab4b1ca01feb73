import { describe, expect, it } from "vitest";
import { formatPrefix } from "../ip/index.ts";
import { parseConfig } from "./parse.ts";
import { issues, mustParse, runScenarios, y, type Scenario } from "./scenarios.fixtures.ts";
import type { Config } from "./types.ts";

/** One layer2 pool: line 1 `address-pools:`, 2 name, 3 protocol, 4 `addresses:`, entries from line 5. */
const l2Pool = (...addresses: string[]) => `address-pools:\n- name: lan\n  protocol: layer2\n  addresses:\n${addresses.map((a) => `  - ${a}\n`).join("")}`;

const cidrsOf = (c: Config, pool = 0) => (c.pools[pool]?.cidrs ?? []).map(formatPrefix);

const table: Scenario[] = [
  {
    desc: "a layer2 pool with MetalLB's defaults",
    yaml: l2Pool("198.51.100.16/28"),
    want: {
      pools: [
        {
          name: "lan",
          protocol: "layer2",
          avoidBuggyIps: false,
          autoAssign: true,
          bgpAdvertisements: [],
          serviceAllocation: null,
          layer2: { interfaces: [], nodeSelectors: [] },
          addresses: [{ kind: "cidr", text: "198.51.100.16/28" }],
        },
      ],
    },
  },
  // name
  {
    desc: "a pool without name",
    yaml: "address-pools:\n- protocol: layer2\n  addresses: [198.51.100.16/28]\n",
    wantErrors: [{ code: "MISSING_FIELD", path: "address-pools[0].name", line: 2 }],
  },
  {
    desc: "an empty pool entry lacks name, protocol and addresses",
    yaml: "address-pools:\n-\n",
    wantErrors: [
      { code: "MISSING_FIELD", path: "address-pools[0].name", line: 2 },
      { code: "MISSING_FIELD", path: "address-pools[0].protocol", line: 2 },
      { code: "MISSING_FIELD", path: "address-pools[0].addresses", line: 2 },
    ],
  },
  {
    desc: "a pool name used twice",
    yaml: y`
      address-pools:
      - name: pool1
        protocol: bgp
        addresses: [198.51.100.16/28]
      - name: pool1
        protocol: bgp
        addresses: [198.51.100.32/28]
      - name: pool2
        protocol: bgp
        addresses: [198.51.100.48/28]
    `,
    wantErrors: [{ code: "DUPLICATE_POOL", path: "address-pools[1].name", line: 5 }],
  },
  { desc: "a number as a pool name is its text", yaml: "address-pools:\n- name: 2024\n  protocol: layer2\n  addresses: [198.51.100.16/28]\n", want: { pools: [{ name: "2024" }] } },
  // protocol
  { desc: "protocol bgp", yaml: "address-pools:\n- name: p\n  protocol: bgp\n  addresses: [198.51.100.16/28]\n", want: { pools: [{ protocol: "bgp" }] } },
  {
    desc: "protocol missing",
    yaml: "address-pools:\n- name: pool1\n  addresses: [198.51.100.16/28]\n",
    wantErrors: [{ code: "MISSING_FIELD", path: "address-pools[0].protocol", line: 2 }],
  },
  {
    desc: "unknown protocol",
    yaml: "address-pools:\n- name: pool1\n  protocol: babel\n  addresses: [198.51.100.16/28]\n",
    wantErrors: [{ code: "INVALID_PROTOCOL", path: "address-pools[0].protocol", line: 3 }],
  },
  {
    desc: "the pre-0.5 protocol name arp is gone",
    yaml: "address-pools:\n- name: pool1\n  protocol: arp\n  addresses: [198.51.100.16/28]\n",
    wantErrors: [{ code: "INVALID_PROTOCOL", path: "address-pools[0].protocol", line: 3 }],
  },
  // addresses
  { desc: "no addresses", yaml: "address-pools:\n- name: pool1\n  protocol: bgp\n", wantErrors: [{ code: "MISSING_FIELD", path: "address-pools[0].addresses", line: 2 }] },
  { desc: "empty addresses", yaml: "address-pools:\n- name: pool1\n  protocol: bgp\n  addresses: []\n", wantErrors: [{ code: "MISSING_FIELD", path: "address-pools[0].addresses", line: 4 }] },
  { desc: "addresses as a string", yaml: "address-pools:\n- name: p\n  protocol: bgp\n  addresses: 198.51.100.0/24\n", wantErrors: [{ code: "INVALID_TYPE", path: "address-pools[0].addresses", line: 4 }] },
  { desc: "IPv6 CIDR", yaml: l2Pool("2001:db8::/64"), want: (c) => expect(cidrsOf(c)).toEqual(["2001:db8::/64"]) },
  { desc: "invalid CIDR address", yaml: l2Pool("100.200.300.400/24"), wantErrors: [{ code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "IPv4 prefix length 33", yaml: l2Pool("198.51.100.0/33"), wantErrors: [{ code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "IPv6 prefix length 129", yaml: l2Pool("2001:db8::/129"), wantErrors: [{ code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "a bare address is not a CIDR", yaml: l2Pool("198.51.100.7"), wantErrors: [{ code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "an empty entry", yaml: l2Pool('""'), wantErrors: [{ code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 }] },
  {
    desc: "a range splits into the minimal CIDRs",
    yaml: l2Pool("40.0.0.150-40.0.0.200"),
    want: (c) => expect(cidrsOf(c)).toEqual(["40.0.0.150/31", "40.0.0.152/29", "40.0.0.160/27", "40.0.0.192/29", "40.0.0.200/32"]),
  },
  {
    desc: "spaces around the dash",
    yaml: l2Pool("40.0.0.210 - 40.0.0.240"),
    want: (c) => expect(cidrsOf(c)).toEqual(["40.0.0.210/31", "40.0.0.212/30", "40.0.0.216/29", "40.0.0.224/28", "40.0.0.240/32"]),
  },
  { desc: "a one-address range", yaml: l2Pool("198.51.100.7-198.51.100.7"), want: (c) => expect(cidrsOf(c)).toEqual(["198.51.100.7/32"]) },
  { desc: "an IPv6 range", yaml: l2Pool("2001:db8::10-2001:db8::1f"), want: (c) => expect(cidrsOf(c)).toEqual(["2001:db8::10/124"]) },
  { desc: "a reversed range", yaml: l2Pool("1.2.3.10-1.2.3.1"), wantErrors: [{ code: "INVALID_RANGE", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "a range across families", yaml: l2Pool("1.2.3.1-2001:db8::1"), wantErrors: [{ code: "INVALID_RANGE", path: "address-pools[0].addresses[0]", line: 5 }] },
  { desc: "a range of garbage", yaml: l2Pool("a-b"), wantErrors: [{ code: "INVALID_RANGE", path: "address-pools[0].addresses[0]", line: 5 }] },
  {
    desc: "CIDRs keep config order across entries",
    yaml: l2Pool("198.51.100.64/28", "198.51.100.16/28", "2001:db8::/120"),
    want: (c) => {
      expect(cidrsOf(c)).toEqual(["198.51.100.64/28", "198.51.100.16/28", "2001:db8::/120"]);
      expect(c.pools[0]?.addresses.map((a) => a.text)).toEqual(["198.51.100.64/28", "198.51.100.16/28", "2001:db8::/120"]);
    },
  },
  // overlap
  {
    desc: "overlap inside a pool",
    yaml: l2Pool("198.51.100.0/24", "198.51.100.128/25"),
    wantErrors: [{ code: "CIDR_OVERLAP", path: "address-pools[0].addresses[1]", line: 6 }],
  },
  {
    desc: "exact duplicate across pools",
    yaml: y`
      address-pools:
      - name: pool1
        protocol: bgp
        addresses: [10.0.0.0/8]
      - name: pool2
        protocol: bgp
        addresses:
        - 10.0.0.0/8
    `,
    wantErrors: [{ code: "CIDR_OVERLAP", path: "address-pools[1].addresses[0]", line: 8 }],
  },
  {
    desc: "a CIDR inside another pool's CIDR",
    yaml: y`
      address-pools:
      - name: pool1
        protocol: bgp
        addresses: [10.0.0.0/16]
      - name: pool2
        protocol: bgp
        addresses: [10.0.0.0/8]
    `,
    wantErrors: [{ code: "CIDR_OVERLAP", path: "address-pools[1].addresses[0]", line: 7 }],
  },
  { desc: "a range overlapping a CIDR", yaml: l2Pool("198.51.100.0/28", "198.51.100.10-198.51.100.20"), wantErrors: [{ code: "CIDR_OVERLAP", path: "address-pools[0].addresses[1]", line: 6 }] },
  { desc: "adjacent ranges do not overlap", yaml: l2Pool("198.51.100.10-198.51.100.19", "198.51.100.20-198.51.100.29"), want: { pools: [{ name: "lan" }] } },
  { desc: "IPv4 and IPv6 never overlap", yaml: l2Pool("0.0.0.0/0", "::/0"), want: { pools: [{ name: "lan" }] } },
  // avoid-buggy-ips, auto-assign
  { desc: "avoid-buggy-ips and auto-assign set", yaml: l2Pool("198.51.100.16/28") + "  avoid-buggy-ips: true\n  auto-assign: false\n", want: { pools: [{ avoidBuggyIps: true, autoAssign: false }] } },
  { desc: "auto-assign not a boolean", yaml: l2Pool("198.51.100.16/28") + "  auto-assign: 1\n", wantErrors: [{ code: "INVALID_TYPE", path: "address-pools[0].auto-assign", line: 6 }] },
  { desc: "unknown pool key", yaml: l2Pool("198.51.100.16/28") + "  autoassign: false\n", wantErrors: [{ code: "UNKNOWN_KEY", path: "address-pools[0].autoassign", line: 6 }] },
  // bgp-advertisements and layer2 belong to their protocol
  {
    desc: "bgp-advertisements in a layer2 pool",
    yaml: l2Pool("10.0.0.0/16") + "  bgp-advertisements:\n  - communities: [flarb]\n",
    wantErrors: [{ code: "BGP_ADVERTISEMENTS_IN_LAYER2_POOL", path: "address-pools[0].bgp-advertisements", line: 6 }],
  },
  { desc: "an empty bgp-advertisements list in a layer2 pool", yaml: l2Pool("198.51.100.16/28") + "  bgp-advertisements: []\n", want: { pools: [{ bgpAdvertisements: [] }] } },
  {
    desc: "layer2 settings",
    yaml: l2Pool("198.51.100.16/28") + "  layer2:\n    interfaces: [eth0, bond0.100]\n    node-selectors:\n    - match-labels: {l2: ok}\n",
    want: { pools: [{ layer2: { interfaces: ["eth0", "bond0.100"], nodeSelectors: [{ matchLabels: { l2: "ok" }, matchExpressions: [] }] } }] },
  },
  {
    desc: "layer2 settings in a bgp pool",
    yaml: "address-pools:\n- name: p\n  protocol: bgp\n  addresses: [198.51.100.16/28]\n  layer2:\n    interfaces: [eth0]\n",
    wantErrors: [{ code: "LAYER2_SETTINGS_IN_BGP_POOL", path: "address-pools[0].layer2", line: 5 }],
  },
  {
    desc: "interface names Linux would refuse",
    yaml: l2Pool("198.51.100.16/28") + "  layer2:\n    interfaces: [averyveryverylongname, 'eth 0', eth0, eth0]\n",
    wantErrors: [
      { code: "INVALID_NAME", path: "address-pools[0].layer2.interfaces[0]", line: 7 },
      { code: "INVALID_NAME", path: "address-pools[0].layer2.interfaces[1]", line: 7 },
      { code: "DUPLICATE_ENTRY", path: "address-pools[0].layer2.interfaces[3]", line: 7 },
    ],
  },
  { desc: "unknown key under layer2", yaml: l2Pool("198.51.100.16/28") + "  layer2:\n    interface: eth0\n", wantErrors: [{ code: "UNKNOWN_KEY", path: "address-pools[0].layer2.interface", line: 7 }] },
  // service-allocation (reference §1b)
  {
    desc: "service-allocation with every field",
    yaml:
      l2Pool("198.51.100.16/28") +
      "  service-allocation:\n    priority: 10\n    namespaces: [payments, billing]\n    namespace-selectors:\n    - match-labels: {team: pay}\n    service-selectors:\n    - match-expressions: [{key: tier, operator: In, values: [gold]}]\n",
    want: {
      pools: [
        {
          serviceAllocation: {
            priority: 10,
            namespaces: ["payments", "billing"],
            namespaceSelectors: [{ matchLabels: { team: "pay" }, matchExpressions: [] }],
            serviceSelectors: [{ matchLabels: {}, matchExpressions: [{ key: "tier", operator: "In", values: ["gold"] }] }],
          },
        },
      ],
    },
  },
  {
    desc: "an empty service-allocation matches every service (priority only)",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation: {}\n",
    want: { pools: [{ serviceAllocation: { priority: 0, namespaces: [], namespaceSelectors: [], serviceSelectors: [] } }] },
  },
  { desc: "a null service-allocation is absent", yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n", want: { pools: [{ serviceAllocation: null }] } },
  {
    desc: "a namespace listed twice",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n    namespaces: [a, b, a]\n",
    wantErrors: [{ code: "DUPLICATE_ENTRY", path: "address-pools[0].service-allocation.namespaces[2]", line: 7 }],
  },
  {
    desc: "a namespace that cannot exist",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n    namespaces: [Payments]\n",
    wantErrors: [{ code: "INVALID_NAME", path: "address-pools[0].service-allocation.namespaces[0]", line: 7 }],
  },
  {
    desc: "the same service selector twice",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n    service-selectors:\n    - match-labels: {a: b}\n    - match-labels: {a: b}\n",
    wantErrors: [{ code: "DUPLICATE_SELECTOR", path: "address-pools[0].service-allocation.service-selectors[1]", line: 9 }],
  },
  {
    desc: "the same namespace selector twice, values in another order",
    yaml:
      l2Pool("198.51.100.16/28") +
      "  service-allocation:\n    namespace-selectors:\n    - match-expressions: [{key: a, operator: In, values: [x, y]}]\n    - match-expressions: [{key: a, operator: In, values: [y, x]}]\n",
    wantErrors: [{ code: "DUPLICATE_SELECTOR", path: "address-pools[0].service-allocation.namespace-selectors[1]", line: 9 }],
  },
  {
    desc: "a value repeated inside one expression",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n    service-selectors:\n    - match-expressions: [{key: a, operator: In, values: [x, x]}]\n",
    wantErrors: [{ code: "DUPLICATE_ENTRY", path: "address-pools[0].service-allocation.service-selectors[0].match-expressions[0].values[1]", line: 8 }],
  },
  {
    desc: "priority must be an integer",
    yaml: l2Pool("198.51.100.16/28") + "  service-allocation:\n    priority: high\n",
    wantErrors: [{ code: "INVALID_TYPE", path: "address-pools[0].service-allocation.priority", line: 7 }],
  },
  {
    desc: "the CRD spelling serviceAllocation",
    yaml: l2Pool("198.51.100.16/28") + "  serviceAllocation: {}\n",
    wantErrors: [{ code: "UNKNOWN_KEY", path: "address-pools[0].serviceAllocation", line: 6 }],
  },
  // warnings
  {
    desc: "warning: host bits set",
    yaml: l2Pool("198.51.100.7/29"),
    want: (c) => expect(cidrsOf(c)).toEqual(["198.51.100.0/29"]),
    wantWarnings: [
      { code: "CIDR_HOST_BITS", path: "address-pools[0].addresses[0]", line: 5 },
      { code: "BUGGY_IPS_ASSIGNABLE", path: "address-pools[0].addresses[0]", line: 5 },
    ],
  },
  {
    desc: "warning: .0 and .255 handed out without avoid-buggy-ips",
    yaml: l2Pool("198.51.100.16/28", "198.51.100.200-198.51.100.255"),
    wantWarnings: [{ code: "BUGGY_IPS_ASSIGNABLE", path: "address-pools[0].addresses[1]", line: 6 }],
  },
  { desc: "no warning with avoid-buggy-ips", yaml: l2Pool("198.51.100.0/24") + "  avoid-buggy-ips: true\n", wantWarnings: [] },
  { desc: "no warning for IPv6", yaml: l2Pool("2001:db8::/64"), wantWarnings: [] },
  {
    desc: "warning: a bgp pool with no peers",
    yaml: "address-pools:\n- name: p\n  protocol: bgp\n  addresses: [198.51.100.16/28]\n",
    wantWarnings: [{ code: "NO_BGP_PEERS", path: "address-pools[0].protocol", line: 3 }],
  },
];

runScenarios("address pools", table);

describe("address pools: dependent checks are skipped, independent ones are not", () => {
  it("an invalid entry is not overlap-checked, but its valid siblings are", () => {
    const result = parseConfig(l2Pool("198.51.100.0/33", "198.51.100.16/28", "198.51.100.20/32"));
    expect(issues(result, "errors")).toEqual([
      { code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 },
      { code: "CIDR_OVERLAP", path: "address-pools[0].addresses[2]", line: 7 },
    ]);
  });

  it("a pool with a broken name still claims its addresses for the overlap rule", () => {
    const result = parseConfig(
      y`
        address-pools:
        - protocol: layer2
          addresses: [198.51.100.16/28]
        - name: b
          protocol: layer2
          addresses: [198.51.100.16/28]
      `,
    );
    expect(issues(result, "errors")).toEqual([
      { code: "MISSING_FIELD", path: "address-pools[0].name", line: 2 },
      { code: "CIDR_OVERLAP", path: "address-pools[1].addresses[0]", line: 6 },
    ]);
  });

  it("names the overlapping CIDRs in MetalLB's words", () => {
    const result = parseConfig(
      y`
        address-pools:
        - {name: a, protocol: layer2, addresses: [40.0.0.0/25]}
        - {name: b, protocol: layer2, addresses: [40.0.0.100-40.0.0.200]}
      `,
    );
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([
      'CIDR "40.0.0.100/30" in pool "b" overlaps with already defined CIDR "40.0.0.0/25" in pool "a"',
    ]);
  });

  it("a pool of 1000 range entries is checked quickly and correctly", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => `2001:db8:${i.toString(16)}::1-2001:db8:${i.toString(16)}::ffff`);
    const config = mustParse(l2Pool(...entries));
    expect(config.pools[0]?.addresses).toHaveLength(1000);
  });
});
