import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Reader } from "@ironlb/core/wire";
import { open as openArb } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, type Codec, expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { baseContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { decodeOpen, encodeOpen, type OpenMessage, sizeOfOpen } from "./open.ts";
import { bgpReadErrors } from "./wire.ts";

const codec: Codec<OpenMessage> = { sizeOf: sizeOfOpen, encode: encodeOpen, decode: decodeOpen };
const reader = (b: Uint8Array) => new Reader(b, bgpReadErrors((w) => new BgpWireError(w, { code: 2, subcode: 0 })));

const typical: OpenMessage = {
  type: "open",
  version: 4,
  myAs: 23456,
  holdTime: 90,
  bgpId: 0x0a000001,
  capabilities: [
    { type: "multiprotocol", afi: 1, safi: 1 },
    { type: "multiprotocol", afi: 2, safi: 1 },
    { type: "route-refresh" },
    { type: "four-octet-as", as: 4_200_000_000 },
  ],
  parameters: [],
};

describe("OPEN", () => {
  test("encodes capabilities into one optional parameter", () => {
    const bytes = assertCodecLaws(codec, typical, baseContext);
    expect(hex(bytes)).toBe(
      hex(
        unhex(`
          04         // version
          5ba0       // my AS = AS_TRANS
          005a       // hold time 90
          0a000001   // BGP identifier
          16         // optional parameters length 22
          02 14      // parameter: capabilities, 20 bytes
          01 04 0001 00 01
          01 04 0002 00 01
          02 00
          41 04 fa56ea00`),
      ),
    );
  });

  test("accepts capabilities split over several optional parameters (RFC 5492 §4)", () => {
    const bytes = unhex(`
      04 fde8 00b4 c0000201
      10                    // 16 bytes of parameters
      02 06 01 04 0001 00 01  // one capability per parameter
      02 02 02 00
      02 02 06 00`);
    const m = decodeOpen(reader(bytes));
    expect(m.capabilities).toEqual([{ type: "multiprotocol", afi: 1, safi: 1 }, { type: "route-refresh" }, { type: "extended-message" }]);
    expect(m.myAs).toBe(65000);
    expect(m.holdTime).toBe(180);
  });

  test("accepts the RFC 9072 extended optional parameters length", () => {
    const bytes = unhex(`
      04 fde8 005a 0a000001
      ff ff 0009              // non-ext length 255, type 255, extended length 9
      02 0006 01 04 0002 00 01`);
    const m = decodeOpen(reader(bytes));
    expect(m.capabilities).toEqual([{ type: "multiprotocol", afi: 2, safi: 1 }]);
    expect(m.parameters).toEqual([]);
  });

  test("uses the RFC 9072 encoding only when the parameters need it", () => {
    const small = encodeWithSize(typical);
    expect(small[9]).toBe(22);
    const big: OpenMessage = { ...typical, capabilities: Array.from({ length: 40 }, () => ({ type: "unknown" as const, code: 73, data: new Uint8Array(20) })) };
    const bytes = assertCodecLaws(codec, big, baseContext);
    expect(bytes[9]).toBe(255);
    expect(bytes[10]).toBe(255);
  });

  test("keeps parameters other than capabilities for the session to reject", () => {
    const m = decodeOpen(reader(unhex("04 fde8 005a 0a000001 04 01 02 abcd")));
    expect(m.parameters).toEqual([{ type: 1, data: unhex("abcd") }]);
  });

  test("round-trip law for arbitrary OPENs", () => {
    fc.assert(fc.property(openArb, (m) => void assertCodecLaws(codec, m, baseContext)), { numRuns: 300 });
  });

  test.each([
    ["parameters length past the message", "04 fde8 005a 0a000001 08 02 02 0200"],
    ["parameter length past the parameters", "04 fde8 005a 0a000001 04 02 05 0200"],
    ["capability past its parameter", "04 fde8 005a 0a000001 04 02 02 0104"],
    ["trailing bytes after the parameters", "04 fde8 005a 0a000001 00 00"],
  ])("%s -> OPEN Message Error", (_name, wire) => {
    expectWireError(() => decodeOpen(reader(unhex(wire))), { code: 2, subcode: 0 });
  });
});

function encodeWithSize(m: OpenMessage): Uint8Array {
  return assertCodecLaws(codec, m, baseContext);
}
