// A cursor that writes into a buffer sized in advance from sizeOf(). Encoders
// never grow buffers: the packet builder measures once, allocates once, and
// children write in place. Writing past the end means a sizeOf is wrong: a bug,
// reported as a RangeError, never as a WireError (which is about input).

const utf8 = new TextEncoder();

export class Writer {
  readonly bytes: Uint8Array;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }

  static alloc(size: number): Writer {
    return new Writer(new Uint8Array(size));
  }

  #room(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new RangeError(`write of ${n} byte(s) at ${this.offset} overruns a ${this.bytes.length}-byte buffer`);
    }
  }

  u8(v: number): void {
    this.#room(1);
    this.bytes[this.offset++] = v;
  }

  u16(v: number): void {
    this.#room(2);
    this.bytes[this.offset++] = v >>> 8;
    this.bytes[this.offset++] = v;
  }

  u32(v: number): void {
    this.#room(4);
    this.bytes[this.offset++] = v >>> 24;
    this.bytes[this.offset++] = v >>> 16;
    this.bytes[this.offset++] = v >>> 8;
    this.bytes[this.offset++] = v;
  }

  /** A safe non-negative integer as 8 bytes, big-endian. */
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a u64 this codec can write`);
    this.u32(Math.floor(v / 0x1_0000_0000));
    this.u32(v >>> 0);
  }

  put(data: Uint8Array): void {
    this.#room(data.length);
    this.bytes.set(data, this.offset);
    this.offset += data.length;
  }

  shortString(s: string): void {
    const raw = utf8.encode(s);
    if (raw.length > 255) throw new RangeError(`"${s.slice(0, 20)}..." is ${raw.length} bytes, more than a u8 length`);
    this.u8(raw.length);
    this.put(raw);
  }

  patchU16(at: number, v: number): void {
    this.bytes[at] = v >>> 8;
    this.bytes[at + 1] = v;
  }
}

/** Bytes a shortString() of `s` takes on the wire. */
export function shortStringSize(s: string): number {
  return 1 + utf8ByteLength(s);
}

export function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
