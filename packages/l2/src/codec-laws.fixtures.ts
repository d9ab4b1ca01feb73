// assertCodecLaws (house style rule 22): for a codec triplet and a value,
// decode(encode(v)) equals v, encode writes exactly sizeOf(v) bytes,
// re-encoding is byte-stable, and encoding at an offset inside a larger
// buffer writes the same bytes there and nothing elsewhere.
import { expect } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { l2ReadErrors, l2WriteErrors } from "./wire.ts";

export interface Codec<T> {
  readonly decode: (r: Reader) => T;
  readonly encode: (w: Writer, v: T) => void;
  readonly sizeOf: (v: T) => number;
}

export function assertCodecLaws<T>(codec: Codec<T>, value: T): Uint8Array {
  const size = codec.sizeOf(value);
  const w = Writer.alloc(size, l2WriteErrors);
  codec.encode(w, value);
  expect(w.offset).toBe(size);
  const bytes = w.bytes;
  const r = new Reader(bytes, l2ReadErrors);
  const decoded = codec.decode(r);
  expect(r.remaining).toBe(0);
  expect(decoded).toEqual(value);
  const again = Writer.alloc(codec.sizeOf(decoded), l2WriteErrors);
  codec.encode(again, decoded);
  expect(Buffer.from(again.bytes).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
  const big = new Uint8Array(size + 11).fill(0xa5);
  const at = new Writer(big, l2WriteErrors, 7);
  codec.encode(at, value);
  expect(Buffer.from(big.subarray(7, 7 + size)).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
  expect([...big.subarray(0, 7), ...big.subarray(7 + size)].every((b) => b === 0xa5)).toBe(true);
  return bytes;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+|\/\/[^\n]*/g, ""), "hex"));
