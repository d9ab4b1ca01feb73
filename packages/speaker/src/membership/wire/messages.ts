// The membership messages (SWIM's ping / ping-req / ack plus the dissemination
// messages alive / suspect / dead, memberlist's nack and push-pull) and their
// codec. A packet (packet.ts) carries one or more of them back to back, each
// framed as
//
//   type u8 | length u16 | body[length]
//
// so a receiver can skip a message type it does not know: it decodes as
// `{ type: "unknown" }` with its raw body, is counted and ignored. Every body
// is decoded through a sub-reader limited to `length`; leftovers are an error.
//
// Bodies (big-endian; name = u8 length + UTF-8; endpoint = family u8 (4|6),
// 4|16 address bytes, port u16; incarnation = u64 below 2^53):
//   ping      seq u32                          (the envelope's `to` names the target)
//   ack       seq u32
//   nack      seq u32                          (Lifeguard: "I asked, the target was silent")
//   ping-req  seq u32, flags u8 (bit 0: nack wanted), target name, target endpoint
//   alive     incarnation, name, endpoint
//   suspect   incarnation, name, from name
//   dead      incarnation, name, from name     (from == name: the member left)
//   push-pull flags u8 (bit 0: reply), part u8, parts u8, count u16,
//             count x (state u8, incarnation, name, endpoint)
//
// Deliberately not here: authentication and the envelope (packet.ts), what a
// message means (swim.ts).
import type { Reader, Writer } from "@ironlb/core/wire";
import { WireError } from "../errors.ts";
import { endpointSize, readEndpoint, writeEndpoint, type Endpoint } from "../endpoint.ts";
import { readShortString, readU64, shortStringSize, writeShortString, writeU64 } from "./fields.ts";

export const MSG_PING = 1;
export const MSG_ACK = 2;
export const MSG_NACK = 3;
export const MSG_PING_REQ = 4;
export const MSG_ALIVE = 5;
export const MSG_SUSPECT = 6;
export const MSG_DEAD = 7;
export const MSG_PUSH_PULL = 8;

const FLAG_NACK = 0x01;
const FLAG_REPLY = 0x01;

/** Bytes of a message's framing (type + length) before its body. */
export const MESSAGE_HEADER_SIZE = 3;
/** Largest body the u16 length can frame. */
export const MAX_BODY = 0xffff;

export type MemberState = "alive" | "suspect" | "dead" | "left";
const stateCodes: readonly MemberState[] = ["alive", "suspect", "dead", "left"];

export interface PushPullEntry {
  readonly name: string;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly address: Endpoint;
}

export type Message =
  | { readonly type: "ping"; readonly seq: number }
  | { readonly type: "ack"; readonly seq: number }
  | { readonly type: "nack"; readonly seq: number }
  | { readonly type: "pingReq"; readonly seq: number; readonly nack: boolean; readonly target: string; readonly targetAddress: Endpoint }
  | { readonly type: "alive"; readonly incarnation: number; readonly name: string; readonly address: Endpoint }
  | { readonly type: "suspect"; readonly incarnation: number; readonly name: string; readonly from: string }
  | { readonly type: "dead"; readonly incarnation: number; readonly name: string; readonly from: string }
  | {
      readonly type: "pushPull";
      readonly reply: boolean;
      readonly part: number;
      readonly parts: number;
      readonly entries: readonly PushPullEntry[];
    }
  | { readonly type: "unknown"; readonly code: number; readonly body: Uint8Array };

/** Bytes of one push-pull entry on the wire. */
export function entrySize(e: PushPullEntry): number {
  return 1 + 8 + shortStringSize(e.name) + endpointSize(e.address);
}

/** Bytes of a push-pull body before its entries. */
export const PUSH_PULL_FIXED = 1 + 1 + 1 + 2;

function bodySize(m: Message): number {
  switch (m.type) {
    case "ping":
    case "ack":
    case "nack":
      return 4;
    case "pingReq":
      return 4 + 1 + shortStringSize(m.target) + endpointSize(m.targetAddress);
    case "alive":
      return 8 + shortStringSize(m.name) + endpointSize(m.address);
    case "suspect":
    case "dead":
      return 8 + shortStringSize(m.name) + shortStringSize(m.from);
    case "pushPull":
      return PUSH_PULL_FIXED + m.entries.reduce((n, e) => n + entrySize(e), 0);
    case "unknown":
      return m.body.length;
  }
}

function typeCode(m: Message): number {
  switch (m.type) {
    case "ping":
      return MSG_PING;
    case "ack":
      return MSG_ACK;
    case "nack":
      return MSG_NACK;
    case "pingReq":
      return MSG_PING_REQ;
    case "alive":
      return MSG_ALIVE;
    case "suspect":
      return MSG_SUSPECT;
    case "dead":
      return MSG_DEAD;
    case "pushPull":
      return MSG_PUSH_PULL;
    case "unknown":
      return m.code;
  }
}

