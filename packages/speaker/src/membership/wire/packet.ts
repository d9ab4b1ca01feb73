// The authenticated envelope every membership datagram travels in.
//
//   magic u16 = 0x494c ("IL") | version u8 = 1 | flags u8 = 0
//   session u64   random per start() of the sender, below 2^53
//   seq u32       per session, +1 per datagram (replay window, replay.ts)
//   time u64      sender's wall clock, ms since the epoch (replay window)
//   from          sender's member name (u8 length + UTF-8)
//   to            intended receiver's name, or empty when unknown (a join to
//                 a bare address); a receiver drops a datagram meant for
//                 another name, so a capture cannot be replayed sideways
//   messages      back to back (messages.ts)
//   tag[32]       HMAC-SHA256(key, every byte before the tag)
//
// Why HMAC-SHA256 and not AES-256-GCM (memberlist's choice): membership
// needs integrity and origin, not secrecy. Node names and addresses are not
// secret inside a cluster (any pod can list Nodes) and the packets cross the
// node network anyway. GCM with random 96-bit nonces is also safe only up to
// about 2^32 packets per key (NIST SP 800-38D §8.3): a speaker fleet sending
// ~1000 packets/s across the cluster gets there in ~50 days on a key that
// nobody rotates, and a repeated nonce leaks the authentication key. HMAC has
// no nonce to misuse, costs ~6 us per datagram (200 or 1400 bytes, measured
// with node:crypto on the 2-core CI machine while it was busy), and lets a
// tcpdump of port 7946 show what the speakers said. The key is derived as MetalLB does
// (sha256 of the Secret's bytes, 32 bytes), so one Secret serves both.
//
// Key rotation: the sender signs with the first key; a receiver accepts a tag
// made with any key in its list (try each; a list is short).
//
// Deliberately not here: replay and clock checks (replay.ts), message meaning.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Reader, Writer } from "@ironlb/core/wire";
import { WireError } from "../errors.ts";
import { readShortString, readU64, shortStringSize, wireReadErrors, wireWriteErrors, writeShortString, writeU64 } from "./fields.ts";
import { MAX_NAME_BYTES } from "./messages.ts";

export const MAGIC = 0x494c;
export const VERSION = 1;
export const TAG_SIZE = 32;
/** magic, version, flags, session, seq, time. */
export const HEADER_FIXED = 2 + 1 + 1 + 8 + 4 + 8;
/** The shortest datagram that can be authentic: fixed header, two names (one empty), tag. */
export const MIN_PACKET = HEADER_FIXED + 2 + 1 + TAG_SIZE;

export interface PacketHeader {
  readonly session: number;
  readonly seq: number;
  /** Sender's wall clock (ms since the epoch). */
  readonly time: number;
  readonly from: string;
  /** Intended receiver's name; "" when the sender only knew an address. */
  readonly to: string;
}

export const headerCodec = {
  sizeOf(h: PacketHeader): number {
    return HEADER_FIXED + shortStringSize(h.from) + shortStringSize(h.to);
  },
  encode(w: Writer, h: PacketHeader): void {
    w.u16(MAGIC);
    w.u8(VERSION);
    w.u8(0);
    writeU64(w, h.session);
    w.u32(h.seq);
    writeU64(w, h.time);
    writeShortString(w, h.from);
    writeShortString(w, h.to);
  },
  decode(r: Reader): PacketHeader {
    const magic = r.u16("magic");
    if (magic !== MAGIC) throw new WireError("WIRE_INVALID", `magic 0x${magic.toString(16)}`);
    const version = r.u8("version");
    if (version !== VERSION) throw new WireError("WIRE_INVALID", `version ${version}`);
    const flags = r.u8("flags");
    if (flags !== 0) throw new WireError("WIRE_INVALID", `reserved flags 0x${flags.toString(16)}`);
    const session = readU64(r, "session");
    const seq = r.u32("seq");
    const time = readU64(r, "time");
    const from = readShortString(r, "from");
    if (from.length === 0 || Buffer.byteLength(from) > MAX_NAME_BYTES) throw new WireError("WIRE_INVALID", "from: empty or too long");
    const to = readShortString(r, "to");
    if (Buffer.byteLength(to) > MAX_NAME_BYTES) throw new WireError("WIRE_INVALID", "to: too long");
    return { session, seq, time, from, to };
  },
};

/** The HMAC key for a shared secret: sha256(secret), as MetalLB derives its memberlist key. */
export function deriveKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(secret).digest());
}

/** Builds header + pre-encoded messages + tag, signed with `key`. */
export function sealPacket(header: PacketHeader, messages: readonly Uint8Array[], key: Uint8Array): Uint8Array {
  const headerSize = headerCodec.sizeOf(header);
  const bodySize = messages.reduce((n, m) => n + m.length, 0);
  const w = Writer.alloc(headerSize + bodySize + TAG_SIZE, wireWriteErrors);
  headerCodec.encode(w, header);
  for (const m of messages) w.put(m);
  const tag = createHmac("sha256", key).update(w.bytes.subarray(0, w.offset)).digest();
  w.put(tag);
  return w.bytes;
}

export type OpenFailure = "too-short" | "bad-magic" | "bad-version" | "bad-mac" | "malformed";

export type Opened =
  | { readonly ok: true; readonly header: PacketHeader; /** The messages, as a view. */ readonly body: Uint8Array }
  | { readonly ok: false; readonly reason: OpenFailure; readonly detail: string };

/**
 * Checks framing and the tag (against every key), then decodes the header.
 * Never throws: every failure is a reason the caller counts. The cheap checks
 * (length, magic, version) come first so junk on the port costs no HMAC.
 */
export function openPacket(bytes: Uint8Array, keys: readonly Uint8Array[]): Opened {
  if (bytes.length < MIN_PACKET) return { ok: false, reason: "too-short", detail: `${bytes.length} bytes` };
  if (((bytes[0] as number) << 8 | (bytes[1] as number)) !== MAGIC) return { ok: false, reason: "bad-magic", detail: "not an IronLB membership datagram" };
  if (bytes[2] !== VERSION) return { ok: false, reason: "bad-version", detail: `version ${bytes[2]}` };
  const signed = bytes.subarray(0, bytes.length - TAG_SIZE);
  const tag = bytes.subarray(bytes.length - TAG_SIZE);
  if (!keys.some((key) => timingSafeEqual(createHmac("sha256", key).update(signed).digest(), tag))) {
    return { ok: false, reason: "bad-mac", detail: "tag matches no key" };
  }
  // Authentic from here on: a decode failure is a peer's bug, not an attack.
  const r = new Reader(signed, wireReadErrors);
  try {
    const header = headerCodec.decode(r);
    return { ok: true, header, body: r.bytes.subarray(r.offset, r.limit) };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: "malformed", detail: err.message };
    throw err;
  }
}
