// BGP's binding of @ironlb/core/wire: readers whose short reads and leftover
// bytes become the BgpWireError the caller chose, and writers whose overruns
// and sizeOf disagreements are BgpAssertionError (BGP_ASSERTION).
//
// A reader is built with a `ShortReadError`, because what a truncation means
// depends on where it happens (RFC 4271 §6.1 message header vs §6.2 OPEN vs
// §6.3 UPDATE): the function turns the reader's sentence into the right
// NOTIFICATION code, subcode and remedy. Deliberately not here: the reading
// and writing themselves (core/wire) and any knowledge of message layouts.
import { Reader, type ReaderErrors, Writer, type WriterErrors } from "@ironlb/core/wire";
import { BgpAssertionError, type BgpWireError } from "./errors.ts";

/** Builds the BgpWireError for a short read or leftover bytes, from a sentence saying which. */
export type ShortReadError = (message: string) => BgpWireError;

// A class rather than an object of two closures: one allocation per reader
// that needs its own meaning (a message, an attribute value), and the
// sentences are built only when a read fails.
class ShortReads implements ReaderErrors {
  readonly #fail: ShortReadError;
  constructor(fail: ShortReadError) {
    this.#fail = fail;
  }
  onTruncated(what: string, need: number, left: number): BgpWireError {
    return this.#fail(`${what}: need ${need} byte(s), ${left} left`);
  }
  onTrailing(what: string, left: number): BgpWireError {
    return this.#fail(`${what}: ${left} trailing byte(s)`);
  }
}

/** Reader errors that raise what `fail` builds (for `Reader.sub` and `Reader.end`). */
export function readErrors(fail: ShortReadError): ReaderErrors {
  return new ShortReads(fail);
}

/** A reader over `bytes[offset, limit)` whose failures are what `fail` builds. */
export function reader(bytes: Uint8Array, fail: ShortReadError, offset = 0, limit = bytes.length): Reader {
  return new Reader(bytes, new ShortReads(fail), offset, limit);
}

/** An encoder bug: never caused by bytes from the network. */
export const writeErrors: WriterErrors = {
  onOverflow: (n, offset, size) => new BgpAssertionError(`write of ${n} byte(s) at ${offset} overruns a ${size}-byte buffer`),
  onSizeMismatch: (what, written, expected) => new BgpAssertionError(`${what}: wrote ${written} byte(s), sizeOf said ${expected}`),
};

/** A writer over a fresh buffer of `size` bytes (a parent's sizeOf). */
export function allocWriter(size: number): Writer {
  return Writer.alloc(size, writeErrors);
}
