// COMMUNITIES (RFC 1997, type 8): optional transitive list of 32-bit values,
// conventionally written ASN:VALUE. RFC 7606 §7.8: a length that is not a
// non-zero multiple of 4 -> treat-as-withdraw.
//
// Also the text form used by configuration and the CLI ("65000:100" and the
// RFC 1997 §3 well-known names).
import { AttrCode, AttrFlag, type AttributeEntry } from "./types.ts";

export const communitiesEntry: AttributeEntry<{ readonly type: "communities"; readonly communities: readonly number[] }> = {
  code: AttrCode.Communities,
  name: "COMMUNITIES",
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining === 0 || v.remaining % 4 !== 0) throw fail(`length ${v.remaining} is not a non-zero multiple of 4`);
    const communities: number[] = [];
    while (v.remaining > 0) communities.push(v.u32("community"));
    return { type: "communities", communities };
  },
  sizeOf: (a) => 4 * a.communities.length,
  encode(w, a) {
    for (const c of a.communities) w.u32(c);
  },
};

/** RFC 1997 §3 well-known communities, plus RFC 7999 BLACKHOLE. */
export const WellKnownCommunity = {
  "no-export": 0xffff_ff01,
  "no-advertise": 0xffff_ff02,
  "no-export-subconfed": 0xffff_ff03,
  blackhole: 0xffff_029a,
} as const;

/** Parses "ASN:VALUE" (each 0..65535) or a well-known name; undefined if neither. */
export function parseCommunity(text: string): number | undefined {
  const known = (WellKnownCommunity as Record<string, number>)[text.toLowerCase()];
  if (known !== undefined) return known;
  const m = /^(0|[1-9]\d{0,4}):(0|[1-9]\d{0,4})$/.exec(text);
  if (m === null) return undefined;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return undefined;
  return hi * 0x1_0000 + lo;
}

export function formatCommunity(c: number): string {
  return `${Math.floor(c / 0x1_0000)}:${c & 0xffff}`;
}
