// BGP's binding of @ironlb/core/wire: the errors its readers and writers
// raise. Short reads and leftover bytes become the BgpWireError the caller
// chose; overruns and sizeOf disagreements are BgpAssertionError
// (BGP_ASSERTION).
//
// A reader's errors are built from a `ShortReadError`, because what a
// truncation means depends on where it happens (RFC 4271 §6.1 message header
// vs §6.2 OPEN vs §6.3 UPDATE): the function turns the reader's sentence into
// the right NOTIFICATION code, subcode and remedy. Decoders construct the
// shared classes directly (`new Reader(bytes, bgpReadErrors(fail))`,
// `Writer.alloc(size, bgpWriteErrors)`): helper wrappers spend the inlining
// budget of the hot paths. Deliberately not here: the reading and writing
// themselves (core/wire) and any knowledge of message layouts.
import type { ReaderErrors, WriterErrors } from "@ironlb/core/wire";
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

/** Reader errors that raise what `fail` builds: `new Reader(bytes, bgpReadErrors(fail))`, `r.sub(n, what, bgpReadErrors(fail))`. */
export function bgpReadErrors(fail: ShortReadError): ReaderErrors {
  return new ShortReads(fail);
}

/** An encoder bug, never caused by bytes from the network: `Writer.alloc(size, bgpWriteErrors)`. */
export const bgpWriteErrors: WriterErrors = {
  onOverflow: (n, offset, size) => new BgpAssertionError(`write of ${n} byte(s) at ${offset} overruns a ${size}-byte buffer`),
  onSizeMismatch: (what, written, expected) => new BgpAssertionError(`${what}: wrote ${written} byte(s), sizeOf said ${expected}`),
};
