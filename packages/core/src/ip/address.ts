// IP addresses as bigint-backed values.
//
// An address is a plain frozen `{ family, value }`: comparisons and arithmetic
// are bigint operations, so a whole /64 can be reasoned about without ever
// enumerating it. Parsing goes through `ip-address` (strict: no leading zeros,
// no zone ids, no prefix lengths); formatting is done here (RFC 5952 for IPv6)
// because it sits on the allocator's hot path: ip-address's `correctForm()`
// measured 8.7 us per IPv6 address and 3.5 us per IPv4 on this machine, this
// code about 0.3 us (see address.test.ts, which checks both agree).
//
// Deliberately not here: zones (fe80::1%eth0), IPv4-mapped IPv6 treated as
// IPv4 (it stays IPv6, as Kubernetes validation treats it), hostnames.
import { Address6 } from "ip-address";
import { IpError } from "./errors.ts";

export type IpFamily = "ipv4" | "ipv6";

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as an unsigned integer: < 2^32 for IPv4, < 2^128 for IPv6. */
  readonly value: bigint;
}

export const IPV4_BITS = 32;
export const IPV6_BITS = 128;

export function familyBits(family: IpFamily): number {
  return family === "ipv4" ? IPV4_BITS : IPV6_BITS;
}

export function familyMax(family: IpFamily): bigint {
  return family === "ipv4" ? 0xffff_ffffn : (1n << 128n) - 1n;
}

export function ip(family: IpFamily, value: bigint): IpAddress {
  if (value < 0n || value > familyMax(family)) {
    throw new RangeError(`${value} is not an ${family} address value`);
  }
  return Object.freeze({ family, value });
}

/** Parses an IPv4 or IPv6 address; throws IpError("IP_INVALID"). */
export function parseIp(text: string): IpAddress {
  const parsed = tryParseIp(text);
  if (parsed === undefined) throw new IpError("IP_INVALID", text, `invalid IP address "${text}"`);
  return parsed;
}

/** Like parseIp but returns undefined for anything that is not an address. */
export function tryParseIp(text: string): IpAddress | undefined {
  // ip-address would accept "1.2.3.4/24" and "fe80::1%eth0"; an address is
  // neither, and surrounding whitespace is a caller's bug, not something to
  // forgive here.
  if (text.length === 0 || text.length > 45 || /[/%\s]/.test(text)) return undefined;
  if (!text.includes(":")) {
    // The dotted quad ip-address accepts (no leading zeros, octets up to 255),
    // read directly: the controller parses every Service's clusterIP, and this
    // is 20x cheaper than building an Address4 (the property test holds the two equal).
    const m = DOTTED_QUAD.exec(text);
    if (m === null) return undefined;
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const octet = Number(m[i]);
      if (octet > 255) return undefined;
      v = v * 256 + octet;
    }
    return Object.freeze({ family: "ipv4", value: BigInt(v) });
  }
  try {
    return Object.freeze({ family: "ipv6", value: new Address6(text).bigInt() });
  } catch {
    return undefined;
  }
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Text form: dotted quad for IPv4, RFC 5952 canonical form for IPv6. */
export function formatIp(address: IpAddress): string {
  return address.family === "ipv4" ? formatV4(address.value) : formatV6(address.value);
}

function formatV4(v: bigint): string {
  const n = Number(v);
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

// RFC 5952 §4: lowercase, no leading zeros, the longest run (first if tied) of
// two or more zero groups becomes "::". §5: IPv4-mapped addresses keep the
// dotted quad (::ffff:192.0.2.1).
function formatV6(v: bigint): string {
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & 0xffff_ffffn)}`;
  const groups: number[] = new Array<number>(8);
  // Number holds 53 bits exactly, so split through bigint 32 bits at a time.
  const words = [Number(v >> 96n), Number((v >> 64n) & 0xffff_ffffn), Number((v >> 32n) & 0xffff_ffffn), Number(v & 0xffff_ffffn)];
  for (let i = 0; i < 4; i++) {
    const w = words[i] as number;
    groups[2 * i] = w >>> 16;
    groups[2 * i + 1] = w & 0xffff;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Network byte order: 4 bytes for IPv4, 16 for IPv6. */
export function ipToBytes(address: IpAddress): Uint8Array {
  const len = address.family === "ipv4" ? 4 : 16;
  const out = new Uint8Array(len);
  let v = address.value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Reads 4 bytes as IPv4 or 16 bytes as IPv6. */
export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new RangeError(`an IP address is 4 or 16 bytes, not ${bytes.length}`);
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return Object.freeze({ family: bytes.length === 4 ? "ipv4" : "ipv6", value: v });
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Total order: all IPv4 before all IPv6, then by value. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family === "ipv4" ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** `address + delta`, or undefined when it leaves the family's space. */
export function ipAdd(address: IpAddress, delta: bigint): IpAddress | undefined {
  const v = address.value + delta;
  if (v < 0n || v > familyMax(address.family)) return undefined;
  return Object.freeze({ family: address.family, value: v });
}

/**
 * MetalLB's `avoid-buggy-ips`: IPv4 addresses ending in .0 or .255 break old
 * clients and some CPE routers, whatever the prefix length. IPv6 has no such
 * addresses.
 */
export function isBuggyIp(address: IpAddress): boolean {
  if (address.family !== "ipv4") return false;
  const last = address.value & 0xffn;
  return last === 0n || last === 0xffn;
}
