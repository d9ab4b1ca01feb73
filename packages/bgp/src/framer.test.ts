import { describe, expect, test } from "vitest";
import { createFramer } from "./framer.ts";
import { BgpWireError } from "./errors.ts";
import { expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";

const MARKER = "ff".repeat(16);
const keepalive = unhex(`${MARKER} 0013 04`);
const header = (len: number, type: number) => unhex(`${MARKER} ${len.toString(16).padStart(4, "0")} ${type.toString(16).padStart(2, "0")}`);
function message(len: number, type: number): Uint8Array {
  const m = new Uint8Array(len);
  m.set(header(len, type));
  return m;
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe("createFramer", () => {
  test("two messages in one chunk come out as two frames", () => {
    const f = createFramer({ extendedMessage: false });
    const out = f.push(concat(keepalive, message(23, 2)));
    expect(out.map((m) => m.length)).toEqual([19, 23]);
    expect(f.buffered).toBe(0);
  });

  test("a message split across chunks comes out whole once complete", () => {
    const f = createFramer({ extendedMessage: false });
    const m = message(40, 2);
    expect(f.push(m.subarray(0, 10))).toEqual([]);
    expect(f.push(m.subarray(10, 30))).toEqual([]);
    expect(f.buffered).toBe(30);
    const out = f.push(m.subarray(30));
    expect(out).toHaveLength(1);
    expect(hex(out[0] as Uint8Array)).toBe(hex(m));
  });

  test("byte-at-a-time delivery yields the same frames", () => {
    const stream = concat(keepalive, message(29, 1), message(4096, 2), keepalive, message(21, 3));
    const f = createFramer({ extendedMessage: false });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...f.push(stream.subarray(i, i + 1)));
    expect(frames.map((m) => m.length)).toEqual([19, 29, 4096, 19, 21]);
    expect(hex(concat(...frames))).toBe(hex(stream));
  });

  test("a bad marker byte fails as soon as it arrives, with 1/1", () => {
    const f = createFramer({ extendedMessage: false });
    expect(f.push(unhex("ffffff"))).toEqual([]);
    expectWireError(() => f.push(unhex("fe")), { code: 1, subcode: 1 });
  });

  test.each([
    ["length 18", 18, 2, false],
    ["length 0", 0, 4, false],
    ["UPDATE of 4097 without extended messages", 4097, 2, false],
    ["OPEN of 4097 even with extended messages (RFC 8654 §4)", 4097, 1, true],
    ["KEEPALIVE of 4097 even with extended messages", 4097, 4, true],
  ])("rejects %s from the header alone, with 1/2 and the length as data", (_name, len, type, extendedMessage) => {
    const f = createFramer({ extendedMessage });
    // Only the header is pushed: the limit is enforced before buffering the body.
    expectWireError(() => f.push(header(len, type)), { code: 1, subcode: 2, data: Uint8Array.of(len >> 8, len & 0xff) });
  });

  test.each([
    [false, 2, 4096],
    [true, 2, 65535],
    [true, 3, 65535],
    [true, 5, 65535],
    [true, 1, 4096],
  ])("extended=%s type %i: accepts exactly the maximum %i, rejects one more", (extendedMessage, type, max) => {
    expect(createFramer({ extendedMessage }).push(message(max, type))).toHaveLength(1);
    if (max < 65535) expectWireError(() => createFramer({ extendedMessage }).push(header(max + 1, type)), { code: 1, subcode: 2 });
  });

  test("is terminal after an error", () => {
    const f = createFramer({ extendedMessage: false });
    expect(() => f.push(header(5, 4))).toThrow(BgpWireError);
    expect(() => f.push(keepalive)).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
  });

  test("does not keep a reference to the caller's chunk for a partial message", () => {
    const f = createFramer({ extendedMessage: false });
    const chunk = keepalive.slice(0, 10);
    f.push(chunk);
    chunk.fill(0);
    expect(f.push(keepalive.subarray(10))).toHaveLength(1);
  });
});
