// Socket address structures built in TypeScript: IP text to bytes, and the
// kernel's struct sockaddr_in, sockaddr_in6, sockaddr_ll and tcp_md5sig as
// byte buffers handed to bind()/setsockopt() unchanged.
//
// Layouts (Linux UAPI; the addon reports sizeof each so tests pin them):
//   sockaddr_in   16 bytes: family u16 (host order), port u16 BE, addr[4], zero[8]
//   sockaddr_in6  28 bytes: family u16, port u16 BE, flowinfo u32 BE, addr[16], scope_id u32
//   sockaddr_ll   20 bytes: family u16, protocol u16 BE, ifindex i32, hatype u16,
//                           pkttype u8, halen u8, addr[8]
//   ipv6_mreq     20 bytes: group[16], ifindex i32
//   tcp_md5sig   216 bytes: sockaddr_storage at 0, flags u8 at 128, prefixlen u8
//                           at 129, keylen u16 at 130, ifindex i32 at 132, key[80] at 136
//
// Deliberately not here: hostnames, IPv4 shorthand ("10.1"), anything that
// net.isIP rejects.
import { isIPv4, isIPv6 } from "node:net";
import { endianness } from "node:os";
import { RawsockError } from "./errors.ts";

const littleEndian = endianness() === "LE";

export type Family = "ipv4" | "ipv6";

export interface ParsedAddress {
  readonly family: Family;
  readonly bytes: Uint8Array;
  /** The zone of a scoped IPv6 address ("fe80::1%eth0" -> "eth0"). */
  readonly zone: string | undefined;
}

/** Parses an IPv4 or IPv6 address (IPv6 may carry a %zone). */
export function parseAddress(text: string): ParsedAddress {
  if (isIPv4(text)) {
    return { family: "ipv4", bytes: Uint8Array.from(text.split(".").map(Number)), zone: undefined };
  }
  if (isIPv6(text)) {
    const pct = text.indexOf("%");
    const zone = pct >= 0 ? text.slice(pct + 1) : undefined;
    return { family: "ipv6", bytes: ipv6Bytes(pct >= 0 ? text.slice(0, pct) : text), zone };
  }
  throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `"${text}" is not an IP address`);
}

// Only called on text that net.isIPv6 accepted, so the shape is known good.
function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let tail = text;
  let v4: number[] | undefined;
  const lastColon = tail.lastIndexOf(":");
  if (tail.slice(lastColon + 1).includes(".")) {
    v4 = tail.slice(lastColon + 1).split(".").map(Number);
    tail = tail.slice(0, lastColon + 1) + "0:0";
  }
  const [head = "", rest] = tail.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (v4 !== undefined) out.set(v4, 12);
  return out;
}

/** ::ffff:a.b.c.d, the form an IPv4 peer has on a dual-stack IPv6 socket. */
export function v4Mapped(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes, 12);
  return out;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** struct sockaddr_in / sockaddr_in6 for bind(). */
export function sockaddrIn(
  family: Family,
  familyConstant: number,
  address: Uint8Array,
  port: number,
  scopeId = 0,
): Uint8Array {
  const out = new Uint8Array(family === "ipv4" ? 16 : 28);
  const v = view(out);
  v.setUint16(0, familyConstant, littleEndian);
  v.setUint16(2, port, false);
  if (family === "ipv4") out.set(address, 4);
  else {
    out.set(address, 8);
    v.setUint32(24, scopeId, littleEndian);
  }
  return out;
}

/** struct sockaddr_ll: binds a packet socket to one interface and ethertype. */
export function sockaddrLl(afPacket: number, ethertype: number, ifindex: number): Uint8Array {
  const out = new Uint8Array(20);
  const v = view(out);
  v.setUint16(0, afPacket, littleEndian);
  v.setUint16(2, ethertype, false);
  v.setInt32(4, ifindex, littleEndian);
  return out;
}

/** struct packet_mreq for PACKET_ADD/DROP_MEMBERSHIP of one link-layer address. */
export function packetMreq(ifindex: number, type: number, mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  const v = view(out);
  v.setInt32(0, ifindex, littleEndian);
  v.setUint16(4, type, littleEndian);
  v.setUint16(6, mac.length, littleEndian);
  out.set(mac, 8);
  return out;
}

/** struct ipv6_mreq: group address[16], then the interface index (int). */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Uint8Array {
  const out = new Uint8Array(20);
  out.set(group, 0);
  view(out).setInt32(16, ifindex, littleEndian);
  return out;
}

export const TCP_MD5SIG_SIZE = 216;
const MD5_FLAGS_OFFSET = 128;
const MD5_KEYLEN_OFFSET = 130;
const MD5_KEY_OFFSET = 136;

/** struct tcp_md5sig (RFC 2385 key for one peer address); an empty key deletes the entry. */
export function tcpMd5sig(familyConstant: number, family: Family, address: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(TCP_MD5SIG_SIZE);
  const v = view(out);
  v.setUint16(0, familyConstant, littleEndian);
  out.set(address, family === "ipv4" ? 4 : 8);
  out[MD5_FLAGS_OFFSET] = 0; // no TCP_MD5SIG_FLAG_PREFIX / IFINDEX: exact address match
  v.setUint16(MD5_KEYLEN_OFFSET, key.length, littleEndian);
  out.set(key, MD5_KEY_OFFSET);
  return out;
}

/** A C int option value. */
export function intValue(n: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setInt32(0, n, littleEndian);
  return out;
}

export function readInt(b: Uint8Array): number {
  if (b.length < 4) throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `option value is ${b.length} bytes, not 4`);
  return view(b).getInt32(0, littleEndian);
}
