// Test helper shared by the codec tests: the round-trip laws (after
// dns-packet's testEncoder). For a codec {sizeOf, encode, decode} and a value:
//   1. encode writes exactly sizeOf(value) bytes;
//   2. decode(encode(value)) deep-equals value and consumes every byte;
//   3. re-encoding the decoded value gives the same bytes;
//   4. encoding into a larger buffer at an offset writes the same bytes there,
//      and decoding from that offset gives the value back.
import { expect } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { WireError, type WireErrorCode } from "../errors.ts";
import { wireReadErrors, wireWriteErrors } from "./fields.ts";

export interface Codec<T> {
  sizeOf(value: T): number;
  encode(w: Writer, value: T): void;
  decode(r: Reader): T;
}

export function encodeWith<T>(codec: Codec<T>, value: T): Uint8Array {
  const size = codec.sizeOf(value);
  const w = Writer.alloc(size, wireWriteErrors);
  codec.encode(w, value);
  expect(w.offset, "encode wrote sizeOf bytes").toBe(size);
  return w.bytes;
}

export function decodeWith<T>(codec: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes, wireReadErrors);
  const v = codec.decode(r);
  expect(r.offset, "decode consumed every byte").toBe(bytes.length);
  return v;
}

export function assertCodecLaws<T>(codec: Codec<T>, value: T): Uint8Array {
  const bytes = encodeWith(codec, value);
  const decoded = decodeWith(codec, bytes);
  expect(decoded).toEqual(value);
  expect(encodeWith(codec, decoded)).toEqual(bytes);
  const big = new Uint8Array(bytes.length + 20).fill(0xaa);
  const w = new Writer(big, wireWriteErrors, 10);
  codec.encode(w, value);
  expect(w.offset).toBe(10 + bytes.length);
  expect(big.subarray(10, 10 + bytes.length)).toEqual(bytes);
  const r = new Reader(big, wireReadErrors, 10, 10 + bytes.length);
  expect(codec.decode(r)).toEqual(value);
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

/** Asserts that `fn` throws a WireError with this code; returns it. */
export function expectWireError(fn: () => unknown, code: WireErrorCode): WireError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).code).toBe(code);
    return err as WireError;
  }
  throw new Error(`expected WireError ${code}, nothing was thrown`);
}
