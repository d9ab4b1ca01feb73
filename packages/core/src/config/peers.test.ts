import { describe, expect, it } from "vitest";
import { parseIp } from "../ip/index.ts";
import { formatIssue } from "./issues.ts";
import { parseConfig } from "./parse.ts";
import { issues, runScenarios, y, type Scenario } from "./scenarios.fixtures.ts";

/**
 * One peer: line 1 `peers:`, line 2 my-asn, 3 peer-asn, 4 peer-address, then
 * `extra` from line 5 on. A base field set to null is left out (later lines move up).
 */
function onePeer(extra: Record<string, string> = {}, base: Record<string, string | null> = {}): string {
  const fields: Record<string, string | null> = { "my-asn": "64500", "peer-asn": "64501", "peer-address": "10.99.0.1", ...base, ...extra };
  const lines = Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v], i) => `${i === 0 ? "-" : " "} ${k}: ${v}`);
  return ["peers:", ...lines, ""].join("\n");
}

const table: Scenario[] = [
  {
    desc: "a minimal peer gets MetalLB's defaults",
    yaml: onePeer(),
    want: {
      peers: [
        {
          name: "10.99.0.1",
          myAsn: 64500,
          peerAsn: 64501,
          peerAddress: parseIp("10.99.0.1"),
          peerPort: 179,
          sourceAddress: null,
          holdTime: 90,
          keepaliveTime: null,
          routerId: null,
          nodeSelectors: [],
          password: null,
          passwordSecret: null,
          bfdProfile: null,
          ebgpMultihop: false,
          gracefulRestart: false,
        },
      ],
    },
  },
  // my-asn / peer-asn
  { desc: "my-asn missing", yaml: onePeer({}, { "my-asn": null }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn 0 means missing", yaml: onePeer({ "my-asn": "0" }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn is a uint32: 4294967295 fits", yaml: onePeer({ "my-asn": "4294967295" }), want: { peers: [{ myAsn: 4294967295 }] } },
  { desc: "my-asn is a uint32: 4294967296 does not", yaml: onePeer({ "my-asn": "4294967296" }), wantErrors: [{ code: "OUT_OF_RANGE", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn negative", yaml: onePeer({ "my-asn": "-1" }), wantErrors: [{ code: "OUT_OF_RANGE", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn quoted is a string, not a number", yaml: onePeer({ "my-asn": '"64500"' }), wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn as a float", yaml: onePeer({ "my-asn": "64500.5" }), wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].my-asn", line: 2 }] },
  { desc: "my-asn in hex", yaml: onePeer({ "my-asn": "0xFBF4" }), want: { peers: [{ myAsn: 64500 }] } },
  { desc: "peer-asn missing", yaml: onePeer({}, { "peer-asn": null }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].peer-asn", line: 2 }] },
  { desc: "peer-asn 0 means missing", yaml: onePeer({ "peer-asn": "0" }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].peer-asn", line: 3 }] },
  { desc: "peer-asn out of uint32", yaml: onePeer({ "peer-asn": "99999999999" }), wantErrors: [{ code: "OUT_OF_RANGE", path: "peers[0].peer-asn", line: 3 }] },
  // addresses
  { desc: "IPv6 peer address", yaml: onePeer({ "peer-address": "fd00:99::1" }), want: { peers: [{ name: "fd00:99::1", peerAddress: parseIp("fd00:99::1") }] } },
  { desc: "invalid peer address", yaml: onePeer({ "peer-address": "1.2.3.400" }), wantErrors: [{ code: "INVALID_PEER_ADDRESS", path: "peers[0].peer-address", line: 4 }] },
  { desc: "peer address with a zone", yaml: onePeer({ "peer-address": "fe80::1%eth0" }), wantErrors: [{ code: "INVALID_PEER_ADDRESS", path: "peers[0].peer-address", line: 4 }] },
  { desc: "peer address missing", yaml: onePeer({}, { "peer-address": null }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].peer-address", line: 2 }] },
  { desc: "source address", yaml: onePeer({ "source-address": "10.99.0.10" }), want: { peers: [{ sourceAddress: parseIp("10.99.0.10") }] } },
  { desc: "invalid source address", yaml: onePeer({ "source-address": "10.99.0" }), wantErrors: [{ code: "INVALID_SOURCE_ADDRESS", path: "peers[0].source-address", line: 5 }] },
  {
    desc: "source and peer address of different families",
    yaml: onePeer({ "source-address": "fd00:99::10" }),
    wantErrors: [{ code: "ADDRESS_FAMILY_MISMATCH", path: "peers[0].source-address", line: 5 }],
  },
  // port
  { desc: "peer-port 0 means 179", yaml: onePeer({ "peer-port": "0" }), want: { peers: [{ peerPort: 179, name: "10.99.0.1" }] } },
  { desc: "peer-port 1179", yaml: onePeer({ "peer-port": "1179" }), want: { peers: [{ peerPort: 1179, name: "10.99.0.1:1179" }] } },
  { desc: "peer-port beyond uint16", yaml: onePeer({ "peer-port": "65536" }), wantErrors: [{ code: "OUT_OF_RANGE", path: "peers[0].peer-port", line: 5 }] },
  // hold-time
  { desc: "hold-time 180s", yaml: onePeer({ "hold-time": "180s" }), want: { peers: [{ holdTime: 180, keepaliveTime: null }] } },
  { desc: "hold-time 1m30s", yaml: onePeer({ "hold-time": "1m30s" }), want: { peers: [{ holdTime: 90 }] } },
  { desc: "hold-time 1.5m", yaml: onePeer({ "hold-time": "1.5m" }), want: { peers: [{ holdTime: 90 }] } },
  { desc: "hold-time 0 disables the timer", yaml: onePeer({ "hold-time": "0" }), want: { peers: [{ holdTime: 0 }] } },
  { desc: "hold-time rounds down: 3999ms is 3s", yaml: onePeer({ "hold-time": "3999ms" }), want: { peers: [{ holdTime: 3 }] } },
  { desc: "hold-time 2999ms rounds to 2s: too short", yaml: onePeer({ "hold-time": "2999ms" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time 1s", yaml: onePeer({ "hold-time": "1s" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time without a unit", yaml: onePeer({ "hold-time": "90" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time not a duration", yaml: onePeer({ "hold-time": "foo" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time negative", yaml: onePeer({ "hold-time": "-90s" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time beyond the 16-bit field", yaml: onePeer({ "hold-time": "20h" }), wantErrors: [{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 }] },
  { desc: "hold-time 65535s is the maximum", yaml: onePeer({ "hold-time": "65535s" }), want: { peers: [{ holdTime: 65535 }] } },
  // keepalive-time and the timer rules of reference §1b
  { desc: "only keepalive set: hold is 3 x keepalive", yaml: onePeer({ "keepalive-time": "10s" }), want: { peers: [{ holdTime: 30, keepaliveTime: 10 }] } },
  { desc: "only hold set: keepalive stays hold/3 (null)", yaml: onePeer({ "hold-time": "9s" }), want: { peers: [{ holdTime: 9, keepaliveTime: null }] } },
  { desc: "both set", yaml: onePeer({ "hold-time": "30s", "keepalive-time": "5s" }), want: { peers: [{ holdTime: 30, keepaliveTime: 5 }] } },
  { desc: "keepalive equal to hold", yaml: onePeer({ "hold-time": "30s", "keepalive-time": "30s" }), want: { peers: [{ holdTime: 30, keepaliveTime: 30 }] } },
  {
    desc: "keepalive above hold",
    yaml: onePeer({ "hold-time": "30s", "keepalive-time": "31s" }),
    wantErrors: [{ code: "INVALID_KEEPALIVE_TIME", path: "peers[0].keepalive-time", line: 6 }],
  },
  {
    desc: "only keepalive set, implying a hold below 3s",
    yaml: onePeer({ "keepalive-time": "500ms" }),
    wantErrors: [{ code: "INVALID_KEEPALIVE_TIME", path: "peers[0].keepalive-time", line: 5 }],
  },
  {
    desc: "keepalive rounding to 0 while hold runs",
    yaml: onePeer({ "hold-time": "90s", "keepalive-time": "500ms" }),
    wantErrors: [{ code: "INVALID_KEEPALIVE_TIME", path: "peers[0].keepalive-time", line: 6 }],
  },
  { desc: "hold 0 and keepalive 0", yaml: onePeer({ "hold-time": "0", "keepalive-time": "0" }), want: { peers: [{ holdTime: 0, keepaliveTime: 0 }] } },
  { desc: "keepalive not a duration", yaml: onePeer({ "keepalive-time": "10" }), wantErrors: [{ code: "INVALID_KEEPALIVE_TIME", path: "peers[0].keepalive-time", line: 5 }] },
  { desc: "keepalive negative", yaml: onePeer({ "keepalive-time": "-1s" }), wantErrors: [{ code: "INVALID_KEEPALIVE_TIME", path: "peers[0].keepalive-time", line: 5 }] },
  // router-id
  { desc: "router-id", yaml: onePeer({ "router-id": "10.20.30.40" }), want: { peers: [{ routerId: parseIp("10.20.30.40") }] } },
  { desc: "router-id not an address", yaml: onePeer({ "router-id": "oh god how do I BGP" }), wantErrors: [{ code: "INVALID_ROUTER_ID", path: "peers[0].router-id", line: 5 }] },
  { desc: "router-id must be IPv4 (32-bit BGP identifier)", yaml: onePeer({ "router-id": "::1" }), wantErrors: [{ code: "INVALID_ROUTER_ID", path: "peers[0].router-id", line: 5 }] },
  // password and password-secret
  { desc: "password", yaml: onePeer({ password: "s3cret" }), want: { peers: [{ password: "s3cret", passwordSecret: null }] } },
  { desc: "empty password means none", yaml: onePeer({ password: '""' }), want: { peers: [{ password: null }] } },
  { desc: "80-byte password fits TCP MD5", yaml: onePeer({ password: "x".repeat(80) }), want: { peers: [{ password: "x".repeat(80) }] } },
  { desc: "81-byte password does not", yaml: onePeer({ password: "x".repeat(81) }), wantErrors: [{ code: "INVALID_PASSWORD", path: "peers[0].password", line: 5 }] },
  { desc: "password-secret", yaml: onePeer({ "password-secret": "{name: bgp-auth}" }), want: { peers: [{ password: null, passwordSecret: { name: "bgp-auth", namespace: null } }] } },
  {
    desc: "password-secret with namespace",
    yaml: onePeer({ "password-secret": "{name: bgp-auth, namespace: network}" }),
    want: { peers: [{ passwordSecret: { name: "bgp-auth", namespace: "network" } }] },
  },
  { desc: "password-secret without name", yaml: onePeer({ "password-secret": "{namespace: network}" }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].password-secret.name", line: 5 }] },
  { desc: "password-secret with a bad name", yaml: onePeer({ "password-secret": "{name: BGP_Auth}" }), wantErrors: [{ code: "INVALID_NAME", path: "peers[0].password-secret.name", line: 5 }] },
  { desc: "password-secret with an unknown key", yaml: onePeer({ "password-secret": "{name: a, key: password}" }), wantErrors: [{ code: "UNKNOWN_KEY", path: "peers[0].password-secret.key", line: 5 }] },
  {
    desc: "password and password-secret together",
    yaml: onePeer({ password: "x", "password-secret": "{name: bgp-auth}" }),
    wantErrors: [{ code: "CONFLICTING_FIELDS", path: "peers[0].password-secret", line: 6 }],
  },
  // ebgp-multihop and graceful-restart
  { desc: "ebgp-multihop on an eBGP peer", yaml: onePeer({ "ebgp-multihop": "true" }), want: { peers: [{ ebgpMultihop: true }] } },
  {
    desc: "ebgp-multihop on an iBGP peer",
    yaml: onePeer({ "peer-asn": "64500", "ebgp-multihop": "true" }),
    wantErrors: [{ code: "EBGP_MULTIHOP_IBGP", path: "peers[0].ebgp-multihop", line: 5 }],
  },
  { desc: "ebgp-multihop false on an iBGP peer", yaml: onePeer({ "peer-asn": "64500", "ebgp-multihop": "false" }), want: { peers: [{ ebgpMultihop: false }] } },
  { desc: "graceful-restart", yaml: onePeer({ "graceful-restart": "true" }), want: { peers: [{ gracefulRestart: true }] } },
  { desc: "graceful-restart: yes (YAML 1.1, as yaml.v2 reads it)", yaml: onePeer({ "graceful-restart": "yes" }), want: { peers: [{ gracefulRestart: true }] } },
  { desc: "graceful-restart not a boolean", yaml: onePeer({ "graceful-restart": "maybe" }), wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].graceful-restart", line: 5 }] },
  { desc: 'graceful-restart "true" quoted is a string', yaml: onePeer({ "graceful-restart": '"true"' }), wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].graceful-restart", line: 5 }] },
  // unknown keys
  { desc: "unknown peer key", yaml: onePeer({ "peer-asm": "64501" }), wantErrors: [{ code: "UNKNOWN_KEY", path: "peers[0].peer-asm", line: 5 }] },
  { desc: "CRD spelling of a key", yaml: onePeer({ peerPort: "1179" }), wantErrors: [{ code: "UNKNOWN_KEY", path: "peers[0].peerPort", line: 5 }] },
  { desc: "a peer that is not a mapping", yaml: "peers:\n- 10.99.0.1\n", wantErrors: [{ code: "INVALID_TYPE", path: "peers[0]", line: 2 }] },
  // bfd-profile
  {
    desc: "bfd-profile naming a profile",
    yaml: y`
      bfd-profiles:
      - name: fast
      peers:
      - my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
        bfd-profile: fast
    `,
    want: { peers: [{ bfdProfile: "fast" }] },
    wantWarnings: [
      { code: "BFD_NOT_ACTIVE", path: "bfd-profiles", line: 1 },
      { code: "BFD_NOT_ACTIVE", path: "peers[0].bfd-profile", line: 7 },
    ],
  },
  { desc: "bfd-profile naming nothing", yaml: onePeer({ "bfd-profile": "fast" }), wantErrors: [{ code: "UNKNOWN_BFD_PROFILE", path: "peers[0].bfd-profile", line: 5 }] },
  // names and duplicates
  {
    desc: "explicit names",
    yaml: y`
      peers:
      - name: tor-a
        my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
      - name: tor-b
        my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.2
    `,
    want: { peers: [{ name: "tor-a" }, { name: "tor-b" }] },
  },
  {
    desc: "a name used twice",
    yaml: y`
      peers:
      - name: tor
        my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
      - name: tor
        my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.2
    `,
    wantErrors: [{ code: "DUPLICATE_PEER_NAME", path: "peers[1].name", line: 6 }],
  },
  { desc: "an empty name", yaml: onePeer({ name: '""' }), wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].name", line: 5 }] },
  {
    desc: "the same router for two racks: same address, different node-selectors, distinct default names",
    yaml: y`
      peers:
      - my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
        node-selectors: [{match-labels: {rack: a}}]
      - my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
        node-selectors: [{match-labels: {rack: b}}]
    `,
    want: { peers: [{ name: "10.99.0.1" }, { name: "10.99.0.1#2" }] },
  },
  {
    desc: "a default name steps aside for an explicit one that takes it",
    yaml: y`
      peers:
      - my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
      - name: 10.99.0.1
        my-asn: 64500
        peer-asn: 64502
        peer-address: 10.99.0.2
    `,
    want: { peers: [{ name: "10.99.0.1#1" }, { name: "10.99.0.1" }] },
  },
  {
    desc: "IPv6 default name with a port",
    yaml: onePeer({ "peer-address": "fd00:99::1", "peer-port": "1179" }),
    want: { peers: [{ name: "[fd00:99::1]:1179" }] },
  },
  {
    desc: "two equal peers",
    yaml: y`
      peers:
      - my-asn: 42
        peer-asn: 42
        peer-address: 1.2.3.4
      - my-asn: 42
        peer-asn: 42
        peer-address: 1.2.3.4
    `,
    wantErrors: [{ code: "DUPLICATE_PEER", path: "peers[1]", line: 5 }],
  },
  {
    desc: "two peers equal but for their names still open one session twice",
    yaml: y`
      peers:
      - {name: a, my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4}
      - {name: b, my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4}
    `,
    wantErrors: [{ code: "DUPLICATE_PEER", path: "peers[1]", line: 3 }],
  },
  {
    desc: "equal after defaults: peer-port 0 and 179 are the same peer",
    yaml: y`
      peers:
      - {my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4, peer-port: 0}
      - {my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4, peer-port: 179, hold-time: 90s}
    `,
    wantErrors: [{ code: "DUPLICATE_PEER", path: "peers[1]", line: 3 }],
  },
  {
    desc: "same address, different hold time: MetalLB keeps both",
    yaml: y`
      peers:
      - {my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4}
      - {my-asn: 42, peer-asn: 43, peer-address: 1.2.3.4, hold-time: 30s}
    `,
    want: { peers: [{ holdTime: 90 }, { holdTime: 30 }] },
  },
];

runScenarios("peers", table);

describe("peers: every problem of a peer is reported, not only the first", () => {
  it("reports four independent mistakes in one peer", () => {
    const result = parseConfig(onePeer({ "my-asn": "0", "peer-address": "nope", "hold-time": "1s", "router-id": "::1" }));
    expect(issues(result, "errors")).toEqual([
      { code: "MISSING_FIELD", path: "peers[0].my-asn", line: 2 },
      { code: "INVALID_PEER_ADDRESS", path: "peers[0].peer-address", line: 4 },
      { code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 5 },
      { code: "INVALID_ROUTER_ID", path: "peers[0].router-id", line: 6 },
    ]);
  });

  it("words errors as MetalLB does", () => {
    const result = parseConfig(onePeer({ "hold-time": "1s" }));
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual(['peers[0].hold-time: invalid hold time "1s": must be 0 or >=3s (line 5)']);
  });
});
