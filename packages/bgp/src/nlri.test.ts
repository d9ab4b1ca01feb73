import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatPrefix, parsePrefix, type Prefix } from "@ironlb/core/ip";
import { Reader } from "@ironlb/core/wire";
import { ipv4Prefix, ipv6Prefix } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, type Codec, expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { baseContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { decodePrefix, encodePrefix, prefixBytes, sizeOfPrefix } from "./nlri.ts";
import { bgpReadErrors } from "./wire.ts";

const fail = (w: string) => new BgpWireError(w, { code: 3, subcode: 10 });
const codec = (family: "ipv4" | "ipv6"): Codec<Prefix> => ({ sizeOf: sizeOfPrefix, encode: encodePrefix, decode: (r) => decodePrefix(r, family, fail) });

describe("NLRI prefixes", () => {
  test.each([
    ["10.0.0.0/8", "08 0a"],
    ["10.1.2.0/24", "18 0a0102"],
    ["198.51.100.7/32", "20 c6336407"],
    ["0.0.0.0/0", "00"],
    ["2001:db8::/32", "20 20010db8"],
    ["2001:db8::1/128", "80 20010db8000000000000000000000001"],
    ["2001:db8:8000::/33", "21 20010db880"],
  ])("%s <-> %s", (text, wire) => {
    const p = parsePrefix(text);
    expect(hex(assertCodecLaws(codec(p.family), p, baseContext))).toBe(hex(unhex(wire)));
    expect(hex(prefixBytes(p))).toBe(hex(unhex(wire)));
  });

  test("host bits past the length are ignored on receive (RFC 4271 §4.3)", () => {
    const p = decodePrefix(new Reader(unhex("17 0a0103"), bgpReadErrors(fail)), "ipv4", fail);
    expect(formatPrefix(p)).toBe("10.1.2.0/23");
  });

  test("round-trip law for arbitrary prefixes", () => {
    fc.assert(fc.property(ipv4Prefix, (p) => void assertCodecLaws(codec("ipv4"), p, baseContext)));
    fc.assert(fc.property(ipv6Prefix, (p) => void assertCodecLaws(codec("ipv6"), p, baseContext)));
    fc.assert(fc.property(fc.oneof(ipv4Prefix, ipv6Prefix), (p) => {
      expect(hex(prefixBytes(p))).toBe(hex(assertCodecLaws(codec(p.family), p, baseContext)));
    }));
  });

  test.each([
    ["ipv4", "21 0a000000 00"],
    ["ipv6", "81" + "00".repeat(17)],
    ["ipv4", "18 0a01"],
    ["ipv6", "40 20010db8"],
  ] as const)("%s %s -> the field's error", (family, wire) => {
    expectWireError(() => decodePrefix(new Reader(unhex(wire), bgpReadErrors(fail)), family, fail), { code: 3, subcode: 10 });
  });
});
