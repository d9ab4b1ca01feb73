import { describe, expect, test } from "vitest";
import { parseIp } from "./address.ts";
import type { IpError } from "./errors.ts";
import {
  formatPrefix, maskIp, parseCidr, parsePrefix, prefixContains, prefixesOverlap, prefixFirst, prefixLast, prefixSize,
} from "./prefix.ts";
import { formatIp } from "./address.ts";

describe("parseCidr", () => {
  test.each([
    ["10.0.0.0/24", "10.0.0.0/24", "10.0.0.0"],
    // As Go's net.ParseCIDR (and so MetalLB): host bits are dropped from the prefix.
    ["10.0.0.7/24", "10.0.0.0/24", "10.0.0.7"],
    ["10.0.0.7/32", "10.0.0.7/32", "10.0.0.7"],
    ["0.0.0.0/0", "0.0.0.0/0", "0.0.0.0"],
    ["2001:db8::1/64", "2001:db8::/64", "2001:db8::1"],
    ["2001:db8::/128", "2001:db8::/128", "2001:db8::"],
  ])("%s -> %s", (text, want, addr) => {
    const { prefix, address } = parseCidr(text);
    expect(formatPrefix(prefix)).toBe(want);
    expect(formatIp(address)).toBe(addr);
  });

  test.each(["10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/024", "2001:db8::/129", "x/24", "10.0.0.0/2 4", "10.0.0.0/24/1"])(
    "rejects %j with PREFIX_INVALID",
    (text) => {
      try {
        parsePrefix(text);
        expect.unreachable();
      } catch (err) {
        expect((err as IpError).code).toBe("PREFIX_INVALID");
      }
    },
  );
});

describe("prefix queries", () => {
  test("first, last, size", () => {
    const p = parsePrefix("192.168.10.0/23");
    expect(formatIp(prefixFirst(p))).toBe("192.168.10.0");
    expect(formatIp(prefixLast(p))).toBe("192.168.11.255");
    expect(prefixSize(p)).toBe(512n);
    expect(prefixSize(parsePrefix("2001:db8::/64"))).toBe(1n << 64n);
  });
  test("contains respects family and mask", () => {
    const p = parsePrefix("10.0.0.0/8");
    expect(prefixContains(p, parseIp("10.255.0.1"))).toBe(true);
    expect(prefixContains(p, parseIp("11.0.0.0"))).toBe(false);
    expect(prefixContains(p, parseIp("::a00:1"))).toBe(false);
  });
  test.each([
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.1.0.0/16", "10.0.0.0/8", true],
    ["10.0.0.0/24", "10.0.0.0/24", true],
    ["10.0.0.0/25", "10.0.0.128/25", false],
    ["10.0.0.0/24", "::/0", false],
  ])("overlap(%s, %s) = %s", (a, b, want) => {
    expect(prefixesOverlap(parsePrefix(a), parsePrefix(b))).toBe(want);
  });
  test("maskIp aggregates an address to a length", () => {
    expect(formatPrefix(maskIp(parseIp("203.0.113.77"), 24))).toBe("203.0.113.0/24");
    expect(formatPrefix(maskIp(parseIp("2001:db8::77"), 120))).toBe("2001:db8::/120");
  });
});
