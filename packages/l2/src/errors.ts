// The error type of @ironlb/l2. Decoders throw it with a stable `code`; the
// responder turns it into a "malformed" drop reason and never lets it escape.
// Tests assert codes, never messages.

export type L2ErrorCode =
  /** Fewer bytes than a field or a declared length needs. */
  | "L2_TRUNCATED"
  /** Bytes left over inside a length-delimited unit. */
  | "L2_TRAILING_BYTES"
  /** A length field that is zero or otherwise impossible. */
  | "L2_BAD_LENGTH"
  /** A version or type this codec does not speak (e.g. non-Ethernet ARP). */
  | "L2_UNSUPPORTED"
  /** A field value the RFC forbids (e.g. an ICMPv6 code other than 0 on NS/NA). */
  | "L2_INVALID_FIELD"
  /** The ICMPv6 checksum does not match the pseudo-header and message. */
  | "L2_CHECKSUM"
  /** A value out of range on encode, or a bad argument. */
  | "L2_INVALID_ARGUMENT";

export class L2Error extends Error {
  readonly code: L2ErrorCode;
  constructor(code: L2ErrorCode, message: string) {
    super(message);
    this.name = "L2Error";
    this.code = code;
  }
}
