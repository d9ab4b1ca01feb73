import { describe, expect, test } from "vitest";
import { config } from "./decision.fixtures.ts";
import { peersForNode, planSessions, routerIdFor, sessionSpec } from "./peers.ts";

const cfg = config(`
peers:
- {name: rack-a, peer-address: 10.99.0.1, peer-asn: 64512, my-asn: 64512, node-selectors: [{match-labels: {rack: a}}]}
- {name: rack-b, peer-address: 10.99.0.1, peer-asn: 64512, my-asn: 64512, node-selectors: [{match-labels: {rack: b}}]}
- {name: all, peer-address: 10.99.0.2, peer-asn: 64513, my-asn: 64512}
- {name: ssd, peer-address: 10.99.0.3, peer-asn: 64513, my-asn: 64512, node-selectors: [{match-expressions: [{key: disk, operator: In, values: [ssd]}]}]}
`);

describe("peersForNode", () => {
  test.each([
    { labels: {}, want: ["all"] },
    { labels: { rack: "a" }, want: ["rack-a", "all"] },
    { labels: { rack: "b", disk: "ssd" }, want: ["rack-b", "all", "ssd"] },
  ])("labels $labels -> $want", ({ labels, want }) => {
    expect(peersForNode(cfg.peers, labels).map((p) => p.name)).toEqual(want);
  });
});

describe("planSessions", () => {
  const [rackA, , all] = cfg.peers;
  const specA = sessionSpec(rackA!, undefined, "10.99.0.10");
  const specAll = sessionSpec(all!, undefined, "10.99.0.10");
  const running = new Map([
    [specA.name, specA.identity],
    [specAll.name, specAll.identity],
  ]);

  test("unchanged: everything kept", () => {
    expect(planSessions(running, [specA, specAll])).toEqual({ start: [], stop: [], keep: ["rack-a", "all"] });
  });

  test("one peer's hold time changes: only that session is replaced", () => {
    const changed = sessionSpec({ ...all!, holdTime: 9 }, undefined, "10.99.0.10");
    expect(planSessions(running, [specA, changed])).toEqual({ start: [changed], stop: ["all"], keep: ["rack-a"] });
  });

  test("a changed node selector that still matches keeps the session", () => {
    const reselected = sessionSpec({ ...rackA!, nodeSelectors: [] }, undefined, "10.99.0.10");
    expect(reselected.identity).toBe(specA.identity);
    expect(planSessions(running, [reselected, specAll]).keep).toEqual(["rack-a", "all"]);
  });

  test("a peer no longer selecting this node is stopped, a new one started", () => {
    const ssd = sessionSpec(cfg.peers[3]!, undefined, "10.99.0.10");
    expect(planSessions(running, [specAll, ssd])).toEqual({ start: [ssd], stop: ["rack-a"], keep: ["all"] });
  });

  test("a new password restarts the session; the identity never holds the password", () => {
    const withKey = sessionSpec(all!, "s3cr3t-key", "10.99.0.10");
    expect(withKey.identity).not.toContain("s3cr3t-key");
    expect(planSessions(running, [specA, withKey]).stop).toEqual(["all"]);
    expect(sessionSpec(all!, "other", "10.99.0.10").identity).not.toBe(withKey.identity);
  });

  test("a new router ID restarts the session", () => {
    expect(planSessions(running, [specA, sessionSpec(all!, undefined, "10.99.0.11")]).stop).toEqual(["all"]);
  });
});

describe("routerIdFor", () => {
  const [, , all] = cfg.peers;
  test("the peer's router-id, then an IPv4 source address, then the node's first IPv4", () => {
    expect(routerIdFor({ ...all!, routerId: { family: "ipv4", value: 0x0a000001n } }, ["10.0.0.9"], "n1")).toBe("10.0.0.1");
    expect(routerIdFor({ ...all!, sourceAddress: { family: "ipv4", value: 0x0a000002n } }, ["10.0.0.9"], "n1")).toBe("10.0.0.2");
    expect(routerIdFor(all!, ["2001:db8::1", "10.0.0.9"], "n1")).toBe("10.0.0.9");
  });
  test("IPv6 only: CRC-32 of the node name, little-endian", () => {
    // crc32("node-a") = 0x78994dab (python3: zlib.crc32(b"node-a")), bytes ab 4d 99 78.
    expect(routerIdFor(all!, ["2001:db8::1"], "node-a")).toBe("171.77.153.120");
  });
});
