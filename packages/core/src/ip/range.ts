// Address ranges "START-END" and pool address entries.
//
// A pool entry in MetalLB's config is either a CIDR or an inclusive range;
// a range is split into the minimal list of CIDRs, ascending
// (40.0.0.150-40.0.0.200 -> .150/31, .152/29, .160/27, .192/29, .200/32).
// Spaces around the dash are allowed, as in MetalLB.
import { compareIp, formatIp, tryParseIp, familyBits, type IpAddress } from "./address.ts";
import { IpError } from "./errors.ts";
import { parseCidr, prefix, type Prefix } from "./prefix.ts";

export interface AddressRange {
  readonly start: IpAddress;
  readonly end: IpAddress;
}

/** Splits an inclusive range into the fewest CIDRs, in ascending order. */
export function rangeToPrefixes(range: AddressRange): Prefix[] {
  const { start, end } = range;
  if (start.family !== end.family) throw new RangeError("range ends are of different families");
  const bits = familyBits(start.family);
  const out: Prefix[] = [];
  let cur = start.value;
  while (cur <= end.value) {
    // The largest block aligned at `cur` that does not run past `end`.
    let size = cur === 0n ? bits : trailingZeros(cur, bits);
    while (size > 0 && cur + (1n << BigInt(size)) - 1n > end.value) size--;
    out.push(prefix(start.family, cur, bits - size));
    cur += 1n << BigInt(size);
  }
  return out;
}

function trailingZeros(v: bigint, bits: number): number {
  let n = 0;
  while (n < bits && (v & (1n << BigInt(n))) === 0n) n++;
  return n;
}

export type AddressEntry =
  | { readonly kind: "cidr"; readonly text: string; readonly prefixes: readonly [Prefix] }
  | { readonly kind: "range"; readonly text: string; readonly range: AddressRange; readonly prefixes: readonly Prefix[] };

/** Parses one pool `addresses` entry: a CIDR or "START-END". */
export function parseAddressEntry(text: string): AddressEntry {
  const dash = text.indexOf("-");
  if (dash < 0) {
    return Object.freeze({ kind: "cidr", text, prefixes: Object.freeze([parseCidr(text).prefix]) as readonly [Prefix] });
  }
  const parts = text.split("-");
  const startText = (parts[0] ?? "").trim();
  const endText = (parts[1] ?? "").trim();
  const start = tryParseIp(startText);
  const end = tryParseIp(endText);
  if (parts.length !== 2 || start === undefined || end === undefined) {
    throw new IpError("RANGE_INVALID", text, `invalid IP range "${text}"`);
  }
  if (start.family !== end.family) {
    throw new IpError("RANGE_INVALID", text, `invalid IP range "${text}": start and end are of different families`);
  }
  if (compareIp(start, end) > 0) {
    throw new IpError("RANGE_REVERSED", text, `invalid IP range "${text}": start IP "${formatIp(start)}" is after the end IP "${formatIp(end)}"`);
  }
  const range = Object.freeze({ start, end });
  return Object.freeze({ kind: "range", text, range, prefixes: Object.freeze(rangeToPrefixes(range)) });
}
