// The 19-byte message header (RFC 4271 §4.1): 16-byte marker of all ones,
// 2-byte total length, 1-byte type; and the length limits that apply to it.
//
// Limits: 19 <= length <= 4096 (RFC 4271 §4.1); UPDATE, NOTIFICATION and
// ROUTE-REFRESH may reach 65535 once RFC 8654 extended messages apply, OPEN
// and KEEPALIVE never (RFC 8654 §4). Per-type minimum lengths (RFC 4271 §6.1)
// are checked where the type is decoded (message.ts), not here.
import type { Writer } from "@ironlb/core/wire";
import { ErrorCode, HeaderSubcode, MessageType } from "./codes.ts";
import { BgpWireError } from "./errors.ts";

export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** The largest message of `type` allowed when extended messages apply or not. */
export function maxLengthFor(type: number, extended: boolean): number {
  // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 octets.
  if (!extended) return MAX_MESSAGE_LENGTH;
  return type === MessageType.Update || type === MessageType.Notification || type === MessageType.RouteRefresh
    ? MAX_EXTENDED_MESSAGE_LENGTH
    : MAX_MESSAGE_LENGTH;
}

export interface Header {
  readonly length: number;
  readonly type: number;
}

/**
 * Validates the header at `bytes[offset..offset+19)` against the limits.
 * Throws 1/1 for a bad marker and 1/2 (data: the length field) for a bad length.
 */
export function decodeHeader(bytes: Uint8Array, offset: number, extended: boolean): Header {
  for (let i = 0; i < MARKER_LENGTH; i++) {
    // RFC 4271 §6.1: the marker must be all ones.
    if (bytes[offset + i] !== 0xff) {
      throw new BgpWireError("message header: marker is not all ones", {
        code: ErrorCode.MessageHeader,
        subcode: HeaderSubcode.ConnectionNotSynchronized,
      });
    }
  }
  const length = ((bytes[offset + 16] as number) << 8) | (bytes[offset + 17] as number);
  const type = bytes[offset + 18] as number;
  // RFC 4271 §6.1: Bad Message Length carries the erroneous Length field.
  if (length < HEADER_LENGTH || length > maxLengthFor(type, extended)) {
    throw badLength(length, `message header: length ${length} outside ${HEADER_LENGTH}..${maxLengthFor(type, extended)}`);
  }
  return { length, type };
}

export function badLength(length: number, message: string): BgpWireError {
  return new BgpWireError(message, {
    code: ErrorCode.MessageHeader,
    subcode: HeaderSubcode.BadMessageLength,
    data: Uint8Array.of(length >>> 8, length & 0xff),
  });
}

export function encodeHeader(w: Writer, length: number, type: number): void {
  for (let i = 0; i < MARKER_LENGTH; i++) w.u8(0xff);
  w.u16(length);
  w.u8(type);
}
