// Where a member listens: an IP address in canonical text form (dotted quad,
// RFC 5952 for IPv6) and a UDP port. Canonical text makes two spellings of one
// address the same map key. Parsing accepts what the speaker gets from the
// Kubernetes API and flags: "10.0.0.1", "10.0.0.1:7946", "fd00::1",
// "[fd00::1]:7946". IPv4-mapped IPv6 (::ffff:a.b.c.d), which a dual-stack
// socket reports for IPv4 peers, is folded to IPv4 so a peer has one key.
//
// Deliberately not here: hostnames (no DNS in the membership path: a name
// that does not resolve must not stall failure detection), zone ids.
import { formatIp, ip as makeIp, ipFromBytes, ipToBytes, tryParseIp, type IpAddress } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import { MembershipError, WireError } from "./errors.ts";

export const DEFAULT_PORT = 7946;

export interface Endpoint {
  /** Canonical text form of the IP address. */
  readonly address: string;
  readonly port: number;
}

/** Family byte on the wire: the IP version number. */
export const FAMILY_IPV4 = 4;
export const FAMILY_IPV6 = 6;

/** Parses "IP", "IP:PORT" or "[IPv6]:PORT"; a missing port is `defaultPort`. */
export function parseEndpoint(text: string, defaultPort = DEFAULT_PORT): Endpoint {
  let host = text;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) {
    host = bracket[1] as string;
    if (bracket[2] !== undefined) port = portNumber(bracket[2], text);
  } else if (/^[^:]+:\d+$/.test(text)) {
    const i = text.lastIndexOf(":");
    host = text.slice(0, i);
    port = portNumber(text.slice(i + 1), text);
  }
  const address = canonicalAddress(host);
  if (address === undefined) throw new MembershipError("MEMBERSHIP_BAD_ADDRESS", `"${text}" is not IP, IP:PORT or [IPv6]:PORT`);
  return endpoint(address, port);
}

/** An endpoint from parts; throws MEMBERSHIP_BAD_ADDRESS for a bad address or port. */
export function endpoint(address: string, port: number): Endpoint {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) throw new MembershipError("MEMBERSHIP_BAD_ADDRESS", `"${address}" is not an IP address`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MembershipError("MEMBERSHIP_BAD_ADDRESS", `port ${port} of ${address} is not 0-65535`);
  }
  return Object.freeze({ address: canonical, port });
}

/** Canonical text of an address, IPv4-mapped IPv6 folded to IPv4; undefined if not an address. */
export function canonicalAddress(text: string): string | undefined {
  const ip = tryParseIp(text);
  return ip === undefined ? undefined : formatIp(unmap(ip));
}

// RFC 4291 §2.5.5.2: ::ffff:0:0/96 carries an IPv4 address.
function unmap(ip: IpAddress): IpAddress {
  if (ip.family === "ipv6" && ip.value >> 32n === 0xffffn) return makeIp("ipv4", ip.value & 0xffff_ffffn);
  return ip;
}

export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

export function isIpv6(e: Endpoint): boolean {
  return e.address.includes(":");
}

/** "10.0.0.1:7946" or "[fd00::1]:7946". */
export function formatEndpoint(e: Endpoint): string {
  return isIpv6(e) ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** A string usable as a map key; equal for equal endpoints. */
export function endpointKey(e: Endpoint): string {
  return formatEndpoint(e);
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.address === b.address && a.port === b.port;
}

function portNumber(text: string, whole: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MembershipError("MEMBERSHIP_BAD_ADDRESS", `"${whole}": port ${text} is not 0-65535`);
  return n;
}

// Wire form: family u8 (4 | 6), 4 or 16 address bytes, port u16.

export function endpointSize(e: Endpoint): number {
  return 1 + (isIpv6(e) ? 16 : 4) + 2;
}

export function writeEndpoint(w: Writer, e: Endpoint): void {
  const ip = tryParseIp(e.address);
  if (ip === undefined) throw new RangeError(`endpoint address "${e.address}" is not canonical`);
  w.u8(ip.family === "ipv4" ? FAMILY_IPV4 : FAMILY_IPV6);
  w.put(ipToBytes(ip));
  w.u16(e.port);
}

export function readEndpoint(r: Reader, what: string): Endpoint {
  const family = r.u8(`${what} family`);
  let len: number;
  if (family === FAMILY_IPV4) len = 4;
  else if (family === FAMILY_IPV6) len = 16;
  else throw new WireError("WIRE_INVALID", `${what}: address family ${family} is neither 4 nor 6`);
  const address = formatIp(unmap(ipFromBytes(r.take(len, `${what} address`))));
  const port = r.u16(`${what} port`);
  return Object.freeze({ address, port });
}
