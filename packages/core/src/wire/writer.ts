// The one cursor every binary encoder in the project writes through, into a
// buffer sized in advance from the codec's sizeOf(). Encoders never grow
// buffers: a parent measures once, allocates once, and children write in
// place; `assertWritten` checks that an encoder wrote what its sizeOf said.
//
// Deliberately not here: growing, and any protocol's error type. Writing past
// the end or disagreeing with sizeOf is a bug in a codec, never bad input, and
// each protocol reports its bugs its own way (BGP_ASSERTION, an L2Error, a
// RangeError), so the caller passes `WriterErrors`. No RFC is implemented here.

/** Builds the error a protocol raises when one of its encoders is wrong. */
export interface WriterErrors {
  /** A write of `n` bytes at `offset` would pass the end of a `size`-byte buffer. */
  onOverflow(n: number, offset: number, size: number): Error;
  /** An encoder wrote `written` bytes where its sizeOf promised `expected`. */
  onSizeMismatch(what: string, written: number, expected: number): Error;
}

export class Writer {
  readonly bytes: Uint8Array;
  /** The next byte to write. */
  offset: number;
  readonly errors: WriterErrors;

  constructor(bytes: Uint8Array, errors: WriterErrors, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
    this.errors = errors;
  }

  /** A writer over a fresh zeroed buffer of `size` bytes. */
  static alloc(size: number, errors: WriterErrors): Writer {
    return new Writer(new Uint8Array(size), errors);
  }

  #room(n: number): void {
    if (this.offset + n > this.bytes.length) throw this.errors.onOverflow(n, this.offset, this.bytes.length);
  }

  // Stores into a Uint8Array truncate modulo 256, so no `& 0xff` is needed.
  u8(v: number): void {
    this.#room(1);
    this.bytes[this.offset++] = v;
  }

  u16(v: number): void {
    this.#room(2);
    const b = this.bytes;
    const o = this.offset;
    b[o] = v >>> 8;
    b[o + 1] = v;
    this.offset = o + 2;
  }

  u32(v: number): void {
    this.#room(4);
    const b = this.bytes;
    const o = this.offset;
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.offset = o + 4;
  }

  put(data: Uint8Array): void {
    const n = data.length;
    this.#room(n);
    const b = this.bytes;
    const o = this.offset;
    // TypedArray#set costs a builtin call that dwarfs copying a few bytes (wire prefixes are 1-17).
    if (n <= 32) for (let i = 0; i < n; i++) b[o + i] = data[i] as number;
    else b.set(data, o);
    this.offset = o + n;
  }

  zeros(n: number): void {
    this.#room(n);
    this.bytes.fill(0, this.offset, this.offset + n);
    this.offset += n;
  }

  /** Writes a u16 at an earlier position (a length field known only afterwards). */
  patchU16(at: number, v: number): void {
    // A typed array ignores stores out of range; a wrong `at` must not vanish silently.
    if (at < 0 || at + 2 > this.bytes.length) throw this.errors.onOverflow(2, at, this.bytes.length);
    this.bytes[at] = v >>> 8;
    this.bytes[at + 1] = v;
  }

  /** Throws unless exactly `expected` bytes were written since `start` (the encoder's first offset). */
  assertWritten(what: string, expected: number, start: number): void {
    const written = this.offset - start;
    if (written !== expected) throw this.errors.onSizeMismatch(what, written, expected);
  }
}
