// The one bounds-checked cursor over received bytes that every binary decoder
// in the project reads through (BGP, ARP/NDP, membership datagrams).
//
// A Reader sees `bytes[offset, limit)`. Each nested length field of a wire
// format opens a sub-reader limited to the declared length (`sub`), so a
// decoder can never read into its neighbour, and `end()` rejects bytes left
// over inside it. Byte arrays come back as views (`take`, `rest`) or as
// copies (`copy`) when the decoded value must not alias the input.
//
// Deliberately not here: any protocol's error type. What a truncation means
// depends on the protocol and on where it happens (RFC 4271 §6.1 vs §6.2 vs
// §6.3 for BGP), so the caller passes `ReaderErrors` that build its own
// error; `sub` and `end` take another set where the meaning changes. The
// factories run only on failure: a successful read allocates nothing. One
// class with the errors as a field, not a subclass per protocol, keeps every
// read a monomorphic call in a process that speaks several protocols.
// No RFC is implemented here.

/** Builds the error a protocol raises when its input is short or too long. */
export interface ReaderErrors {
  /** A read of `need` bytes found only `left` before the limit. */
  onTruncated(what: string, need: number, left: number): Error;
  /** `end()` found `left` bytes not consumed. */
  onTrailing(what: string, left: number): Error;
  /** The constructor's window lies outside a `size`-byte input: the caller's bug. Default: a RangeError. */
  onBadWindow?(offset: number, limit: number, size: number): Error;
}

// Buffer overrides slice() to return a view; sockets hand us Buffers, and a
// copy must be a copy whatever the input's class.
const typedSlice = Uint8Array.prototype.slice;

export class Reader {
  readonly bytes: Uint8Array;
  /** The next byte to read; decoders that parse in place may advance it. */
  offset: number;
  readonly limit: number;
  readonly errors: ReaderErrors;

  constructor(bytes: Uint8Array, errors: ReaderErrors, offset = 0, limit = bytes.length) {
    // A bad window is the caller's bug, never the input's; checked here once
    // so that no protocol wraps the constructor in a second check.
    if (offset < 0 || limit > bytes.length || offset > limit) {
      throw errors.onBadWindow?.(offset, limit, bytes.length) ?? new RangeError(`reader window [${offset}, ${limit}) is outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.offset = offset;
    this.limit = limit;
    this.errors = errors;
  }

  get remaining(): number {
    return this.limit - this.offset;
  }

  /** Throws the protocol's truncation error unless `n` more bytes are available. */
  require(n: number, what: string): void {
    if (n > this.limit - this.offset) throw this.errors.onTruncated(what, n, this.limit - this.offset);
  }

  u8(what: string): number {
    this.require(1, what);
    return this.bytes[this.offset++] as number;
  }

  u16(what: string): number {
    this.require(2, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return ((b[o] as number) << 8) | (b[o + 1] as number);
  }

  u32(what: string): number {
    this.require(4, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    // The multiply keeps the top byte unsigned without a `>>> 0` round trip.
    return (b[o] as number) * 0x100_0000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));
  }

  /** The next `n` bytes as a view into the input (valid as long as the input is). */
  take(n: number, what: string): Uint8Array {
    this.require(n, what);
    const o = this.offset;
    this.offset = o + n;
    return this.bytes.subarray(o, o + n);
  }

  /** A copy of the next `n` bytes, for decoded values that must not alias the input. */
  copy(n: number, what: string): Uint8Array {
    this.require(n, what);
    const o = this.offset;
    this.offset = o + n;
    return typedSlice.call(this.bytes, o, o + n);
  }

  skip(n: number, what: string): void {
    this.require(n, what);
    this.offset += n;
  }

  /** Everything up to the limit, as a view. */
  rest(): Uint8Array {
    const o = this.offset;
    this.offset = this.limit;
    return this.bytes.subarray(o, this.limit);
  }

  /**
   * A reader over the next `n` bytes (checked), advancing this one past them.
   * It raises `errors`, by default this reader's.
   */
  sub(n: number, what: string, errors: ReaderErrors = this.errors): Reader {
    this.require(n, what);
    const o = this.offset;
    this.offset = o + n;
    return new Reader(this.bytes, errors, o, o + n);
  }

  /** Throws the protocol's trailing-bytes error unless everything up to the limit was read. */
  end(what: string, errors: ReaderErrors = this.errors): void {
    if (this.offset !== this.limit) throw errors.onTrailing(what, this.limit - this.offset);
  }
}