export const messageCodec = {
  sizeOf(m: Message): number {
    return MESSAGE_HEADER_SIZE + bodySize(m);
  },

  encode(w: Writer, m: Message): void {
    const size = bodySize(m);
    if (size > MAX_BODY) throw new RangeError(`${m.type} body of ${size} bytes does not fit a u16 length`);
    w.u8(typeCode(m));
    w.u16(size);
    const start = w.offset;
    switch (m.type) {
      case "ping":
      case "ack":
      case "nack":
        w.u32(m.seq);
        break;
      case "pingReq":
        w.u32(m.seq);
        w.u8(m.nack ? FLAG_NACK : 0);
        writeShortString(w, m.target);
        writeEndpoint(w, m.targetAddress);
        break;
      case "alive":
        writeU64(w, m.incarnation);
        writeShortString(w, m.name);
        writeEndpoint(w, m.address);
        break;
      case "suspect":
      case "dead":
        writeU64(w, m.incarnation);
        writeShortString(w, m.name);
        writeShortString(w, m.from);
        break;
      case "pushPull":
        w.u8(m.reply ? FLAG_REPLY : 0);
        w.u8(m.part);
        w.u8(m.parts);
        w.u16(m.entries.length);
        for (const e of m.entries) {
          w.u8(stateCodes.indexOf(e.state));
          writeU64(w, e.incarnation);
          writeShortString(w, e.name);
          writeEndpoint(w, e.address);
        }
        break;
      case "unknown":
        w.put(m.body);
        break;
    }
    w.assertWritten(m.type, size, start);
  },

  decode(r: Reader): Message {
    const code = r.u8("message type");
    const length = r.u16("message length");
    const b = r.sub(length, `message ${code} body`);
    const m = decodeBody(code, b);
    b.end(`message ${code} body`);
    return m;
  },
};

function decodeBody(code: number, b: Reader): Message {
  switch (code) {
    case MSG_PING:
      return { type: "ping", seq: b.u32("ping seq") };
    case MSG_ACK:
      return { type: "ack", seq: b.u32("ack seq") };
    case MSG_NACK:
      return { type: "nack", seq: b.u32("nack seq") };
    case MSG_PING_REQ: {
      const seq = b.u32("ping-req seq");
      const flags = b.u8("ping-req flags");
      if ((flags & ~FLAG_NACK) !== 0) throw new WireError("WIRE_INVALID", `ping-req: reserved flag bits 0x${flags.toString(16)}`);
      const target = name(b, "ping-req target");
      const targetAddress = readEndpoint(b, "ping-req target");
      return { type: "pingReq", seq, nack: (flags & FLAG_NACK) !== 0, target, targetAddress };
    }
    case MSG_ALIVE: {
      const incarnation = readU64(b, "alive incarnation");
      const n = name(b, "alive name");
      return { type: "alive", incarnation, name: n, address: readEndpoint(b, "alive") };
    }
    case MSG_SUSPECT:
    case MSG_DEAD: {
      const what = code === MSG_SUSPECT ? "suspect" : "dead";
      const incarnation = readU64(b, `${what} incarnation`);
      const n = name(b, `${what} name`);
      const from = name(b, `${what} from`);
      return { type: what, incarnation, name: n, from };
    }
    case MSG_PUSH_PULL: {
      const flags = b.u8("push-pull flags");
      if ((flags & ~FLAG_REPLY) !== 0) throw new WireError("WIRE_INVALID", `push-pull: reserved flag bits 0x${flags.toString(16)}`);
      const part = b.u8("push-pull part");
      const parts = b.u8("push-pull parts");
      if (parts === 0 || part >= parts) throw new WireError("WIRE_INVALID", `push-pull: part ${part} of ${parts}`);
      const count = b.u16("push-pull count");
      const entries: PushPullEntry[] = [];
      for (let i = 0; i < count; i++) {
        const s = b.u8("push-pull entry state");
        const state = stateCodes[s];
        if (state === undefined) throw new WireError("WIRE_INVALID", `push-pull entry ${i}: state ${s}`);
        const incarnation = readU64(b, "push-pull entry incarnation");
        const n = name(b, "push-pull entry name");
        entries.push({ name: n, incarnation, state, address: readEndpoint(b, "push-pull entry") });
      }
      return { type: "pushPull", reply: (flags & FLAG_REPLY) !== 0, part, parts, entries };
    }
    default:
      return { type: "unknown", code, body: b.take(b.remaining, "unknown body") };
  }
}

/** Member names are 1-253 bytes (a Kubernetes node name is a DNS subdomain). */
export const MAX_NAME_BYTES = 253;

function name(r: Reader, what: string): string {
  const s = readShortString(r, what);
  if (s.length === 0) throw new WireError("WIRE_INVALID", `${what}: empty`);
  if (Buffer.byteLength(s) > MAX_NAME_BYTES) throw new WireError("WIRE_INVALID", `${what}: longer than ${MAX_NAME_BYTES} bytes`);
  return s;
}

/** Most parts one push-pull can have (part and parts are u8). */
export const MAX_PARTS = 255;

/**
 * Splits a state into push-pull parts of at most `room` entry bytes each. A
 * state too large for MAX_PARTS datagrams is cut there: the rest is learnt
 * by gossip and the next exchange (never reached below ~8000 members).
 */
export function chunkEntries(entries: readonly PushPullEntry[], room: number): PushPullEntry[][] {
  const chunks: PushPullEntry[][] = [];
  let current: PushPullEntry[] = [];
  let used = 0;
  for (const e of entries) {
    const size = entrySize(e);
    if (current.length > 0 && (used + size > room || current.length === 0xffff)) {
      chunks.push(current);
      if (chunks.length === MAX_PARTS) return chunks;
      current = [];
      used = 0;
    }
    current.push(e);
    used += size;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

/** Decodes messages until the reader's limit. */
export function decodeMessages(r: Reader): Message[] {
  const out: Message[] = [];
  while (r.remaining > 0) out.push(messageCodec.decode(r));
  return out;
}
