// Test helper shared by every codec test: the round-trip laws (after
// dns-packet's testEncoder). For a codec {sizeOf, encode, decode} and a value:
//   1. encode writes exactly sizeOf(value) bytes;
//   2. decode(encode(value)) deep-equals value and consumes every byte;
//   3. re-encoding the decoded value gives the same bytes;
//   4. encoding into a larger buffer at an offset writes the same bytes there,
//      and decoding from that offset gives the value back.
import { Reader, Writer } from "@ironlb/core/wire";
import { expect } from "vitest";
import type { CodecContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { bgpReadErrors, bgpWriteErrors } from "./wire.ts";

export interface Codec<T> {
  sizeOf(value: T, ctx: CodecContext): number;
  encode(w: Writer, value: T, ctx: CodecContext): void;
  decode(r: Reader, ctx: CodecContext): T;
}

const shortRead = (what: string) => new BgpWireError(`test reader: ${what}`, { code: 0, subcode: 0 });

export function encodeWith<T>(codec: Codec<T>, value: T, ctx: CodecContext): Uint8Array {
  const size = codec.sizeOf(value, ctx);
  const w = Writer.alloc(size, bgpWriteErrors);
  codec.encode(w, value, ctx);
  expect(w.offset, "encode wrote sizeOf bytes").toBe(size);
  return w.bytes;
}

export function decodeWith<T>(codec: Codec<T>, bytes: Uint8Array, ctx: CodecContext, offset = 0): T {
  const r = new Reader(bytes, bgpReadErrors(shortRead), offset);
  const v = codec.decode(r, ctx);
  expect(r.offset, "decode consumed every byte").toBe(bytes.length);
  return v;
}

/** Asserts the round-trip laws; returns the encoding for further checks. */
export function assertCodecLaws<T>(codec: Codec<T>, value: T, ctx: CodecContext): Uint8Array {
  const bytes = encodeWith(codec, value, ctx);
  const decoded = decodeWith(codec, bytes, ctx);
  expect(decoded).toEqual(value);
  expect(encodeWith(codec, decoded, ctx)).toEqual(bytes);
  const big = new Uint8Array(bytes.length + 20).fill(0xaa);
  const w = new Writer(big, bgpWriteErrors, 10);
  codec.encode(w, value, ctx);
  expect(w.offset).toBe(10 + bytes.length);
  expect(big.subarray(10, 10 + bytes.length)).toEqual(bytes);
  const r = new Reader(big, bgpReadErrors(shortRead), 10, 10 + bytes.length);
  expect(codec.decode(r, ctx)).toEqual(value);
  expect(r.offset).toBe(10 + bytes.length);
  return bytes;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Hex with spaces, comments after "//" and line breaks ignored. */
export function unhex(text: string): Uint8Array {
  const clean = text.replace(/\/\/[^\n]*/g, "").replace(/[^0-9a-fA-F]/g, "");
  return new Uint8Array(Buffer.from(clean, "hex"));
}

/** Asserts that `fn` throws a BgpWireError with these fields. */
export function expectWireError(fn: () => unknown, want: { code: number; subcode: number; remedy?: string; data?: Uint8Array }): BgpWireError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BgpWireError);
    const e = err as BgpWireError;
    expect({ code: e.code, subcode: e.subcode }).toEqual({ code: want.code, subcode: want.subcode });
    if (want.remedy !== undefined) expect(e.remedy).toBe(want.remedy);
    if (want.data !== undefined) expect(hex(e.data)).toBe(hex(want.data));
    return e;
  }
  throw new Error("expected a BgpWireError, nothing was thrown");
}
