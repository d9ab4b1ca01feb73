import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseIp, parsePrefix } from "@ironlb/core/ip";
import { Reader, Writer } from "@ironlb/core/wire";
import { attribute } from "../arbitraries.fixtures.ts";
import { assertCodecLaws, type Codec, hex, unhex } from "../codec-laws.fixtures.ts";
import { codecContext } from "../context.ts";
import { BgpWireError } from "../errors.ts";
import { bgpReadErrors, bgpWriteErrors } from "../wire.ts";
import { decodeAttributes, encodeAttribute, passThrough, sizeOfAttribute } from "./registry.ts";
import { AttrFlag, type PathAttribute } from "./types.ts";
import { formatCommunity, parseCommunity } from "./communities.ts";
import { formatLargeCommunity, parseLargeCommunity } from "./large-communities.ts";

const four = codecContext({ fourOctetAs: true, extendedMessage: false });
const two = codecContext({ fourOctetAs: false, extendedMessage: false });
const shortRead = (w: string) => new BgpWireError(w, { code: 3, subcode: 1 });

// One attribute through the generic block decoder, which is how the wire sees it.
const codec: Codec<PathAttribute> = {
  sizeOf: sizeOfAttribute,
  encode: encodeAttribute,
  decode(r, ctx) {
    const block = decodeAttributes(r.sub(r.remaining, "attribute"), ctx);
    if (block.errors.length > 0) throw block.errors[0];
    expect(block.attributes).toHaveLength(1);
    return block.attributes[0] as PathAttribute;
  },
};

