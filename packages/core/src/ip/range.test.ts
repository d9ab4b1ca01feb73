import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseIp } from "./address.ts";
import { IpError } from "./errors.ts";
import { formatPrefix, prefixSize } from "./prefix.ts";
import { parseAddressEntry, rangeToPrefixes } from "./range.ts";

describe("parseAddressEntry", () => {
  test.each([
    // The example from MetalLB's docs and tests.
    ["40.0.0.150-40.0.0.200", ["40.0.0.150/31", "40.0.0.152/29", "40.0.0.160/27", "40.0.0.192/29", "40.0.0.200/32"]],
    ["40.0.0.150 - 40.0.0.200", ["40.0.0.150/31", "40.0.0.152/29", "40.0.0.160/27", "40.0.0.192/29", "40.0.0.200/32"]],
    ["10.0.0.0-10.0.0.255", ["10.0.0.0/24"]],
    ["10.0.0.5-10.0.0.5", ["10.0.0.5/32"]],
    ["0.0.0.0-255.255.255.255", ["0.0.0.0/0"]],
    ["3.3.3.2-3.3.3.254", ["3.3.3.2/31", "3.3.3.4/30", "3.3.3.8/29", "3.3.3.16/28", "3.3.3.32/27", "3.3.3.64/26", "3.3.3.128/26", "3.3.3.192/27", "3.3.3.224/28", "3.3.3.240/29", "3.3.3.248/30", "3.3.3.252/31", "3.3.3.254/32"]],
    ["2001:db8::1-2001:db8::4", ["2001:db8::1/128", "2001:db8::2/127", "2001:db8::4/128"]],
    ["192.168.1.0/24", ["192.168.1.0/24"]],
  ])("%s", (text, want) => {
    expect(parseAddressEntry(text).prefixes.map(formatPrefix)).toEqual(want);
  });

  test.each([
    ["10.0.0.9-10.0.0.1", "RANGE_REVERSED"],
    ["10.0.0.1-", "RANGE_INVALID"],
    ["10.0.0.1-10.0.0.2-10.0.0.3", "RANGE_INVALID"],
    ["10.0.0.1-::1", "RANGE_INVALID"],
    ["10.0.0.1/24-10.0.0.3", "RANGE_INVALID"],
    ["10.0.0.0/33", "PREFIX_INVALID"],
    ["fish", "PREFIX_INVALID"],
  ])("%s fails with %s", (text, code) => {
    try {
      parseAddressEntry(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IpError);
      expect((err as IpError).code).toBe(code);
    }
  });
});

test("range split is exact, ascending, minimal-aligned (property)", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 1n << 20n }), (s, span) => {
      const e = s + span > 0xffffffffn ? 0xffffffffn : s + span;
      const prefixes = rangeToPrefixes({ start: { family: "ipv4", value: s }, end: { family: "ipv4", value: e } });
      let cur = s;
      for (let i = 0; i < prefixes.length; i++) {
        const p = prefixes[i]!;
        expect(p.network).toBe(cur); // contiguous, ascending
        cur += prefixSize(p);
        // Minimal: two neighbours of equal size that form an aligned block would have been one CIDR.
        const next = prefixes[i + 1];
        if (next && next.length === p.length) {
          const bigger = 1n << BigInt(32 - p.length + 1);
          expect(p.network % bigger === 0n).toBe(false);
        }
      }
      expect(cur - 1n).toBe(e); // exact cover
    }),
  );
  expect(rangeToPrefixes({ start: parseIp("::"), end: parseIp("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") }).map(formatPrefix)).toEqual(["::/0"]);
});
