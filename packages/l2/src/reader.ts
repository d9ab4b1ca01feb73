// One bounds-checked reader and one size-checked writer for every codec in
// this package. A Reader covers [offset, limit) of a byte array; `sub(n)`
// opens a reader limited to a declared length and `end()` rejects whatever
// is left, so a nested length can never be overrun or under-consumed
// silently. Writers are allocated from sizeOf() and `finish()` asserts that
// exactly that many bytes were written.
import { L2Error } from "./errors.ts";

export class Reader {
  #bytes: Uint8Array;
  #pos: number;
  readonly #limit: number;

  constructor(bytes: Uint8Array, offset = 0, limit = bytes.length) {
    if (offset < 0 || limit > bytes.length || offset > limit) {
      throw new L2Error("L2_INVALID_ARGUMENT", `reader window ${offset}..${limit} is outside ${bytes.length} bytes`);
    }
    this.#bytes = bytes;
    this.#pos = offset;
    this.#limit = limit;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#limit - this.#pos;
  }

  require(n: number, what: string): void {
    if (n > this.remaining) throw new L2Error("L2_TRUNCATED", `${what}: needs ${n} bytes, ${this.remaining} left`);
  }

  u8(what: string): number {
    this.require(1, what);
    return this.#bytes[this.#pos++] as number;
  }

  u16(what: string): number {
    this.require(2, what);
    const v = ((this.#bytes[this.#pos] as number) << 8) | (this.#bytes[this.#pos + 1] as number);
    this.#pos += 2;
    return v;
  }

  u32(what: string): number {
    this.require(4, what);
    const b = this.#bytes;
    const p = this.#pos;
    this.#pos += 4;
    return (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
  }

  /** A copy of the next `n` bytes (decoded values never alias the input). */
  bytes(n: number, what: string): Uint8Array {
    this.require(n, what);
    const out = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /**
   * The next `n` bytes without copying, for immediate conversion (a MAC to
   * text, say): the view aliases the input, so it must not be kept.
   */
  view(n: number, what: string): Uint8Array {
    this.require(n, what);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Everything up to the limit. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, "rest");
  }

  skip(n: number, what: string): void {
    this.require(n, what);
    this.#pos += n;
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number, what: string): Reader {
    this.require(n, what);
    const r = new Reader(this.#bytes, this.#pos, this.#pos + n);
    this.#pos += n;
    return r;
  }

  /** Throws L2_TRAILING_BYTES unless everything was consumed. */
  end(what: string): void {
    if (this.remaining !== 0) throw new L2Error("L2_TRAILING_BYTES", `${what}: ${this.remaining} bytes left over`);
  }
}

export class Writer {
  readonly bytes: Uint8Array;
  #pos: number;
  readonly #start: number;

  /** Writes into `bytes` from `offset`, or into a fresh array of `size` bytes. */
  constructor(sizeOrBytes: number | Uint8Array, offset = 0) {
    this.bytes = typeof sizeOrBytes === "number" ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
    this.#pos = offset;
    this.#start = offset;
  }

  get offset(): number {
    return this.#pos;
  }

  #room(n: number): void {
    if (this.#pos + n > this.bytes.length) {
      throw new L2Error("L2_INVALID_ARGUMENT", `writer overflow: ${n} bytes at ${this.#pos} of ${this.bytes.length}`);
    }
  }

  u8(v: number): void {
    this.#room(1);
    this.bytes[this.#pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.#room(2);
    this.bytes[this.#pos++] = (v >>> 8) & 0xff;
    this.bytes[this.#pos++] = v & 0xff;
  }

  u32(v: number): void {
    this.#room(4);
    this.bytes[this.#pos++] = (v >>> 24) & 0xff;
    this.bytes[this.#pos++] = (v >>> 16) & 0xff;
    this.bytes[this.#pos++] = (v >>> 8) & 0xff;
    this.bytes[this.#pos++] = v & 0xff;
  }

  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.bytes.set(b, this.#pos);
    this.#pos += b.length;
  }

  zeros(n: number): void {
    this.#room(n);
    this.bytes.fill(0, this.#pos, this.#pos + n);
    this.#pos += n;
  }

  /** Asserts that exactly `expected` bytes were written since construction (sizeOf == encode). */
  finish(expected: number, what: string): void {
    const written = this.#pos - this.#start;
    if (written !== expected) throw new Error(`${what}: encode wrote ${written} bytes but sizeOf said ${expected}`);
  }
}
