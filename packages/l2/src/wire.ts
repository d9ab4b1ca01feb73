// l2's binding of @ironlb/core/wire: the errors its readers and writers raise.
// Short reads are L2_TRUNCATED, leftover bytes L2_TRAILING_BYTES, a reader
// window outside its bytes or a write past the buffer L2_INVALID_ARGUMENT.
// Every codec in this package reads through `new Reader(bytes, l2ReadErrors)`
// and writes through `Writer.alloc(size, l2WriteErrors)`; the responder turns
// the errors into drop reasons.
//
// Constructing the shared classes directly, not through helper functions,
// is deliberate: a wrapper around `new Reader` cost about 300 instructions per
// parsed ARP frame (valgrind, node --single-threaded, 100k frames), because
// the inlining budget of the parse path went on the wrapper instead of reads.
//
// Deliberately not here: the reading and writing themselves (core/wire) and
// any frame layout. No RFC is implemented here.
import type { ReaderErrors, WriterErrors } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";

export const l2ReadErrors: ReaderErrors = {
  onTruncated: (what, need, left) => new L2Error("L2_TRUNCATED", `${what}: needs ${need} bytes, ${left} left`),
  onTrailing: (what, left) => new L2Error("L2_TRAILING_BYTES", `${what}: ${left} bytes left over`),
  onBadWindow: (offset, limit, size) => new L2Error("L2_INVALID_ARGUMENT", `reader window ${offset}..${limit} is outside ${size} bytes`),
};

export const l2WriteErrors: WriterErrors = {
  onOverflow: (n, offset, size) => new L2Error("L2_INVALID_ARGUMENT", `writer overflow: ${n} bytes at ${offset} of ${size}`),
  // A codec bug, not a caller's mistake or bad input: no L2 code fits.
  onSizeMismatch: (what, written, expected) => new Error(`${what}: encode wrote ${written} bytes but sizeOf said ${expected}`),
};
