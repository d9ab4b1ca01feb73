// l2's binding of @ironlb/core/wire: readers whose short reads are
// L2_TRUNCATED and whose leftover bytes are L2_TRAILING_BYTES, and writers
// whose overruns are L2_INVALID_ARGUMENT. Every codec in this package reads
// and writes through these; the responder turns the errors into drop reasons.
//
// Deliberately not here: the reading and writing themselves (core/wire) and
// any frame layout. No RFC is implemented here.
import { Reader, type ReaderErrors, Writer, type WriterErrors } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";

export const readErrors: ReaderErrors = {
  onTruncated: (what, need, left) => new L2Error("L2_TRUNCATED", `${what}: needs ${need} bytes, ${left} left`),
  onTrailing: (what, left) => new L2Error("L2_TRAILING_BYTES", `${what}: ${left} bytes left over`),
};

export const writeErrors: WriterErrors = {
  onOverflow: (n, offset, size) => new L2Error("L2_INVALID_ARGUMENT", `writer overflow: ${n} bytes at ${offset} of ${size}`),
  // A codec bug, not a caller's mistake or bad input: no L2 code fits.
  onSizeMismatch: (what, written, expected) => new Error(`${what}: encode wrote ${written} bytes but sizeOf said ${expected}`),
};

/** A reader over `bytes[offset, limit)` raising L2Error. A window outside `bytes` is L2_INVALID_ARGUMENT. */
export function l2Reader(bytes: Uint8Array, offset = 0, limit = bytes.length): Reader {
  if (offset < 0 || limit > bytes.length || offset > limit) {
    throw new L2Error("L2_INVALID_ARGUMENT", `reader window ${offset}..${limit} is outside ${bytes.length} bytes`);
  }
  return new Reader(bytes, readErrors, offset, limit);
}

/** A writer over a fresh buffer of `size` bytes (from the codec's sizeOf). */
export function l2Writer(size: number): Writer {
  return Writer.alloc(size, writeErrors);
}
