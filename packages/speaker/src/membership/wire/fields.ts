// Membership's binding of @ironlb/core/wire, and the two field encodings its
// datagrams add to the shared primitives.
//
// Readers raise WireError: a field or a declared length that runs past the
// end is WIRE_TRUNCATED, bytes left over in a length-delimited structure are
// WIRE_TRAILING, so a hostile length can never make a decoder read into its
// neighbour. Writers raise RangeError: overrunning the buffer or disagreeing
// with sizeOf is a bug in a codec, never bad input (not a WireError).
//
//   u64           8 bytes big-endian, below 2^53 (a JavaScript safe integer)
//   short string  u8 length, then that many bytes of UTF-8
//
// Deliberately not here: the reading and writing themselves (core/wire), and
// what a field means (messages.ts, packet.ts, endpoint.ts).
import type { Reader, ReaderErrors, Writer, WriterErrors } from "@ironlb/core/wire";
import { WireError } from "../errors.ts";

/** For `new Reader(bytes, wireReadErrors)` over a received datagram or part of one. */
export const wireReadErrors: ReaderErrors = {
  onTruncated: (what, need, left) => new WireError("WIRE_TRUNCATED", `${what}: need ${need} byte(s), ${left} left`),
  onTrailing: (what, left) => new WireError("WIRE_TRAILING", `${what}: ${left} trailing byte(s)`),
};

/** For `Writer.alloc(size, wireWriteErrors)` with the size from the codec's sizeOf. */
export const wireWriteErrors: WriterErrors = {
  onOverflow: (n, offset, size) => new RangeError(`write of ${n} byte(s) at ${offset} overruns a ${size}-byte buffer`),
  onSizeMismatch: (what, written, expected) => new RangeError(`${what}: wrote ${written} byte(s), sizeOf said ${expected}`),
};

/** A u64 that must fit a JavaScript safe integer (< 2^53); larger is WIRE_INVALID. */
export function readU64(r: Reader, what: string): number {
  const hi = r.u32(what);
  const lo = r.u32(what);
  if (hi > 0x1f_ffff) throw new WireError("WIRE_INVALID", `${what}: ${hi} * 2^32 + ${lo} exceeds 2^53 - 1`);
  return hi * 0x1_0000_0000 + lo;
}

/** A safe non-negative integer as 8 bytes, big-endian. */
export function writeU64(w: Writer, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a u64 this codec can write`);
  w.u32(Math.floor(v / 0x1_0000_0000));
  w.u32(v >>> 0);
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** A u8 length followed by that many bytes of UTF-8 (invalid UTF-8 is WIRE_INVALID). */
export function readShortString(r: Reader, what: string): string {
  const n = r.u8(`${what} length`);
  const raw = r.take(n, what);
  try {
    return utf8Decoder.decode(raw);
  } catch {
    throw new WireError("WIRE_INVALID", `${what}: not valid UTF-8`);
  }
}

export function writeShortString(w: Writer, s: string): void {
  const raw = utf8Encoder.encode(s);
  if (raw.length > 255) throw new RangeError(`"${s.slice(0, 20)}..." is ${raw.length} bytes, more than a u8 length`);
  w.u8(raw.length);
  w.put(raw);
}

/** Bytes a short string of `s` takes on the wire. */
export function shortStringSize(s: string): number {
  return 1 + Buffer.byteLength(s, "utf8");
}
