// `bgp-communities`: aliases for community values, referenced by name from
// advertisements. A value is "A:B" or, as an IronLB extension, "large:G:L1:L2".
// An alias defined twice is a repeated YAML key (DUPLICATE_KEY).
//
// Deliberately not here: resolving references (advertisements.ts does, alias
// first and literal second, as MetalLB).
import { parseCommunity } from "./community.ts";
import type { Community } from "./types.ts";
import { INVALID, type Item, type YamlReader } from "./yaml-reader.ts";

export interface CommunityAliases {
  /** Valid aliases in document order. */
  readonly values: ReadonlyMap<string, Community>;
  /** Every alias declared, valid or not: a reference to a broken one is not "unknown". */
  readonly declared: ReadonlySet<string>;
}

export function readCommunityAliases(r: YamlReader, item: Item): CommunityAliases {
  const values = new Map<string, Community>();
  const declared = new Set<string>();
  const entries = r.stringMap(item);
  if (entries === undefined || entries === INVALID) return { values, declared };
  for (const { key, value } of entries) {
    declared.add(key);
    const text = r.string(value);
    if (text === INVALID) continue;
    const parsed = parseCommunity(text ?? "");
    if (!parsed.ok) {
      r.error("INVALID_COMMUNITY", value.path, value.offset, `parsing community ${JSON.stringify(key)}: ${parsed.message}`);
      continue;
    }
    values.set(key, parsed.community);
  }
  return { values, declared };
}
