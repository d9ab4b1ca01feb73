// A cursor that writes into a buffer sized in advance from sizeOf(). Encoders
// never grow buffers: a parent measures once, allocates once, and children
// write in place; writing past the end is a bug in a sizeOf, reported as such.
import { BgpAssertionError } from "./errors.ts";

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
      throw new BgpAssertionError(`write of ${n} byte(s) at ${this.offset} overruns a ${this.bytes.length}-byte buffer`);
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

  put(data: Uint8Array): void {
    this.#room(data.length);
    this.bytes.set(data, this.offset);
    this.offset += data.length;
  }

  /** Writes a u16 at an earlier position (a length field known only afterwards). */
  patchU16(at: number, v: number): void {
    this.bytes[at] = v >>> 8;
    this.bytes[at + 1] = v;
  }
}

/** Asserts an encoder wrote exactly what its sizeOf promised. */
export function checkWritten(what: string, w: Writer, start: number, expected: number): void {
  const written = w.offset - start;
  if (written !== expected) throw new BgpAssertionError(`${what}: wrote ${written} byte(s), sizeOf said ${expected}`);
}
