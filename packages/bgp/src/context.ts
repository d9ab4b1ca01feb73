// What the codec needs to know about the session it serves, passed explicitly
// to every encode and decode (never a global, never a variadic option list).
//
// - fourOctetAs: both sides advertised the RFC 6793 capability, so AS_PATH and
//   AGGREGATOR carry 4-octet AS numbers; otherwise 2-octet with AS_TRANS and
//   the AS4_* attributes.
// - extendedMessage: both sides advertised RFC 8654, so UPDATE, NOTIFICATION
//   and ROUTE-REFRESH may be up to 65535 bytes when sent. (What we accept is
//   decided by what we advertised: see framer.ts.)
// - addPath: RFC 7911 is not implemented; the field says so where a reader
//   would look for it.

export interface CodecContext {
  readonly fourOctetAs: boolean;
  readonly extendedMessage: boolean;
  readonly addPath: "none";
}

/** Before OPENs are exchanged: the RFC 4271 baseline. */
export const baseContext: CodecContext = Object.freeze({ fourOctetAs: false, extendedMessage: false, addPath: "none" });

export function codecContext(options: { readonly fourOctetAs: boolean; readonly extendedMessage: boolean }): CodecContext {
  return Object.freeze({ fourOctetAs: options.fourOctetAs, extendedMessage: options.extendedMessage, addPath: "none" });
}
