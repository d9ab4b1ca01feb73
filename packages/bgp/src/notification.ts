// NOTIFICATION (RFC 4271 §4.5): error code, subcode, data; and the RFC 9003
// shutdown communication carried in the data of Cease / Administrative
// Shutdown and Cease / Administrative Reset (one length octet, then up to 255
// octets of UTF-8).
//
// A NOTIFICATION always ends the session, so its decoder is lenient: a bad
// shutdown communication is reported as undefined, never as an error
// (RFC 9003 §4: an invalid one is logged and ignored).
import type { Reader, Writer } from "@ironlb/core/wire";
import { CeaseSubcode, ErrorCode, errorCodeName, errorSubcodeName } from "./codes.ts";
import { BgpAssertionError } from "./errors.ts";

export interface NotificationMessage {
  readonly type: "notification";
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export function sizeOfNotification(n: NotificationMessage): number {
  return 2 + n.data.length;
}

export function encodeNotification(w: Writer, n: NotificationMessage): void {
  w.u8(n.code);
  w.u8(n.subcode);
  w.put(n.data);
}

export function decodeNotification(r: Reader): NotificationMessage {
  const code = r.u8("error code");
  const subcode = r.u8("error subcode");
  return { type: "notification", code, subcode, data: r.rest() };
}

const MAX_SHUTDOWN_BYTES = 255; // RFC 9003 §2

function carriesShutdownMessage(n: { readonly code: number; readonly subcode: number }): boolean {
  return n.code === ErrorCode.Cease && (n.subcode === CeaseSubcode.AdministrativeShutdown || n.subcode === CeaseSubcode.AdministrativeReset);
}

/** A Cease NOTIFICATION with an RFC 9003 shutdown communication (truncated to 255 bytes on a UTF-8 boundary). */
export function ceaseNotification(subcode: number, message?: string): NotificationMessage {
  if (message === undefined || message === "") return { type: "notification", code: ErrorCode.Cease, subcode, data: new Uint8Array(0) };
  if (!carriesShutdownMessage({ code: ErrorCode.Cease, subcode })) {
    throw new BgpAssertionError(`Cease subcode ${subcode} carries no shutdown communication (RFC 9003 §2)`);
  }
  let bytes = new TextEncoder().encode(message);
  if (bytes.length > MAX_SHUTDOWN_BYTES) {
    let cut = MAX_SHUTDOWN_BYTES;
    while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--; // do not split a UTF-8 sequence
    bytes = bytes.subarray(0, cut);
  }
  const data = new Uint8Array(1 + bytes.length);
  data[0] = bytes.length;
  data.set(bytes, 1);
  return { type: "notification", code: ErrorCode.Cease, subcode, data };
}

/** The RFC 9003 shutdown communication, or undefined when absent or invalid. */
export function shutdownMessage(n: NotificationMessage): string | undefined {
  if (!carriesShutdownMessage(n) || n.data.length === 0) return undefined;
  const len = n.data[0] as number;
  if (len === 0 || len + 1 > n.data.length) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(n.data.subarray(1, 1 + len));
  } catch {
    return undefined;
  }
}

/** Names for events and logs: {code, subcode, codeName, subcodeName, message?}. */
export function describeNotification(n: NotificationMessage): {
  readonly code: number;
  readonly subcode: number;
  readonly codeName: string;
  readonly subcodeName: string;
  readonly message?: string;
} {
  const message = shutdownMessage(n);
  const base = { code: n.code, subcode: n.subcode, codeName: errorCodeName(n.code), subcodeName: errorSubcodeName(n.code, n.subcode) };
  return message === undefined ? base : { ...base, message };
}
