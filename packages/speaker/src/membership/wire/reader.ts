// A bounds-checked cursor over a received datagram. Every decoder reads
// through one; a read past `limit` throws WireError("WIRE_TRUNCATED"), so a
// hostile length can never make a decoder read into its neighbour, and a
// nested length opens a sub-reader limited to it (`sub`), whose leftovers are
// an error (`end`). Returned byte arrays are views, not copies.
import { WireError } from "../errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class Reader {
  readonly bytes: Uint8Array;
  offset: number;
  readonly limit: number;

  constructor(bytes: Uint8Array, offset = 0, limit = bytes.length) {
    if (offset < 0 || limit > bytes.length || offset > limit) {
      throw new RangeError(`reader window [${offset}, ${limit}) is outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.offset = offset;
    this.limit = limit;
  }

  get remaining(): number {
    return this.limit - this.offset;
  }

  require(n: number, what: string): void {
    if (n > this.limit - this.offset) {
      throw new WireError("WIRE_TRUNCATED", `${what}: need ${n} byte(s), ${this.limit - this.offset} left`);
    }
  }

  u8(what: string): number {
    this.require(1, what);
    return this.bytes[this.offset++] as number;
  }

  u16(what: string): number {
    this.require(2, what);
    const b = this.bytes;
    const v = ((b[this.offset] as number) << 8) | (b[this.offset + 1] as number);
    this.offset += 2;
    return v;
  }

  u32(what: string): number {
    this.require(4, what);
    const b = this.bytes;
    const o = this.offset;
    const v = (b[o] as number) * 0x100_0000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));
    this.offset += 4;
    return v;
  }

  /** A u64 that must fit a JavaScript safe integer (< 2^53); larger is WIRE_INVALID. */
  u64(what: string): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi > 0x1f_ffff) throw new WireError("WIRE_INVALID", `${what}: ${hi} * 2^32 + ${lo} exceeds 2^53 - 1`);
    return hi * 0x1_0000_0000 + lo;
  }

  take(n: number, what: string): Uint8Array {
    this.require(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A u8 length followed by that many bytes of UTF-8 (invalid UTF-8 is WIRE_INVALID). */
  shortString(what: string): string {
    const n = this.u8(`${what} length`);
    const raw = this.take(n, what);
    try {
      return utf8.decode(raw);
    } catch {
      throw new WireError("WIRE_INVALID", `${what}: not valid UTF-8`);
    }
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, what: string): Reader {
    this.require(n, what);
    const r = new Reader(this.bytes, this.offset, this.offset + n);
    this.offset += n;
    return r;
  }

  end(what: string): void {
    if (this.offset !== this.limit) throw new WireError("WIRE_TRAILING", `${what}: ${this.limit - this.offset} trailing byte(s)`);
  }
}
