import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ip, parseIp, prefixContains, type IpAddress } from "@ironlb/core/ip";
import { config } from "./decision.fixtures.ts";
import { PoolIndex } from "./pool-index.ts";

const cfg = config(`
address-pools:
- {name: a, protocol: layer2, addresses: [198.51.100.0/28, 198.51.100.64-198.51.100.70, 2001:db8::/120]}
- {name: b, protocol: layer2, addresses: [198.51.100.16/28, 2001:db8:1::/64]}
- {name: c, protocol: bgp, addresses: [203.0.113.0/24]}
`);
const index = new PoolIndex(cfg);

describe("PoolIndex", () => {
  test.each([
    { ips: ["198.51.100.0"], want: "a" },
    { ips: ["198.51.100.15"], want: "a" },
    { ips: ["198.51.100.16"], want: "b" },
    { ips: ["198.51.100.32"], want: undefined },
    { ips: ["198.51.100.70"], want: "a" },
    { ips: ["198.51.100.71"], want: undefined },
    { ips: ["203.0.113.255"], want: "c" },
    { ips: ["198.51.100.1", "2001:db8::5"], want: "a" },
    { ips: ["198.51.100.1", "2001:db8:1::5"], want: undefined },
    { ips: ["2001:db8::100"], want: undefined },
    { ips: [], want: undefined },
  ])("$ips -> $want", ({ ips, want }) => {
    expect(index.poolFor(ips.map(parseIp))?.name).toBe(want);
  });

  test("property: agrees with a scan of every CIDR of every pool", () => {
    const scan = (a: IpAddress) => cfg.pools.find((p) => p.cidrs.some((c) => prefixContains(c, a)))?.name;
    fc.assert(
      fc.property(fc.integer({ min: 0xc6336300 - 8, max: 0xc63363ff }), (v) => {
        const a = ip("ipv4", BigInt(v));
        expect(index.poolOf(a)?.name).toBe(scan(a));
      }),
    );
  });
});
