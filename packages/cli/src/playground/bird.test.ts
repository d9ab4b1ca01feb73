import { describe, expect, it } from "vitest";
import { parseConfig } from "@ironlb/core/config";
import { birdConfig } from "./bird.ts";

const config = (peers: string) => {
  const r = parseConfig(`peers:\n${peers}\naddress-pools:\n- {name: p, protocol: bgp, addresses: [203.0.113.0/24]}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};
const nodes = [
  { name: "node-a", ip: "10.99.0.11" },
  { name: "node-b", ip: "10.99.0.12" },
];

describe("playground BIRD config", () => {
  it("one passive protocol per (peer at this address, node), with the config's ASNs swapped to the router's side", () => {
    const { text, sessions } = birdConfig(config("- {name: tor-a, peer-address: 10.99.0.1, peer-asn: 64513, my-asn: 64512}\n- {name: rr, peer-address: 10.99.0.2, peer-asn: 64512, my-asn: 64512}"), nodes, "10.99.0.1");
    expect(sessions).toEqual([
      { protocol: "tor_a_node_a", peerName: "tor-a", node: "node-a" },
      { protocol: "tor_a_node_b", peerName: "tor-a", node: "node-b" },
    ]);
    expect(text).toContain("router id 10.99.0.1;");
    expect(text).toContain("protocol bgp tor_a_node_a {\n  local 10.99.0.1 as 64513;\n  neighbor 10.99.0.11 as 64512;\n  passive on;");
    expect(text).not.toContain("10.99.0.2");
  });

  it("iBGP resolves next hops recursively (no direct/multihop line); a password and another port are carried over", () => {
    const { text } = birdConfig(config('- {name: rr, peer-address: 10.99.0.2, peer-port: 1179, peer-asn: 64512, my-asn: 64512, password: "s\\"x"}'), nodes, "10.99.0.2");
    expect(text).toContain("local 10.99.0.2 port 1179 as 64512;");
    expect(text).toContain('password "s\\"x";');
    expect(text).not.toMatch(/^\s+(direct|multihop);$/m);
  });
});
