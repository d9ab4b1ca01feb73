// ARP for IPv4 over Ethernet (RFC 826), the only combination the responder
// needs: hardware type 1, protocol 0x0800, 6-byte hardware and 4-byte
// protocol addresses, 28 bytes in all.
//
// Layout: htype(2) ptype(2) hlen(1) plen(1) oper(2) sha(6) spa(4) tha(6) tpa(4).
// Deliberately not here: other hardware types (InfiniBand, ...), RARP
// (operations 3/4 decode fine and are simply not requests), ARP over VLANs
// beyond what ethernet.ts handles.
import type { IpAddress } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";
import { macFromBytes, macToBytes, type Mac } from "./mac.ts";

// RFC 826 / IANA "ar$op" values.
export const ArpOperation = {
  Request: 1,
  Reply: 2,
} as const;

export function arpOperationName(op: number): string {
  return op === ArpOperation.Request ? "request" : op === ArpOperation.Reply ? "reply" : `op-${op}`;
}

// IANA hardware type 1 (Ethernet) and the IPv4 EtherType as protocol type.
const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;
const HLEN = 6;
const PLEN = 4;

export const ARP_PACKET_SIZE = 28;

export interface ArpPacket {
  readonly operation: number;
  readonly senderMac: Mac;
  readonly senderIp: IpAddress;
  readonly targetMac: Mac;
  readonly targetIp: IpAddress;
}

/** Reads exactly 28 bytes; whatever follows (Ethernet padding) is the caller's. */
export function decodeArp(r: Reader): ArpPacket {
  r.require(ARP_PACKET_SIZE, "ARP packet");
  const htype = r.u16("ARP hardware type");
  const ptype = r.u16("ARP protocol type");
  const hlen = r.u8("ARP hardware length");
  const plen = r.u8("ARP protocol length");
  if (htype !== HTYPE_ETHERNET || ptype !== PTYPE_IPV4 || hlen !== HLEN || plen !== PLEN) {
    throw new L2Error("L2_UNSUPPORTED", `ARP for hardware ${htype}/${hlen} and protocol 0x${ptype.toString(16)}/${plen} (only Ethernet/IPv4)`);
  }
  const operation = r.u16("ARP operation");
  const senderMac = macFromBytes(r.take(6, "ARP sender hardware address"));
  const senderIp = v4(r.u32("ARP sender protocol address"));
  const targetMac = macFromBytes(r.take(6, "ARP target hardware address"));
  const targetIp = v4(r.u32("ARP target protocol address"));
  return { operation, senderMac, senderIp, targetMac, targetIp };
}

// One BigInt conversion instead of core/ip's byte-by-byte bigint build: this is
// the per-request hot path (parseFrame of an ARP request measured 4.6 us before).
function v4(n: number): IpAddress {
  return Object.freeze({ family: "ipv4" as const, value: BigInt(n) });
}

export function sizeOfArp(_packet: ArpPacket): number {
  return ARP_PACKET_SIZE;
}

export function encodeArp(w: Writer, p: ArpPacket): void {
  const start = w.offset;
  if (p.senderIp.family !== "ipv4" || p.targetIp.family !== "ipv4") throw new L2Error("L2_INVALID_ARGUMENT", "ARP carries IPv4 addresses only");
  if (!Number.isInteger(p.operation) || p.operation < 0 || p.operation > 0xffff) throw new L2Error("L2_INVALID_ARGUMENT", `ARP operation ${p.operation}`);
  w.u16(HTYPE_ETHERNET);
  w.u16(PTYPE_IPV4);
  w.u8(HLEN);
  w.u8(PLEN);
  w.u16(p.operation);
  w.put(macToBytes(p.senderMac));
  w.u32(Number(p.senderIp.value));
  w.put(macToBytes(p.targetMac));
  w.u32(Number(p.targetIp.value));
  w.assertWritten("ARP", ARP_PACKET_SIZE, start);
}
