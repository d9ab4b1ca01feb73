// The IPv6 fixed header (RFC 8200 §3) around a payload, and the upper-layer
// checksum over the IPv6 pseudo-header (RFC 8200 §8.1) that ICMPv6 uses.
//
// Layout: version(4) traffic class(8) flow label(20), payload length(16),
// next header(8), hop limit(8), source(16), destination(16), payload.
// Deliberately not here: extension headers (a packet whose next header is not
// the upper layer is returned as-is, payload undecoded), fragmentation, jumbograms.
import { ipFromBytes, ipToBytes, type IpAddress } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";

export const IPV6_HEADER_SIZE = 40;

// IANA protocol numbers.
export const IpProtocol = {
  HopByHop: 0,
  Icmpv6: 58,
} as const;

export interface Ipv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly payload: Uint8Array;
}

/** Reads the header and exactly `payload length` bytes; what follows is the caller's. */
export function decodeIpv6(r: Reader): Ipv6Packet {
  r.require(IPV6_HEADER_SIZE, "IPv6 header");
  const first = r.u32("IPv6 version/class/label");
  const version = first >>> 28;
  if (version !== 6) throw new L2Error("L2_UNSUPPORTED", `IP version ${version} in an IPv6 frame`);
  const length = r.u16("IPv6 payload length");
  const nextHeader = r.u8("IPv6 next header");
  const hopLimit = r.u8("IPv6 hop limit");
  const source = ipFromBytes(r.copy(16, "IPv6 source"));
  const destination = ipFromBytes(r.copy(16, "IPv6 destination"));
  const payload = r.copy(length, "IPv6 payload");
  return { trafficClass: (first >>> 20) & 0xff, flowLabel: first & 0xfffff, nextHeader, hopLimit, source, destination, payload };
}

export function sizeOfIpv6(p: Ipv6Packet): number {
  return IPV6_HEADER_SIZE + p.payload.length;
}

export function encodeIpv6(w: Writer, p: Ipv6Packet): void {
  const start = w.offset;
  if (p.source.family !== "ipv6" || p.destination.family !== "ipv6") throw new L2Error("L2_INVALID_ARGUMENT", "IPv6 packets carry IPv6 addresses");
  if (p.payload.length > 0xffff) throw new L2Error("L2_INVALID_ARGUMENT", `IPv6 payload of ${p.payload.length} bytes`);
  if (!inRange(p.trafficClass, 0xff) || !inRange(p.flowLabel, 0xfffff) || !inRange(p.nextHeader, 0xff) || !inRange(p.hopLimit, 0xff)) {
    throw new L2Error("L2_INVALID_ARGUMENT", "IPv6 header field out of range");
  }
  w.u32(((6 << 28) | (p.trafficClass << 20) | p.flowLabel) >>> 0);
  w.u16(p.payload.length);
  w.u8(p.nextHeader);
  w.u8(p.hopLimit);
  w.put(ipToBytes(p.source));
  w.put(ipToBytes(p.destination));
  w.put(p.payload);
  w.assertWritten("IPv6", sizeOfIpv6(p), start);
}

function inRange(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Source and destination of the pseudo-header an upper-layer checksum covers. */
export interface PseudoHeader {
  readonly source: IpAddress;
  readonly destination: IpAddress;
}

/**
 * RFC 8200 §8.1 / RFC 4443 §2.3: the 16-bit one's complement of the one's
 * complement sum of the pseudo-header (source, destination, upper-layer
 * length, next header) and the upper-layer message. Pass the message with
 * its checksum field zeroed to compute, or as received to verify (then a
 * valid message sums to 0).
 */
export function upperLayerChecksum(pseudo: PseudoHeader, nextHeader: number, message: Uint8Array): number {
  let sum = 0;
  const add = (bytes: Uint8Array) => {
    const n = bytes.length;
    let i = 0;
    for (; i + 1 < n; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    if (i < n) sum += (bytes[i] as number) << 8;
  };
  add(ipToBytes(pseudo.source));
  add(ipToBytes(pseudo.destination));
  sum += (message.length >>> 16) + (message.length & 0xffff);
  sum += nextHeader;
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
