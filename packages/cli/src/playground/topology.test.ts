import { describe, expect, it } from "vitest";
import { parseConfig } from "@ironlb/core/config";
import { plan } from "./topology.ts";

const withPeers = (...addresses: string[]) => {
  const peers = addresses.map((a, i) => `- {name: p${i}, peer-address: "${a}", peer-asn: 64513, my-asn: 64512}`).join("\n");
  const r = parseConfig(`${addresses.length > 0 ? `peers:\n${peers}\n` : ""}address-pools:\n- {name: l, protocol: layer2, addresses: [198.51.100.0/28]}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};

describe("playground network plan", () => {
  it.each<[string, string[], { base: string; routerIps: string[] } | string]>([
    ["the example's two routers", ["10.99.0.1", "10.99.0.2"], { base: "10.99.0", routerIps: ["10.99.0.1", "10.99.0.2"] }],
    ["no peers: a default segment", [], { base: "10.99.0", routerIps: [] }],
    ["peers on two /24s", ["10.99.0.1", "10.99.1.1"], "not in 10.99.0.0/24"],
    ["a peer on a node's address", ["10.99.0.12"], "collides"],
    ["an IPv6 peer", ["fd00:99::1"], "IPv4 only"],
  ])("%s", (_what, peers, want) => {
    if (typeof want === "string") expect(() => plan(withPeers(...peers))).toThrow(want);
    else expect(plan(withPeers(...peers))).toEqual(want);
  });
});
