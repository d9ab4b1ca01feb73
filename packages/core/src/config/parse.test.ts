import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatPrefix, parseIp } from "../ip/index.ts";
import { formatCommunity } from "./community.ts";
import { formatIssue } from "./issues.ts";
import { parseConfig } from "./parse.ts";
import { issues, mustParse, runScenarios, y, type Scenario } from "./scenarios.fixtures.ts";
import { summarizeConfig } from "./summary.ts";

const structure: Scenario[] = [
  { desc: "an empty file is an empty config", yaml: "", want: { peers: [], pools: [], bfdProfiles: [], communities: {} } },
  { desc: "comments only", yaml: "# nothing yet\n", want: { peers: [], pools: [] } },
  { desc: "an empty mapping", yaml: "{}\n", want: { peers: [], pools: [] } },
  { desc: "null sections", yaml: "peers:\naddress-pools: ~\nbgp-communities: null\n", want: { peers: [], pools: [] } },
  { desc: "a scalar is not a config", yaml: "foo:<>$@$2r24j90", wantErrors: [{ code: "INVALID_TYPE", path: "", line: 1 }] },
  { desc: "a list is not a config", yaml: "- a\n", wantErrors: [{ code: "INVALID_TYPE", path: "", line: 1 }] },
  { desc: "broken YAML", yaml: "peers:\n- my-asn: 1\n  peer-asn: [2\n", wantErrors: [{ code: "YAML_SYNTAX", path: "", line: 4 }] },
  { desc: "tabs for indentation", yaml: "peers:\n\t- my-asn: 1\n", wantErrors: [{ code: "YAML_SYNTAX", path: "", line: 2 }] },
  { desc: "several documents", yaml: "peers: []\n---\naddress-pools: []\n", wantErrors: [{ code: "YAML_SYNTAX", path: "", line: 2 }] },
  { desc: "an unknown alias", yaml: "peers: *nope\n", wantErrors: [{ code: "YAML_SYNTAX", path: "peers", line: 1 }] },
  { desc: "an unknown top-level key", yaml: "address-pool: []\n", wantErrors: [{ code: "UNKNOWN_KEY", path: "address-pool", line: 1 }] },
  { desc: "MetalLB's peer-autodiscovery is not part of the format", yaml: "peer-autodiscovery: {}\n", wantErrors: [{ code: "UNKNOWN_KEY", path: "peer-autodiscovery", line: 1 }] },
  { desc: "peers as a mapping", yaml: "peers: {a: b}\n", wantErrors: [{ code: "INVALID_TYPE", path: "peers", line: 1 }] },
  { desc: "a key written twice", yaml: "peers: []\npeers: []\n", wantErrors: [{ code: "DUPLICATE_KEY", path: "peers", line: 2 }] },
  {
    desc: "a key written twice inside a pool, the rest still checked",
    yaml: "address-pools:\n- name: a\n  name: b\n  protocol: layer2\n  addresses: [198.51.100.0/33]\n",
    wantErrors: [
      { code: "DUPLICATE_KEY", path: "address-pools[0].name", line: 3 },
      { code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 5 },
    ],
  },
  {
    desc: "anchors, aliases and merge keys are followed",
    yaml: y`
      peers:
      - &tor
        my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
        hold-time: 9s
      - <<: *tor
        peer-address: 10.99.0.2
    `,
    want: { peers: [{ peerAddress: parseIp("10.99.0.1"), holdTime: 9 }, { peerAddress: parseIp("10.99.0.2"), holdTime: 9 }] },
  },
  {
    desc: "an unknown key arriving through a merge is still unknown",
    yaml: "defaults: &d {my-asn: 1}\n",
    wantErrors: [{ code: "UNKNOWN_KEY", path: "defaults", line: 1 }],
  },
  {
    desc: "a merge key that points at a list of scalars",
    yaml: "peers:\n- <<: [a]\n  my-asn: 1\n  peer-asn: 2\n  peer-address: 10.99.0.1\n",
    wantErrors: [{ code: "INVALID_TYPE", path: `peers[0]["<<"]`, line: 2 }],
  },
];

runScenarios("document structure", structure);

