// A bounds-checked cursor over received bytes. Every decoder reads through one.
//
// A Reader sees `bytes[offset, limit)`. Each nested length field of the wire
// format (message, optional parameters, capability, withdrawn routes, attribute
// block, attribute) opens a sub-reader limited to the declared length, so a
// decoder can never read into its neighbour; `end()` rejects leftover bytes.
// A read past the limit throws the BgpWireError the reader was built with,
// because what a truncation means depends on where it happens (RFC 4271 §6.1
// vs §6.2 vs §6.3).
//
// Returned byte arrays are views into the caller's buffer, not copies.
import type { BgpWireError } from "./errors.ts";

export type ShortReadError = (what: string) => BgpWireError;

export class Reader {
  readonly bytes: Uint8Array;
  offset: number;
  readonly limit: number;
  readonly #fail: ShortReadError;

  constructor(bytes: Uint8Array, fail: ShortReadError, offset = 0, limit = bytes.length) {
    if (offset < 0 || limit > bytes.length || offset > limit) {
      throw new RangeError(`reader window [${offset}, ${limit}) is outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.offset = offset;
    this.limit = limit;
    this.#fail = fail;
  }

  get remaining(): number {
    return this.limit - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  require(n: number, what: string): void {
    if (n > this.limit - this.offset) throw this.#fail(`${what}: need ${n} byte(s), ${this.limit - this.offset} left`);
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

  /** The next `n` bytes as a view. */
  take(n: number, what: string): Uint8Array {
    this.require(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** Everything up to the limit, as a view. */
  rest(): Uint8Array {
    const v = this.bytes.subarray(this.offset, this.limit);
    this.offset = this.limit;
    return v;
  }

  /** A reader over the next `n` bytes (checked), advancing this one past them. */
  sub(n: number, what: string, fail: ShortReadError = this.#fail): Reader {
    this.require(n, what);
    const r = new Reader(this.bytes, fail, this.offset, this.offset + n);
    this.offset += n;
    return r;
  }

  /** Throws unless every byte up to the limit was consumed. */
  end(what: string, fail: ShortReadError = this.#fail): void {
    if (this.offset !== this.limit) throw fail(`${what}: ${this.limit - this.offset} trailing byte(s)`);
  }
}