describe("path attributes", () => {
  test.each<[string, PathAttribute, string]>([
    ["ORIGIN IGP", { type: "origin", origin: 0 }, "40 01 01 00"],
    ["AS_PATH [65000 4200000000]", { type: "as-path", segments: [{ type: "sequence", asns: [65000, 4_200_000_000] }] }, "40 02 0a 02 02 0000fde8 fa56ea00"],
    ["AS_PATH empty (iBGP)", { type: "as-path", segments: [] }, "40 02 00"],
    ["NEXT_HOP 10.0.0.1", { type: "next-hop", address: parseIp("10.0.0.1") }, "40 03 04 0a000001"],
    ["MED 50", { type: "med", value: 50 }, "80 04 04 00000032"],
    ["LOCAL_PREF 200", { type: "local-pref", value: 200 }, "40 05 04 000000c8"],
    ["ATOMIC_AGGREGATE", { type: "atomic-aggregate" }, "40 06 00"],
    ["AGGREGATOR", { type: "aggregator", as: 65001, address: parseIp("192.0.2.1") }, "c0 07 08 0000fde9 c0000201"],
    ["COMMUNITIES 65000:100 no-export", { type: "communities", communities: [0xfde80064, 0xffffff01] }, "c0 08 08 fde80064 ffffff01"],
    ["LARGE_COMMUNITY 4200000000:1:2", { type: "large-communities", communities: [{ global: 4_200_000_000, local1: 1, local2: 2 }] }, "c0 20 0c fa56ea00 00000001 00000002"],
    [
      "MP_REACH IPv6 with link-local next hop",
      { type: "mp-reach", afi: 2, safi: 1, nextHop: parseIp("2001:db8::1"), linkLocalNextHop: parseIp("fe80::1"), nlri: [parsePrefix("2001:db8:1::/48")] },
      "80 0e 2c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001",
    ],
    ["MP_UNREACH IPv6", { type: "mp-unreach", afi: 2, safi: 1, withdrawn: [parsePrefix("2001:db8::/32")] }, "80 0f 08 0002 01 20 20010db8"],
    ["AS4_AGGREGATOR", { type: "as4-aggregator", as: 4_200_000_000, address: parseIp("192.0.2.1") }, "c0 12 08 fa56ea00 c0000201"],
    ["unknown optional transitive (extended communities) kept", { type: "unknown", code: 16, flags: 0xc0, data: unhex("0002fde800000064") }, "c0 10 08 0002fde800000064"],
  ])("%s", (_name, a, wire) => {
    expect(hex(assertCodecLaws(codec, a, four))).toBe(hex(unhex(wire)));
  });

  test("2-octet session: AS_PATH and AGGREGATOR carry AS_TRANS for 4-octet ASes (RFC 6793 §4.2.2)", () => {
    const bytes = new Uint8Array(sizeOfAttribute({ type: "as-path", segments: [{ type: "sequence", asns: [4_200_000_000, 65000] }] }, two));
    const out = encodeOne({ type: "as-path", segments: [{ type: "sequence", asns: [4_200_000_000, 65000] }] }, two);
    expect(bytes.length).toBe(out.length);
    expect(hex(out)).toBe(hex(unhex("40 02 06 02 02 5ba0 fde8")));
    expect(hex(encodeOne({ type: "aggregator", as: 4_200_000_000, address: parseIp("192.0.2.1") }, two))).toBe(hex(unhex("c0 07 06 5ba0 c0000201")));
  });

  test("a value over 255 bytes gets the Extended Length flag; under 256 never", () => {
    const big: PathAttribute = { type: "communities", communities: Array.from({ length: 64 }, (_, i) => i + 1) };
    const bytes = assertCodecLaws(codec, big, four);
    expect(bytes[0]).toBe(0xd0);
    expect(hex(bytes.subarray(1, 4))).toBe("080100");
    // Received with Extended Length on a short value: decodes the same, re-encodes without the flag.
    const d = decodeAttributes(new Reader(unhex("50 01 0001 00"), bgpReadErrors(shortRead)), four);
    expect(d.attributes).toEqual([{ type: "origin", origin: 0 }]);
  });

  test("round-trip law for arbitrary attributes on 2- and 4-octet sessions", () => {
    for (const ctx of [two, four]) {
      fc.assert(fc.property(attribute(ctx), (a) => void assertCodecLaws(codec, a, ctx)), { numRuns: 500 });
    }
  });

  test("passThrough sets Partial on unknown optional transitive attributes and drops non-transitive ones (RFC 4271 §5)", () => {
    expect(passThrough({ type: "unknown", code: 99, flags: AttrFlag.Optional | AttrFlag.Transitive, data: unhex("01") })).toEqual({
      type: "unknown",
      code: 99,
      flags: 0xe0,
      data: unhex("01"),
    });
    expect(passThrough({ type: "unknown", code: 99, flags: AttrFlag.Optional, data: unhex("01") })).toBeUndefined();
    expect(passThrough({ type: "med", value: 1 })).toEqual({ type: "med", value: 1 });
    expect(hex(encodeOne(passThrough({ type: "unknown", code: 99, flags: 0xc0, data: unhex("01") }) as PathAttribute, four))).toBe("e0630101");
  });
});

describe("community text forms", () => {
  test.each([
    ["65000:100", 0xfde80064],
    ["0:0", 0],
    ["no-export", 0xffffff01],
    ["NO-ADVERTISE", 0xffffff02],
  ])("%s", (text, value) => {
    expect(parseCommunity(text)).toBe(value);
    if (!/[a-z]/i.test(text)) expect(formatCommunity(value)).toBe(text);
  });
  test.each(["65536:1", "1:65536", "1", "a:b", "01:1", "1:2:3"])("rejects %s", (text) => expect(parseCommunity(text)).toBeUndefined());
  test("large communities", () => {
    expect(parseLargeCommunity("4200000000:1:2")).toEqual({ global: 4_200_000_000, local1: 1, local2: 2 });
    expect(formatLargeCommunity({ global: 1, local2: 3, local1: 2 })).toBe("1:2:3");
    for (const bad of ["4294967296:1:1", "1:1", "1:1:1:1", "-1:1:1", "x:1:1"]) expect(parseLargeCommunity(bad)).toBeUndefined();
  });
});

function encodeOne(a: PathAttribute, ctx: typeof four): Uint8Array {
  const size = sizeOfAttribute(a, ctx);
  const buf = new Uint8Array(size);
  const w = new Writer(buf, bgpWriteErrors);
  encodeAttribute(w, a, ctx);
  return buf;
}
