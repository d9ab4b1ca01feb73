// Prefixes as BGP encodes them (RFC 4271 §4.3, RFC 4760 §5): a length in bits,
// then the fewest whole octets that hold it. Used by the withdrawn routes and
// NLRI fields of UPDATE and inside MP_REACH/MP_UNREACH.
//
// Host bits beyond the length are ignored on receive (RFC 4271 §4.3: "trailing
// bits are irrelevant") and always zero on send. ADD-PATH path identifiers
// (RFC 7911) are not supported: CodecContext.addPath is "none".
import { type IpFamily, type Prefix, prefix } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import type { BgpWireError } from "./errors.ts";

const bitsOf = (family: IpFamily) => (family === "ipv4" ? 32 : 128);

export function sizeOfPrefix(p: Prefix): number {
  return 1 + ((p.length + 7) >> 3);
}

export function sizeOfPrefixes(ps: readonly Prefix[]): number {
  let n = 0;
  for (const p of ps) n += 1 + ((p.length + 7) >> 3);
  return n;
}

export function encodePrefix(w: Writer, p: Prefix): void {
  const n = (p.length + 7) >> 3;
  w.u8(p.length);
  if (p.family === "ipv4") {
    const v = Number(p.network);
    for (let i = 0; i < n; i++) w.u8((v >>> (24 - 8 * i)) & 0xff);
    return;
  }
  for (let i = 0; i < n; i++) w.u8(Number((p.network >> BigInt(120 - 8 * i)) & 0xffn));
}

/** The wire form of one prefix; sessions cache it per advertisement. */
export function prefixBytes(p: Prefix): Uint8Array {
  const out = new Uint8Array(sizeOfPrefix(p));
  const n = out.length - 1;
  out[0] = p.length;
  if (p.family === "ipv4") {
    const v = Number(p.network);
    for (let i = 0; i < n; i++) out[1 + i] = (v >>> (24 - 8 * i)) & 0xff;
  } else {
    for (let i = 0; i < n; i++) out[1 + i] = Number((p.network >> BigInt(120 - 8 * i)) & 0xffn);
  }
  return out;
}

export function encodePrefixes(w: Writer, ps: readonly Prefix[]): void {
  for (const p of ps) encodePrefix(w, p);
}

/** Decodes one prefix; `fail` builds the error for this field (it differs by field). */
export function decodePrefix(r: Reader, family: IpFamily, fail: (what: string) => BgpWireError): Prefix {
  const length = r.u8("prefix length");
  if (length > bitsOf(family)) throw fail(`prefix length ${length} exceeds ${bitsOf(family)}`);
  const n = (length + 7) >> 3;
  if (r.remaining < n) throw fail(`prefix /${length} needs ${n} byte(s), ${r.remaining} left`);
  const b = r.bytes;
  const o = r.offset;
  r.offset += n;
  let network: bigint;
  if (family === "ipv4") {
    let v = 0;
    for (let i = 0; i < 4; i++) v = v * 256 + (i < n ? (b[o + i] as number) : 0);
    network = BigInt(v);
  } else {
    let hi = 0n;
    for (let i = 0; i < 16; i++) hi = (hi << 8n) | BigInt(i < n ? (b[o + i] as number) : 0);
    network = hi;
  }
  return prefix(family, network, length);
}

/** Decodes prefixes until `r` is exhausted. */
export function decodePrefixes(r: Reader, family: IpFamily, fail: (what: string) => BgpWireError): Prefix[] {
  const out: Prefix[] = [];
  while (r.remaining > 0) out.push(decodePrefix(r, family, fail));
  return out;
}
