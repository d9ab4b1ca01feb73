// A whole BGP message: header plus one body (RFC 4271 §4), as a closed union.
// `encodeMessage` refuses to build anything over the negotiated size cap
// (RFC 8654 §4); `decodeMessage` takes one frame from the framer and checks
// the per-type lengths of RFC 4271 §6.1 before the body decoder runs.
//
// Unknown message types decode to `unknown` with the raw body, as data: the
// session answers them with NOTIFICATION 1/3 (RFC 4271 §6.1).
import { Reader, Writer } from "@ironlb/core/wire";
import { ErrorCode, HeaderSubcode, MessageType, messageTypeName } from "./codes.ts";
import type { CodecContext } from "./context.ts";
import { BgpAssertionError, BgpWireError, type Remedy } from "./errors.ts";
import { badLength, decodeHeader, encodeHeader, HEADER_LENGTH, maxLengthFor } from "./header.ts";
import { decodeNotification, encodeNotification, type NotificationMessage, sizeOfNotification } from "./notification.ts";
import { decodeOpen, encodeOpen, type OpenMessage, sizeOfOpen } from "./open.ts";
import { decodeRouteRefresh, encodeRouteRefresh, ROUTE_REFRESH_BODY, type RouteRefreshMessage } from "./route-refresh.ts";
import { decodeUpdate, encodeUpdate, sizeOfUpdate, type UpdateMessage } from "./update.ts";
import { bgpReadErrors, bgpWriteErrors } from "./wire.ts";

export interface KeepaliveMessage {
  readonly type: "keepalive";
}

export interface UnknownMessage {
  readonly type: "unknown";
  readonly messageType: number;
  readonly body: Uint8Array;
}

export type Message = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage | UnknownMessage;

export const keepalive: KeepaliveMessage = Object.freeze({ type: "keepalive" });

function typeCode(m: Message): number {
  switch (m.type) {
    case "open":
      return MessageType.Open;
    case "update":
      return MessageType.Update;
    case "notification":
      return MessageType.Notification;
    case "keepalive":
      return MessageType.Keepalive;
    case "route-refresh":
      return MessageType.RouteRefresh;
    case "unknown":
      return m.messageType;
  }
}

function sizeOfBody(m: Message, ctx: CodecContext): number {
  switch (m.type) {
    case "open":
      return sizeOfOpen(m);
    case "update":
      return sizeOfUpdate(m, ctx);
    case "notification":
      return sizeOfNotification(m);
    case "keepalive":
      return 0;
    case "route-refresh":
      return ROUTE_REFRESH_BODY;
    case "unknown":
      return m.body.length;
  }
}

export function sizeOfMessage(m: Message, ctx: CodecContext): number {
  return HEADER_LENGTH + sizeOfBody(m, ctx);
}

/** Writes `m` at `w`'s offset; throws if it exceeds the cap of `ctx`. */
export function writeMessage(w: Writer, m: Message, ctx: CodecContext): void {
  const size = sizeOfMessage(m, ctx);
  const type = typeCode(m);
  // RFC 8654 §4: never send more than the peer agreed to receive.
  if (size > maxLengthFor(type, ctx.extendedMessage)) {
    throw new BgpAssertionError(`${messageTypeName(type)} of ${size} bytes exceeds the ${maxLengthFor(type, ctx.extendedMessage)}-byte limit`);
  }
  const start = w.offset;
  encodeHeader(w, size, type);
  switch (m.type) {
    case "open":
      encodeOpen(w, m);
      break;
    case "update":
      encodeUpdate(w, m, ctx);
      break;
    case "notification":
      encodeNotification(w, m);
      break;
    case "keepalive":
      break;
    case "route-refresh":
      encodeRouteRefresh(w, m);
      break;
    case "unknown":
      w.put(m.body);
      break;
  }
  w.assertWritten(messageTypeName(type), size, start);
}

export function encodeMessage(m: Message, ctx: CodecContext): Uint8Array {
  const w = Writer.alloc(sizeOfMessage(m, ctx), bgpWriteErrors);
  writeMessage(w, m, ctx);
  return w.bytes;
}

export interface DecodedMessage {
  readonly message: Message;
  /** Recoverable UPDATE problems (RFC 7606); empty for other types. */
  readonly errors: readonly BgpWireError[];
  readonly remedy: Remedy | undefined;
}

// RFC 4271 §6.1: the smallest legal length of each type (KEEPALIVE and
// ROUTE-REFRESH have exactly one legal length).
const minLength: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

/**
 * Decodes one whole message (header included), as cut by the framer, whose
 * limits were already enforced there; here the header is re-checked against
 * the widest limit so the function is safe on its own.
 */
export function readMessage(r: Reader, ctx: CodecContext): DecodedMessage {
  r.require(HEADER_LENGTH, "message header");
  const header = decodeHeader(r.bytes, r.offset, true);
  if (header.length > r.remaining) {
    throw badLength(header.length, `message header: length ${header.length} but ${r.remaining} byte(s) present`);
  }
  r.offset += HEADER_LENGTH;
  const bodyLen = header.length - HEADER_LENGTH;
  const min = minLength[header.type];
  const exact = header.type === MessageType.Keepalive || header.type === MessageType.RouteRefresh;
  if (min !== undefined && (header.length < min || (exact && header.length !== min))) {
    throw badLength(header.length, `${messageTypeName(header.type)}: length ${header.length} is not allowed`);
  }
  const body = r.sub(bodyLen, "message body");
  const clean = (message: Message): DecodedMessage => ({ message, errors: [], remedy: undefined });
  switch (header.type) {
    case MessageType.Open:
      return clean(decodeOpen(body));
    case MessageType.Update: {
      const d = decodeUpdate(body, ctx);
      return { message: d.update, errors: d.errors, remedy: d.remedy };
    }
    case MessageType.Notification:
      return clean(decodeNotification(body));
    case MessageType.Keepalive:
      return clean(keepalive);
    case MessageType.RouteRefresh:
      return clean(decodeRouteRefresh(body));
    default:
      return clean({ type: "unknown", messageType: header.type, body: body.rest() });
  }
}

/** Decodes one whole frame; trailing bytes after the message are an error. */
export function decodeMessage(frame: Uint8Array, ctx: CodecContext): DecodedMessage {
  const r = new Reader(frame, bgpReadErrors((what) => badLength(frame.length, `message: ${what}`)));
  const d = readMessage(r, ctx);
  if (r.remaining !== 0) throw badLength(frame.length, `message: ${r.remaining} trailing byte(s) after the message`);
  return d;
}

/** The NOTIFICATION answering an unknown message type (RFC 4271 §6.1: data is the type). */
export function badMessageType(type: number): BgpWireError {
  return new BgpWireError(`unknown message type ${type}`, {
    code: ErrorCode.MessageHeader,
    subcode: HeaderSubcode.BadMessageType,
    data: Uint8Array.of(type),
  });
}