describe("a file with three mistakes reports three errors", () => {
  const yaml = y`
    peers:
    - my-asn: 64500
      peer-asn: 64501
      peer-address: 10.99.0.1
      hold-time: 2s
    address-pools:
    - name: lan
      protocol: layer2
      addresses:
      - 198.51.100.0/24
      - 10.0.0.0/33
    - name: edge
      protocol: bgp
      addresses: [203.0.113.0/24]
      bgp-advertisements:
      - communities: [no-such-alias]
  `;
  const result = parseConfig(yaml);

  it("with codes, paths and lines", () => {
    expect(result.ok).toBe(false);
    expect(issues(result, "errors")).toEqual([
      { code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 },
      { code: "INVALID_CIDR", path: "address-pools[0].addresses[1]", line: 11 },
      { code: "UNKNOWN_COMMUNITY_ALIAS", path: "address-pools[1].bgp-advertisements[0].communities[0]", line: 16 },
    ]);
  });

  it("each printed as `path: message (line N)`", () => {
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual([
      'peers[0].hold-time: invalid hold time "2s": must be 0 or >=3s (line 5)',
      'address-pools[0].addresses[1]: invalid CIDR "10.0.0.0/33" in pool "lan": length 33 exceeds 32 (line 11)',
      'address-pools[1].bgp-advertisements[0].communities[0]: invalid community "no-such-alias" in BGP advertisement: no such alias in bgp-communities (a literal is A:B or large:G:L1:L2) (line 16)',
    ]);
  });

  it("with columns pointing at the value", () => {
    expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column])).toEqual([
      [5, 14],
      [11, 5],
      [16, 19],
    ]);
  });
});

describe("a config using every feature", () => {
  // Modelled on MetalLB's "config using all features" case, plus IronLB's extensions.
  const config = mustParse(y`
    peers:
    - my-asn: 42
      peer-asn: 142
      peer-address: 1.2.3.4
      peer-port: 1179
      hold-time: 180s
      router-id: 10.20.30.40
      source-address: 10.20.30.40
      password: hunter2
    - name: rr
      my-asn: 100
      peer-asn: 100
      peer-address: 2001:db8:ffff::1
      keepalive-time: 10s
      graceful-restart: true
      password-secret: {name: rr-auth}
      bfd-profile: slow
      node-selectors:
      - match-labels:
          foo: bar
        match-expressions:
          - {key: bar, operator: In, values: [quux]}
    bfd-profiles:
    - name: slow
      receive-interval: 1000
    bgp-communities:
      bar: 64512:1234
      big: large:64512:7:9
    address-pools:
    - name: pool1
      protocol: bgp
      addresses:
      - 10.20.0.0/16
      - 10.50.0.0/24
      - 2001:db8:1::/64
      avoid-buggy-ips: true
      auto-assign: false
      bgp-advertisements:
      - aggregation-length: 32
        localpref: 100
        communities: ["bar", "1234:2345", big]
      - aggregation-length: 24
        aggregation-length-v6: 64
        peers: [rr]
      service-allocation:
        priority: 5
        namespaces: [prod]
    - name: pool3
      protocol: layer2
      addresses:
      - 40.0.0.0/25
      - 40.0.0.150-40.0.0.200
      - 40.0.0.210 - 40.0.0.240
      layer2:
        interfaces: [eth1]
    - name: pool4
      protocol: layer2
      addresses:
      - 2001:db8::/64
  `);

  it("resolves peers", () => {
    expect(config.peers.map((p) => [p.name, p.myAsn, p.peerAsn, p.peerPort, p.holdTime, p.keepaliveTime])).toEqual([
      ["1.2.3.4:1179", 42, 142, 1179, 180, null],
      ["rr", 100, 100, 179, 30, 10],
    ]);
    expect(config.peers[1]?.passwordSecret).toEqual({ name: "rr-auth", namespace: null });
  });

  it("resolves pools, ranges and advertisements", () => {
    expect(config.pools.map((p) => p.name)).toEqual(["pool1", "pool3", "pool4"]);
    expect(config.pools[1]?.cidrs.map(formatPrefix)).toEqual([
      "40.0.0.0/25",
      "40.0.0.150/31",
      "40.0.0.152/29",
      "40.0.0.160/27",
      "40.0.0.192/29",
      "40.0.0.200/32",
      "40.0.0.210/31",
      "40.0.0.212/30",
      "40.0.0.216/29",
      "40.0.0.224/28",
      "40.0.0.240/32",
    ]);
    const advs = config.pools[0]?.bgpAdvertisements ?? [];
    expect(advs.map((a) => a.communities.map(formatCommunity))).toEqual([["1234:2345", "64512:1234", "large:64512:7:9"], []]);
    expect(advs.map((a) => [a.aggregationLength, a.aggregationLengthV6, a.localPref, a.peers])).toEqual([
      [32, 128, 100, []],
      [24, 64, 0, ["rr"]],
    ]);
    expect(config.pools[0]?.serviceAllocation).toEqual({ priority: 5, namespaces: ["prod"], namespaceSelectors: [], serviceSelectors: [] });
    expect(config.pools[1]?.layer2.interfaces).toEqual(["eth1"]);
  });

  it("keeps the aliases", () => {
    expect(Object.keys(config.communities)).toEqual(["bar", "big"]);
  });
});

