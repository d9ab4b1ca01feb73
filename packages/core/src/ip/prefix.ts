// IP prefixes (CIDRs): a network address and a length, host bits always zero.
//
// `parseCidr` follows Go's net.ParseCIDR, which MetalLB uses for pool
// addresses and peers: "10.0.0.7/24" is accepted and means 10.0.0.0/24; the
// address as written is returned beside the prefix for callers that care.
// Lengths are decimal without leading zeros, 0..32 or 0..128.
import { familyBits, familyMax, formatIp, tryParseIp, type IpAddress, type IpFamily } from "./address.ts";
import { IpError } from "./errors.ts";

export interface Prefix {
  readonly family: IpFamily;
  /** The first address, host bits zero. */
  readonly network: bigint;
  readonly length: number;
}

/** The mask with the top `length` bits of the family set. */
export function prefixMask(family: IpFamily, length: number): bigint {
  const bits = familyBits(family);
  return familyMax(family) ^ ((1n << BigInt(bits - length)) - 1n);
}

/** Builds a prefix, clearing host bits of `network`. */
export function prefix(family: IpFamily, network: bigint, length: number): Prefix {
  if (!Number.isInteger(length) || length < 0 || length > familyBits(family)) {
    throw new RangeError(`prefix length ${length} is out of range for ${family}`);
  }
  return Object.freeze({ family, network: network & prefixMask(family, length), length });
}

/** The prefix of `length` bits that contains `address` (used for aggregation). */
export function maskIp(address: IpAddress, length: number): Prefix {
  return prefix(address.family, address.value, length);
}

export function parseCidr(text: string): { readonly address: IpAddress; readonly prefix: Prefix } {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? "" : text.slice(slash + 1);
  const address = tryParseIp(addrText);
  if (address === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(lenText)) {
    throw new IpError("PREFIX_INVALID", text, `invalid CIDR "${text}"`);
  }
  const length = Number(lenText);
  if (length > familyBits(address.family)) {
    throw new IpError("PREFIX_INVALID", text, `invalid CIDR "${text}": length ${length} exceeds ${familyBits(address.family)}`);
  }
  return { address, prefix: prefix(address.family, address.value, length) };
}

export function parsePrefix(text: string): Prefix {
  return parseCidr(text).prefix;
}

export function formatPrefix(p: Prefix): string {
  return `${formatIp({ family: p.family, value: p.network })}/${p.length}`;
}

/** Number of addresses in the prefix. */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(familyBits(p.family) - p.length);
}

export function prefixFirst(p: Prefix): IpAddress {
  return Object.freeze({ family: p.family, value: p.network });
}

export function prefixLast(p: Prefix): IpAddress {
  return Object.freeze({ family: p.family, value: p.network + prefixSize(p) - 1n });
}

export function prefixContains(p: Prefix, address: IpAddress): boolean {
  return address.family === p.family && (address.value & prefixMask(p.family, p.length)) === p.network;
}

/** True when the two prefixes share at least one address (one contains the other). */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const len = Math.min(a.length, b.length);
  const mask = prefixMask(a.family, len);
  return (a.network & mask) === (b.network & mask);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.network === b.network && a.length === b.length;
}

/** Orders by family (IPv4 first), network, then length (shorter first). */
export function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family === "ipv4" ? -1 : 1;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}
