// BGP community values as the config spells them: RFC 1997 standard
// communities "A:B" (two decimal uint16, MetalLB's legacy syntax) and RFC 8092
// large communities "large:G:L1:L2" (three decimal uint32, MetalLB's CRD
// syntax, an IronLB extension in the ConfigMap format).
//
// Deliberately not here: well-known names ("no-export"); users alias them in
// `bgp-communities` as with MetalLB. Extended communities (RFC 4360) are not
// supported by MetalLB's config either.
import type { Community } from "./types.ts";

export type CommunityParse = { readonly ok: true; readonly community: Community } | { readonly ok: false; readonly message: string };

const LARGE_PREFIX = "large:";
const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffff_ffff;

// strconv.ParseUint(s, 10, bits): decimal digits only, no sign, no underscores.
function parseUnsigned(text: string, max: number): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text.replace(/^0+(?=\d)/, ""));
  return text.length > 20 || n > max ? undefined : n;
}

/** Parses "A:B" or "large:G:L1:L2". The message follows MetalLB's `ParseCommunity`. */
export function parseCommunity(text: string): CommunityParse {
  if (text.startsWith(LARGE_PREFIX)) {
    const fields = text.slice(LARGE_PREFIX.length).split(":");
    if (fields.length !== 3) return { ok: false, message: `invalid large community string ${JSON.stringify(text)}: want large:G:L1:L2` };
    const names = ["global administrator", "first local data part", "second local data part"];
    const values: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = parseUnsigned(fields[i] as string, UINT32_MAX);
      if (v === undefined) {
        return { ok: false, message: `invalid ${names[i]} of large community ${JSON.stringify(fields[i])}: must be a decimal number 0..4294967295` };
      }
      values.push(v);
    }
    const [globalAdmin, localData1, localData2] = values as [number, number, number];
    return { ok: true, community: Object.freeze({ kind: "large", globalAdmin, localData1, localData2 }) };
  }
  const fields = text.split(":");
  if (fields.length !== 2) return { ok: false, message: `invalid community string ${JSON.stringify(text)}` };
  const high = parseUnsigned(fields[0] as string, UINT16_MAX);
  if (high === undefined) {
    return { ok: false, message: `invalid first section of community ${JSON.stringify(fields[0])}: must be a decimal number 0..65535` };
  }
  const low = parseUnsigned(fields[1] as string, UINT16_MAX);
  if (low === undefined) {
    return { ok: false, message: `invalid second section of community ${JSON.stringify(fields[1])}: must be a decimal number 0..65535` };
  }
  // (high << 16) would go negative in int32 arithmetic; multiply instead.
  return { ok: true, community: Object.freeze({ kind: "standard", value: high * 0x1_0000 + low }) };
}

/** "A:B" or "large:G:L1:L2": the canonical text form, which parseCommunity reads back. */
export function formatCommunity(c: Community): string {
  if (c.kind === "standard") return `${Math.floor(c.value / 0x1_0000)}:${c.value % 0x1_0000}`;
  return `large:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/** Standard communities first by value, then large ones by (G, L1, L2): types.ts's order. */
export function compareCommunity(a: Community, b: Community): number {
  if (a.kind !== b.kind) return a.kind === "standard" ? -1 : 1;
  if (a.kind === "standard" && b.kind === "standard") return a.value - b.value;
  if (a.kind === "large" && b.kind === "large") {
    return a.globalAdmin - b.globalAdmin || a.localData1 - b.localData1 || a.localData2 - b.localData2;
  }
  return 0;
}

export function communityEquals(a: Community, b: Community): boolean {
  return compareCommunity(a, b) === 0;
}

/**
 * Does the text look like a literal rather than an alias name? MetalLB (CRD
 * era) treats a string without ":" as an alias reference; we use the same
 * rule to tell "unknown alias" from "malformed literal".
 */
export function looksLikeCommunityLiteral(text: string): boolean {
  return text.includes(":");
}
