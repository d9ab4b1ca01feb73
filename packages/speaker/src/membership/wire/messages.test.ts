import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Reader } from "@ironlb/core/wire";
import { endpoint } from "../endpoint.ts";
import { WireError } from "../errors.ts";
import { arbEntry, arbMessage } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, encodeWith, expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { wireReadErrors } from "./fields.ts";
import { chunkEntries, decodeMessages, entrySize, MAX_PARTS, messageCodec, type Message, type PushPullEntry } from "./messages.ts";

const a4 = endpoint("10.99.0.1", 7946);
const a6 = endpoint("fd00:99::1", 7946);

// Hand-assembled from the layout in messages.ts; each row is one message.
const goldens: readonly [string, Message, string][] = [
  ["ping", { type: "ping", seq: 7 }, "01 0004 00000007"],
  ["ack", { type: "ack", seq: 0xfffffffe }, "02 0004 fffffffe"],
  ["nack", { type: "nack", seq: 1 }, "03 0004 00000001"],
  [
    "ping-req with nack",
    { type: "pingReq", seq: 9, nack: true, target: "n2", targetAddress: a4 },
    `04 000f 00000009 01 // seq, flags: nack
     02 6e32             // target "n2"
     04 0a630001 1f0a    // 10.99.0.1:7946`,
  ],
  [
    "alive over IPv6",
    { type: "alive", incarnation: 1_767_225_600_000, name: "n1", address: a6 },
    `05 001e 0000019b76daa800 // incarnation 2026-01-01T00:00:00Z in ms
     02 6e31                  // "n1"
     06 fd000099000000000000000000000001 1f0a`,
  ],
  ["suspect", { type: "suspect", incarnation: 5, name: "n1", from: "n2" }, "06 000e 0000000000000005 02 6e31 02 6e32"],
  ["dead, from itself (left)", { type: "dead", incarnation: 5, name: "n1", from: "n1" }, "07 000e 0000000000000005 02 6e31 02 6e31"],
  [
    "push-pull reply, part 0 of 1",
    { type: "pushPull", reply: true, part: 0, parts: 1, entries: [{ name: "n1", incarnation: 3, state: "suspect", address: a4 }] },
    `08 0018 01 00 01 0001 // flags reply, part, parts, count
     01 0000000000000003 02 6e31 04 0a630001 1f0a`,
  ],
  ["unknown type kept raw", { type: "unknown", code: 200, body: new Uint8Array([1, 2, 3]) }, "c8 0003 010203"],
];

