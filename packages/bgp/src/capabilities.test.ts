import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Reader } from "@ironlb/core/wire";
import { capability } from "./arbitraries.fixtures.ts";
import { type Capability, decodeCapability, encodeCapability, sizeOfCapability } from "./capabilities.ts";
import { assertCodecLaws, type Codec, expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { baseContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { bgpReadErrors } from "./wire.ts";

const codec: Codec<Capability> = { sizeOf: sizeOfCapability, encode: encodeCapability, decode: decodeCapability };

describe("capabilities", () => {
  test.each<[string, Capability, string]>([
    ["multiprotocol ipv6 unicast", { type: "multiprotocol", afi: 2, safi: 1 }, "01 04 0002 00 01"],
    ["route refresh", { type: "route-refresh" }, "02 00"],
    ["extended message", { type: "extended-message" }, "06 00"],
    ["four-octet AS 4200000000", { type: "four-octet-as", as: 4_200_000_000 }, "41 04 fa56ea00"],
    [
      "graceful restart, R bit, 120 s, ipv4+ipv6 with F bit on ipv6",
      {
        type: "graceful-restart",
        restarting: true,
        notification: false,
        restartTime: 120,
        families: [
          { afi: 1, safi: 1, forwardingState: false },
          { afi: 2, safi: 1, forwardingState: true },
        ],
      },
      "40 0a 8078 0001 01 00 0002 01 80",
    ],
    ["enhanced route refresh kept as data", { type: "unknown", code: 70, data: new Uint8Array(0) }, "46 00"],
    ["FQDN kept as data", { type: "unknown", code: 73, data: unhex("0161 00") }, "49 03 0161 00"],
  ])("%s", (_name, value, wire) => {
    expect(hex(assertCodecLaws(codec, value, baseContext))).toBe(hex(unhex(wire)));
  });

  test("round-trip law for arbitrary capabilities", () => {
    fc.assert(fc.property(capability, (c) => void assertCodecLaws(codec, c, baseContext)), { numRuns: 300 });
  });

  test.each([
    ["multiprotocol of 3 bytes", "01 03 000201"],
    ["route refresh with a value", "02 01 00"],
    ["extended message with a value", "06 01 00"],
    ["four-octet AS of 2 bytes", "41 02 fde8"],
    ["graceful restart of 3 bytes", "40 03 0078 00"],
    ["graceful restart family of 3 bytes", "40 05 0078 000101"],
  ])("malformed %s -> OPEN Message Error / Unspecific", (_name, wire) => {
    expectWireError(() => decodeCapability(new Reader(unhex(wire), bgpReadErrors((w) => new BgpWireError(w, { code: 2, subcode: 0 })))), { code: 2, subcode: 0 });
  });
});
