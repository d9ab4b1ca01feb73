// The two errors of the membership module, each with a stable string `code`
// that callers and tests branch on (never on the message text).
//
// - MembershipError: a caller's mistake (bad address, bad config, no key,
//   calling join() before start()). Thrown synchronously at the API.
// - WireError: a received datagram that does not decode. Only the codec
//   throws it, and the packet path turns it into a counted `packetRejected`
//   event; it never escapes to the speaker.

export type MembershipErrorCode =
  | "MEMBERSHIP_BAD_ADDRESS" // not IP, IP:PORT or [IPv6]:PORT, or a port out of range
  | "MEMBERSHIP_BAD_CONFIG" // a config value out of range (the message names it)
  | "MEMBERSHIP_BAD_NAME" // a member name that is empty or longer than 253 UTF-8 bytes
  | "MEMBERSHIP_NO_KEY" // no shared key: an unauthenticated cluster is not offered
  | "MEMBERSHIP_NO_ADVERTISE" // bound to a wildcard address without an advertise address
  | "MEMBERSHIP_STOPPED"; // start() after stop(): a stopped membership has closed its socket

export class MembershipError extends Error {
  override readonly name = "MembershipError";
  constructor(
    readonly code: MembershipErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export type WireErrorCode =
  | "WIRE_TRUNCATED" // a field or a declared length runs past the end
  | "WIRE_TRAILING" // bytes left over after a length-delimited structure
  | "WIRE_INVALID"; // a value the format does not allow (family, state, range)

export class WireError extends Error {
  override readonly name = "WireError";
  constructor(
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
