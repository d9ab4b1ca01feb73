// `bgp-advertisements` of one bgp pool: how an assigned IP becomes a route.
//
// Rules (reference §1a, §1b):
// - aggregation-length <= 32 and aggregation-length-v6 <= 128; each must be at
//   least the shortest prefix of every `addresses` entry of its family
//   (a range 3.3.3.2-3.3.3.254 splits down to a /26, so 24 is refused);
// - localpref is a uint32 (sent to iBGP peers only);
// - communities are aliases from bgp-communities or literals "A:B" /
//   "large:G:L1:L2"; an unknown alias and a repeated value are errors;
// - two equal advertisements are an error; two advertisements may only set
//   different localprefs if their aggregation lengths differ for every family
//   the pool holds, or both name peers and the peer sets are disjoint
//   (MetalLB's advertisementsAreCompatible; the legacy format has no per-
//   advertisement node selectors, so node sets never tell them apart);
// - IronLB extension `peers`: names of peers the advertisement goes to
//   (empty: all).
// No advertisement (absent or empty list) means one default: 32/128,
// localpref 0, no communities, all peers.
//
// Deliberately not here: the native speaker's refusal of IPv6 and large
// communities; IronLB's speaker carries both (RFC 4760, RFC 8092).
import type { AddressEntry, IpFamily } from "../ip/index.ts";
import type { CommunityAliases } from "./bgp-communities.ts";
import { compareCommunity, communityEquals, formatCommunity, looksLikeCommunityLiteral, parseCommunity } from "./community.ts";
import { childPath } from "./issues.ts";
import { canonical, type PeerSection } from "./peers.ts";
import type { BgpAdvertisement, Community } from "./types.ts";
import { INVALID, INT32, UINT32, type Invalid, type Item, type MapView, type YamlReader } from "./yaml-reader.ts";

const ADVERTISEMENT_KEYS = ["aggregation-length", "aggregation-length-v6", "localpref", "communities", "peers"] as const;

export const DEFAULT_ADVERTISEMENT: BgpAdvertisement = Object.freeze({
  aggregationLength: 32,
  aggregationLengthV6: 128,
  localPref: 0,
  communities: Object.freeze([]) as readonly Community[],
  peers: Object.freeze([]) as readonly string[],
});

/** A pool's address entry that parsed, with where it was written. */
export interface PlacedEntry {
  readonly entry: AddressEntry;
  readonly path: string;
  readonly offset: number;
}

export interface AdvertisementContext {
  readonly communities: CommunityAliases;
  readonly peers: PeerSection;
}

export function readAdvertisements(
  r: YamlReader,
  items: readonly Item[] | undefined,
  entries: readonly PlacedEntry[],
  ctx: AdvertisementContext,
): BgpAdvertisement[] | Invalid {
  if (items === undefined || items.length === 0) return [DEFAULT_ADVERTISEMENT];
  let bad = false;
  const read: { adv: BgpAdvertisement; view: MapView; index: number }[] = [];
  items.forEach((it, index) => {
    const view = r.mapping(it, ADVERTISEMENT_KEYS);
    if (view === INVALID) {
      bad = true;
      return;
    }
    const adv = readAdvertisement(r, view, entries, ctx);
    if (adv === INVALID) bad = true;
    else read.push({ adv, view, index });
  });

  const families = new Set(entries.map((e) => e.entry.prefixes[0].family));
  const kept: typeof read = [];
  for (const cur of read) {
    const key = canonicalAdvertisement(cur.adv);
    const twin = kept.find((k) => canonicalAdvertisement(k.adv) === key);
    if (twin !== undefined) {
      r.error(
        "DUPLICATE_ADVERTISEMENT",
        cur.view.path,
        cur.view.offset,
        `duplicate definition of bgpadvertisements. advertisement ${twin.index + 1} and ${cur.index + 1} are equal`,
      );
      bad = true;
      continue;
    }
    const clash = kept.find((k) => k.adv.localPref !== cur.adv.localPref && !compatible(k.adv, cur.adv, families));
    if (clash !== undefined) {
      r.error(
        "INCOMPATIBLE_LOCAL_PREF",
        childPath(cur.view.path, "localpref"),
        cur.view.offsetOf("localpref"),
        `invalid local preference ${cur.adv.localPref}: local preference ${clash.adv.localPref} was already set for the same type of BGP update ` +
          `(advertisement ${clash.index + 1}). Advertisements of one pool with different localpref need different aggregation lengths ` +
          `for every address family of the pool, or disjoint peers`,
      );
      bad = true;
      continue;
    }
    kept.push(cur);
    warnIgnoredLocalPref(r, cur.view, cur.adv, ctx.peers);
  }
  return bad ? INVALID : kept.map((k) => k.adv);
}

function readAdvertisement(r: YamlReader, m: MapView, entries: readonly PlacedEntry[], ctx: AdvertisementContext): BgpAdvertisement | Invalid {
  let bad = false;
  const v4 = readAggregation(r, m, "aggregation-length", "ipv4", 32, entries);
  const v6 = readAggregation(r, m, "aggregation-length-v6", "ipv6", 128, entries);
  if (v4 === INVALID || v6 === INVALID) bad = true;
  const localPref = m.integer("localpref", UINT32);
  if (localPref === INVALID) bad = true;
  const communities = readCommunities(r, m, ctx.communities);
  if (communities === INVALID) bad = true;
  const peers = readPeerRefs(r, m, ctx.peers);
  if (peers === INVALID) bad = true;
  if (bad || v4 === INVALID || v6 === INVALID || localPref === INVALID || communities === INVALID || peers === INVALID) return INVALID;
  return { aggregationLength: v4, aggregationLengthV6: v6, localPref: localPref ?? 0, communities, peers };
}

