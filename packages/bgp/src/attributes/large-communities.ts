// LARGE_COMMUNITIES (RFC 8092, type 32): optional transitive list of
// (global administrator, local data 1, local data 2), 12 octets each.
// RFC 8092 §6: a length that is not a non-zero multiple of 12 ->
// treat-as-withdraw. Also the "G:L1:L2" text form.
import { AttrCode, AttrFlag, type AttributeEntry, type LargeCommunity } from "./types.ts";

export const largeCommunitiesEntry: AttributeEntry<{ readonly type: "large-communities"; readonly communities: readonly LargeCommunity[] }> = {
  code: AttrCode.LargeCommunities,
  name: "LARGE_COMMUNITY",
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining === 0 || v.remaining % 12 !== 0) throw fail(`length ${v.remaining} is not a non-zero multiple of 12`);
    const communities: LargeCommunity[] = [];
    while (v.remaining > 0) communities.push({ global: v.u32("global"), local1: v.u32("local 1"), local2: v.u32("local 2") });
    return { type: "large-communities", communities };
  },
  sizeOf: (a) => 12 * a.communities.length,
  encode(w, a) {
    for (const c of a.communities) {
      w.u32(c.global);
      w.u32(c.local1);
      w.u32(c.local2);
    }
  },
};

const U32 = /^(0|[1-9]\d{0,9})$/;

/** Parses "G:L1:L2" with each part 0..4294967295; undefined otherwise. */
export function parseLargeCommunity(text: string): LargeCommunity | undefined {
  const parts = text.split(":");
  if (parts.length !== 3 || !parts.every((p) => U32.test(p))) return undefined;
  const [g, l1, l2] = parts.map(Number) as [number, number, number];
  if (g > 0xffff_ffff || l1 > 0xffff_ffff || l2 > 0xffff_ffff) return undefined;
  return { global: g, local1: l1, local2: l2 };
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.global}:${c.local1}:${c.local2}`;
}

export function compareLargeCommunity(a: LargeCommunity, b: LargeCommunity): number {
  return a.global - b.global || a.local1 - b.local1 || a.local2 - b.local2;
}
