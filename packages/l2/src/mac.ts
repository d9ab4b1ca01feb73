// Ethernet MAC addresses as lower-case "aa:bb:cc:dd:ee:ff" strings (cheap to
// compare, print and put in events), with conversions to and from bytes and
// the multicast mappings NDP needs (RFC 2464 §7: 33:33 + the low 32 bits of
// the IPv6 group; RFC 4291 §2.7.1: the solicited-node group ff02::1:ffXX:XXXX).
import type { IpAddress } from "@ironlb/core/ip";
import { L2Error } from "./errors.ts";

export type Mac = string;

export const BROADCAST_MAC: Mac = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC: Mac = "00:00:00:00:00:00";

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Parses "AA:bb:..." (colon-separated, 6 octets) into the canonical lower-case form. */
export function parseMac(text: string): Mac {
  const lower = text.toLowerCase();
  if (!MAC_RE.test(lower)) throw new L2Error("L2_INVALID_ARGUMENT", `"${text}" is not a MAC address`);
  return lower;
}

// The same few MACs (ours, the requesters') are encoded over and over on the
// reply path; parsing six hex pairs each time measured ~0.5 us. Bounded.
const bytesCache = new Map<Mac, Uint8Array>();
const BYTES_CACHE_MAX = 1024;

/** The 6 bytes of a MAC. The result is shared: callers copy it (Writer.raw does) and never modify it. */
export function macToBytes(mac: Mac): Uint8Array {
  const hit = bytesCache.get(mac);
  if (hit !== undefined) return hit;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(mac.slice(i * 3, i * 3 + 2), 16);
  if (bytesCache.size >= BYTES_CACHE_MAX) bytesCache.clear();
  bytesCache.set(mac, out);
  return out;
}

export function macFromBytes(b: Uint8Array, offset = 0): Mac {
  return `${HEX[b[offset] as number]}:${HEX[b[offset + 1] as number]}:${HEX[b[offset + 2] as number]}:${HEX[b[offset + 3] as number]}:${HEX[b[offset + 4] as number]}:${HEX[b[offset + 5] as number]}`;
}

/** The I/G bit: group (multicast or broadcast) addresses. */
export function isGroupMac(mac: Mac): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** RFC 4291 §2.7.1: ff02::1:ff00:0/104 plus the low 24 bits of the address. */
export function solicitedNodeGroup(address: IpAddress): IpAddress {
  if (address.family !== "ipv6") throw new L2Error("L2_INVALID_ARGUMENT", "solicited-node groups exist only for IPv6");
  return Object.freeze({ family: "ipv6" as const, value: 0xff02_0000_0000_0000_0000_0001_ff00_0000n | (address.value & 0xff_ffffn) });
}

/** RFC 2464 §7: the Ethernet address of an IPv6 multicast group. */
export function ipv6MulticastMac(group: IpAddress): Mac {
  const low = Number(group.value & 0xffff_ffffn);
  return `33:33:${HEX[(low >>> 24) & 0xff]}:${HEX[(low >>> 16) & 0xff]}:${HEX[(low >>> 8) & 0xff]}:${HEX[low & 0xff]}`;
}

/** ff02::1, all nodes on the link (RFC 4291 §2.7.1). */
export const ALL_NODES: IpAddress = Object.freeze({ family: "ipv6", value: 0xff02_0000_0000_0000_0000_0000_0000_0001n });
/** The unspecified address ::, source of a DAD probe (RFC 4862 §5.4.2). */
export const UNSPECIFIED_V6: IpAddress = Object.freeze({ family: "ipv6", value: 0n });
/** 0.0.0.0, sender of an ARP probe (RFC 5227 §2.1.1). */
export const UNSPECIFIED_V4: IpAddress = Object.freeze({ family: "ipv4", value: 0n });
