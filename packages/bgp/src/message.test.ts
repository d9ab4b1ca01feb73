import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { message } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, type Codec, expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { codecContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { decodeMessage, encodeMessage, keepalive, type Message, readMessage, sizeOfMessage, writeMessage } from "./message.ts";
import { ceaseNotification } from "./notification.ts";

const ctx = codecContext({ fourOctetAs: true, extendedMessage: false });
const extended = codecContext({ fourOctetAs: true, extendedMessage: true });
const codec: Codec<Message> = { sizeOf: sizeOfMessage, encode: writeMessage, decode: (r, c) => readMessage(r, c).message };
const MARKER = "ff".repeat(16);

const examples: [string, Message, string][] = [
  ["KEEPALIVE", keepalive, `${MARKER} 0013 04`],
  ["NOTIFICATION hold timer expired", { type: "notification", code: 4, subcode: 0, data: new Uint8Array(0) }, `${MARKER} 0015 03 04 00`],
  ["NOTIFICATION cease with RFC 9003 message", ceaseNotification(2, "bye"), `${MARKER} 0019 03 06 02 03 627965`],
  ["ROUTE-REFRESH ipv6 unicast", { type: "route-refresh", afi: 2, subtype: 0, safi: 1 }, `${MARKER} 0017 05 0002 00 01`],
  ["End-of-RIB ipv4 (empty UPDATE)", { type: "update", withdrawn: [], attributes: [], nlri: [] }, `${MARKER} 0017 02 0000 0000`],
  [
    "OPEN",
    { type: "open", version: 4, myAs: 65000, holdTime: 90, bgpId: 1, capabilities: [{ type: "route-refresh" }], parameters: [] },
    `${MARKER} 0021 01 04 fde8 005a 00000001 04 02 02 02 00`,
  ],
  ["unknown type 9 kept as data", { type: "unknown", messageType: 9, body: unhex("0102") }, `${MARKER} 0015 09 0102`],
];

describe("messages", () => {
  test.each(examples)("%s", (_name, m, wire) => {
    expect(hex(assertCodecLaws(codec, m, ctx))).toBe(hex(unhex(wire)));
    expect(hex(encodeMessage(m, ctx))).toBe(hex(unhex(wire)));
  });

  test("round-trip law for arbitrary messages", () => {
    fc.assert(fc.property(message(ctx), (m) => void assertCodecLaws(codec, m, ctx)), { numRuns: 500 });
  });

  test.each([
    ["KEEPALIVE of 20", `${MARKER} 0014 04 00`, 20],
    ["OPEN of 28", `${MARKER} 001c 01 ${"00".repeat(9)}`, 28],
    ["UPDATE of 22", `${MARKER} 0016 02 000000`, 22],
    ["NOTIFICATION of 20", `${MARKER} 0014 03 06`, 20],
    ["ROUTE-REFRESH of 24", `${MARKER} 0018 05 0001000100`, 24],
  ])("RFC 4271 §6.1: %s -> 1/2 with the length as data", (_name, wire, len) => {
    expectWireError(() => decodeMessage(unhex(wire), ctx), { code: 1, subcode: 2, data: Uint8Array.of(len >> 8, len & 0xff) });
  });

  test("a frame shorter than its length field -> 1/2", () => {
    expectWireError(() => decodeMessage(unhex(`${MARKER} 0017 02 0000`), ctx), { code: 1, subcode: 2 });
  });

  test("truncation at every length of every example throws only BgpWireError", () => {
    for (const [name, m] of examples) {
      const bytes = encodeMessage(m, ctx);
      for (let n = 0; n < bytes.length; n++) {
        expect(() => decodeMessage(bytes.subarray(0, n), ctx), `${name} cut at ${n}`).toThrow(BgpWireError);
      }
    }
  });

  test("encode refuses a message over the negotiated cap (RFC 8654 §4)", () => {
    const big: Message = { type: "notification", code: 6, subcode: 0, data: new Uint8Array(5000) };
    expect(() => encodeMessage(big, ctx)).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
    expect(encodeMessage(big, extended)).toHaveLength(5021);
    const bigOpen: Message = { type: "open", version: 4, myAs: 1, holdTime: 0, bgpId: 1, capabilities: [], parameters: [{ type: 9, data: new Uint8Array(4100) }] };
    expect(() => encodeMessage(bigOpen, extended)).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
  });
});