describe("message codec", () => {
  it.each(goldens)("%s: golden bytes and round-trip laws", (_desc, message, wire) => {
    expect(hex(assertCodecLaws(messageCodec, message))).toBe(hex(unhex(wire)));
  });

  it("round-trips every message (property)", () => {
    fc.assert(fc.property(arbMessage, (m) => void assertCodecLaws(messageCodec, m)), { numRuns: 500 });
  });

  it("decodes a sequence of messages back to back", () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { maxLength: 6 }), (ms) => {
        const bytes = Buffer.concat(ms.map((m) => encodeWith(messageCodec, m)));
        expect(decodeMessages(new Reader(new Uint8Array(bytes), wireReadErrors))).toEqual(ms);
      }),
      { numRuns: 200 },
    );
  });

  const malformed: readonly [string, string, string][] = [
    ["a type byte alone", "01", "WIRE_TRUNCATED"],
    ["length runs past the end", "01 0005 00000007", "WIRE_TRUNCATED"],
    ["ping body one byte short", "01 0003 000000", "WIRE_TRUNCATED"],
    ["ping body with a trailing byte", "01 0005 00000007 00", "WIRE_TRAILING"],
    ["ping-req reserved flag", "04 000f 00000009 03 02 6e32 04 0a630001 1f0a", "WIRE_INVALID"],
    ["ping-req target family 5", "04 000f 00000009 01 02 6e32 05 0a630001 1f0a", "WIRE_INVALID"],
    ["alive incarnation above 2^53", "05 0011 0020000000000000 02 6e31 04 0a630001 1f0a", "WIRE_INVALID"],
    ["alive with an empty name", "05 000f 0000000000000001 00 04 0a630001 1f0a", "WIRE_INVALID"],
    ["suspect name is not UTF-8", "06 000e 0000000000000005 02 c328 02 6e32", "WIRE_INVALID"],
    ["suspect name length past the body", "06 000e 0000000000000005 09 6e31 02 6e32", "WIRE_TRUNCATED"],
    ["push-pull part >= parts", "08 0005 00 02 02 0000", "WIRE_INVALID"],
    ["push-pull zero parts", "08 0005 00 00 00 0000", "WIRE_INVALID"],
    ["push-pull reserved flag", "08 0005 80 00 01 0000", "WIRE_INVALID"],
    ["push-pull state 4", "08 0018 00 00 01 0001 04 0000000000000003 02 6e31 04 0a630001 1f0a", "WIRE_INVALID"],
    ["push-pull count larger than the entries", "08 0018 00 00 01 0002 01 0000000000000003 02 6e31 04 0a630001 1f0a", "WIRE_TRUNCATED"],
  ];

  it.each(malformed)("%s -> %s", (_desc, wire, code) => {
    expectWireError(() => decodeMessages(new Reader(unhex(wire), wireReadErrors)), code as "WIRE_TRUNCATED");
  });

  it("no messages at all is a valid (empty) sequence", () => {
    expect(decodeMessages(new Reader(new Uint8Array(0), wireReadErrors))).toEqual([]);
  });

  it("every proper prefix of every golden is truncated, never anything else", () => {
    for (const [, , wire] of goldens) {
      const bytes = unhex(wire);
      for (let n = 1; n < bytes.length; n++) expectWireError(() => decodeMessages(new Reader(bytes.subarray(0, n), wireReadErrors)), "WIRE_TRUNCATED");
    }
  });

  it("fuzz: arbitrary bytes decode or fail with a WireError, and what decodes re-encodes and re-decodes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        let ms: Message[];
        try {
          ms = decodeMessages(new Reader(bytes, wireReadErrors));
        } catch (err) {
          expect(err).toBeInstanceOf(WireError);
          return;
        }
        const again = new Uint8Array(Buffer.concat(ms.map((m) => encodeWith(messageCodec, m))));
        expect(decodeMessages(new Reader(again, wireReadErrors))).toEqual(ms);
      }),
      { numRuns: 3000 },
    );
  });

  it("fuzz: mutated valid messages never throw anything but a WireError", () => {
    fc.assert(
      fc.property(arbMessage, fc.nat(), fc.nat(255), (m, at, value) => {
        const bytes = encodeWith(messageCodec, m);
        if (bytes.length > 0) bytes[at % bytes.length] = value;
        try {
          decodeMessages(new Reader(bytes, wireReadErrors));
        } catch (err) {
          expect(err).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("chunkEntries", () => {
  it("keeps every entry, in order, each chunk within the room", () => {
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 60 }), fc.integer({ min: 400, max: 1400 }), (entries, room) => {
        const chunks = chunkEntries(entries, room);
        expect(chunks.flat()).toEqual(entries);
        for (const c of chunks) if (c.length > 1) expect(c.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(room);
      }),
      { numRuns: 200 },
    );
  });

  it("an empty state is one empty part (a push-pull still asks for the peer's state)", () => {
    expect(chunkEntries([], 1000)).toEqual([[]]);
  });

  it("stops at 255 parts", () => {
    const e: PushPullEntry = { name: "n".repeat(200), incarnation: 1, state: "alive", address: a6 };
    expect(chunkEntries(Array.from({ length: 600 }, () => e), entrySize(e))).toHaveLength(MAX_PARTS);
  });
});