// ---- properties --------------------------------------------------------

/** Valid configs, built as plain objects and printed with the yaml package. */
const validConfig = fc
  .record({
    pools: fc.array(
      fc.record({
        protocol: fc.constantFrom("layer2", "bgp"),
        v6: fc.boolean(),
        range: fc.boolean(),
        avoid: fc.option(fc.boolean(), { nil: undefined }),
        auto: fc.option(fc.boolean(), { nil: undefined }),
        aggs: fc.uniqueArray(fc.integer({ min: 16, max: 32 }), { maxLength: 3 }),
        community: fc.oneof(
          fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([a, b]) => `${a}:${b}`),
          fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, b, c]) => `large:${a}:${b}:${c}`),
        ),
      }),
      { maxLength: 6 },
    ),
    peers: fc.array(
      fc.record({
        myAsn: fc.integer({ min: 1, max: 4294967295 }),
        peerAsn: fc.integer({ min: 1, max: 4294967295 }),
        hold: fc.constantFrom(undefined, "0", "3s", "90s", "1m30s", "1.5h", "4m20.5s"),
        port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ pools, peers }) => ({
    peers: peers.map((p, i) => ({
      "my-asn": p.myAsn,
      "peer-asn": p.peerAsn,
      "peer-address": `10.99.${i}.1`,
      ...(p.hold === undefined ? {} : { "hold-time": p.hold }),
      ...(p.port === undefined ? {} : { "peer-port": p.port }),
    })),
    "address-pools": pools.map((p, i) => ({
      name: `pool-${i}`,
      protocol: p.protocol,
      addresses: [p.range ? `10.${i}.0.10-10.${i}.255.200` : `10.${i}.0.0/16`, ...(p.v6 ? [`2001:db8:${i}::/64`] : [])],
      ...(p.avoid === undefined ? {} : { "avoid-buggy-ips": p.avoid }),
      ...(p.auto === undefined ? {} : { "auto-assign": p.auto }),
      ...(p.protocol === "bgp" && p.aggs.length > 0
        ? { "bgp-advertisements": p.aggs.map((agg, j) => ({ "aggregation-length": p.range ? 32 - j : agg, localpref: 0, communities: j === 0 ? [p.community] : [] })) }
        : {}),
    })),
  }));

function everythingFrozen(value: unknown, path = "config"): string[] {
  if (value === null || typeof value !== "object") return [];
  const out = Object.isFrozen(value) ? [] : [path];
  for (const [k, v] of Object.entries(value)) out.push(...everythingFrozen(v, `${path}.${k}`));
  return out;
}

describe("parseConfig properties", () => {
  it("accepts the generated valid configs; the result is deeply frozen", () => {
    fc.assert(
      fc.property(validConfig, (raw) => {
        const result = parseConfig(stringify(raw));
        expect(issues(result, "errors")).toEqual([]);
        if (!result.ok) return;
        expect(everythingFrozen(result.config)).toEqual([]);
        expect(Object.isFrozen(result.warnings)).toBe(true);
        expect(result.config.pools).toHaveLength(raw["address-pools"].length);
        expect(result.config.peers).toHaveLength(raw.peers.length);
      }),
      { numRuns: 100 },
    );
  });

  it("is deterministic: the same text gives equal results", () => {
    fc.assert(
      fc.property(validConfig, (raw) => {
        const text = stringify(raw);
        expect(parseConfig(text)).toEqual(parseConfig(text));
        expect(summarizeConfig(mustParse(text))).toEqual(summarizeConfig(mustParse(text)));
      }),
      { numRuns: 25 },
    );
  });

  it("never throws on damaged configs, and every problem has a code and a line inside the file", () => {
    const damaged = fc.tuple(validConfig, fc.array(fc.tuple(fc.nat(), fc.constantFrom("", "-", ":", " ", "\n", "0", "[", "x", "/", "\t", "&a", "*a")), { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(damaged, ([raw, edits]) => {
        let text = stringify(raw);
        for (const [at, insert] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + (insert === "" ? 1 : 0));
        }
        const result = parseConfig(text);
        const lines = text.split("\n").length;
        for (const issue of [...(result.ok ? [] : result.errors), ...result.warnings]) {
          expect(issue.code).toMatch(/^[A-Z0-9_]+$/);
          expect(issue.line).toBeGreaterThanOrEqual(1);
          expect(issue.line).toBeLessThanOrEqual(lines);
          expect(issue.message.length).toBeGreaterThan(0);
        }
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = parseConfig(text);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });
});