function readAggregation(
  r: YamlReader,
  m: MapView,
  key: "aggregation-length" | "aggregation-length-v6",
  family: IpFamily,
  max: number,
  entries: readonly PlacedEntry[],
): number | Invalid {
  const path = childPath(m.path, key);
  const familyName = family === "ipv4" ? "IPv4" : "IPv6";
  const value = m.integer(key, INT32);
  if (value === INVALID) return INVALID;
  if (value === undefined) return max;
  if (value < 0 || value > max) {
    r.error("INVALID_AGGREGATION_LENGTH", path, m.offsetOf(key), `invalid aggregation length ${value} for ${familyName}: must be 0..${max}`);
    return INVALID;
  }
  // Aggregating to a prefix shorter than an entry's own would announce
  // addresses the pool does not own. A range is judged by its widest CIDR.
  for (const e of entries) {
    if (e.entry.prefixes[0].family !== family) continue;
    const lowest = Math.min(...e.entry.prefixes.map((p) => p.length));
    if (value < lowest) {
      r.error(
        "INVALID_AGGREGATION_LENGTH",
        path,
        m.offsetOf(key),
        `invalid aggregation length ${value}: prefix ${lowest} in this pool is more specific than the aggregation length for addresses ${e.entry.text}`,
      );
      return INVALID;
    }
  }
  return value;
}

function readCommunities(r: YamlReader, m: MapView, aliases: CommunityAliases): Community[] | Invalid {
  const list = m.stringList("communities");
  if (list === INVALID) return INVALID;
  let bad = false;
  const out: { c: Community; text: string }[] = [];
  for (const item of list ?? []) {
    const text = item.value;
    let community = aliases.values.get(text);
    if (community === undefined) {
      if (aliases.declared.has(text)) {
        bad = true; // the alias itself is broken and already reported
        continue;
      }
      if (!looksLikeCommunityLiteral(text)) {
        r.error(
          "UNKNOWN_COMMUNITY_ALIAS",
          item.path,
          item.offset,
          `invalid community ${JSON.stringify(text)} in BGP advertisement: no such alias in bgp-communities (a literal is A:B or large:G:L1:L2)`,
        );
        bad = true;
        continue;
      }
      const parsed = parseCommunity(text);
      if (!parsed.ok) {
        r.error("INVALID_COMMUNITY", item.path, item.offset, `invalid community ${JSON.stringify(text)} in BGP advertisement: ${parsed.message}`);
        bad = true;
        continue;
      }
      community = parsed.community;
    }
    const resolved = community;
    const twin = out.find((o) => communityEquals(o.c, resolved));
    if (twin !== undefined) {
      const same = twin.text === text ? "" : ` (${JSON.stringify(twin.text)} is ${formatCommunity(resolved)} too)`;
      r.error("DUPLICATE_COMMUNITY", item.path, item.offset, `duplicate definition of community ${JSON.stringify(text)}${same}`);
      bad = true;
      continue;
    }
    out.push({ c: resolved, text });
  }
  return bad ? INVALID : out.map((o) => o.c).sort(compareCommunity);
}

function readPeerRefs(r: YamlReader, m: MapView, peers: PeerSection): string[] | Invalid {
  const list = m.stringList("peers");
  if (list === INVALID) return INVALID;
  let bad = false;
  const out: string[] = [];
  for (const item of list ?? []) {
    if (!peers.names.has(item.value)) {
      const known = [...peers.names].map((n) => JSON.stringify(n)).join(", ");
      r.error(
        "UNKNOWN_PEER",
        item.path,
        item.offset,
        `advertisement references unknown peer ${JSON.stringify(item.value)} (peers are named by their name key or, without one, by their address; known: ${known === "" ? "none" : known})`,
      );
      bad = true;
    } else if (out.includes(item.value)) {
      r.error("DUPLICATE_ENTRY", item.path, item.offset, `duplicate definition of peer ${JSON.stringify(item.value)} in advertisement peers`);
      bad = true;
    } else out.push(item.value);
  }
  return bad ? INVALID : out;
}

/** Two advertisements with different localpref may coexist only if they can never produce the same route to the same peer. */
function compatible(a: BgpAdvertisement, b: BgpAdvertisement, families: ReadonlySet<IpFamily>): boolean {
  const v4Differs = !families.has("ipv4") || a.aggregationLength !== b.aggregationLength;
  const v6Differs = !families.has("ipv6") || a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (families.size > 0 && v4Differs && v6Differs) return true;
  if (a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p))) return true;
  return false;
}

function canonicalAdvertisement(a: BgpAdvertisement): string {
  return canonical({ ...a, peers: [...a.peers].sort() });
}

/** LOCAL_PREF is an iBGP attribute (RFC 4271 §5.1.5): setting it for eBGP-only targets does nothing. */
function warnIgnoredLocalPref(r: YamlReader, view: MapView, adv: BgpAdvertisement, section: PeerSection): void {
  if (adv.localPref === 0) return;
  const targets = adv.peers.length === 0 ? section.peers : section.peers.filter((p) => adv.peers.includes(p.name));
  if (targets.length === 0 || targets.some((p) => p.myAsn === p.peerAsn)) return;
  r.warn(
    "LOCAL_PREF_IGNORED",
    childPath(view.path, "localpref"),
    view.offsetOf("localpref"),
    `localpref ${adv.localPref} is sent to iBGP peers only, and every peer this advertisement goes to is eBGP`,
  );
}
