// What the speaker asks the session to announce, and how one advertisement
// becomes path attributes for one peer.
//
// Attributes per RFC 4271 §5.1 for a route we originate: ORIGIN IGP; AS_PATH
// [our AS] to external peers, empty to internal ones (plus AS4_PATH when a
// 2-octet peer needs it, RFC 6793 §4.2.2); NEXT_HOP for IPv4 (IPv6 next hops
// go in MP_REACH_NLRI, RFC 4760 §3, with an optional link-local one, RFC 2545
// §3); MULTI_EXIT_DISC when set; LOCAL_PREF only to internal peers (RFC 4271
// §5.1.5; 100 when unset, the common default); COMMUNITIES and
// LARGE_COMMUNITIES sorted and de-duplicated so equal sets share an UPDATE.
//
// Next hop, when the advertisement has none: the configured one for the
// family, else the local address of the TCP connection when it is of the same
// family (and, for IPv6, not link-local). An IPv6 prefix on an IPv4 session
// (or the reverse) with no configured next hop of its family cannot be
// announced: there is no address to put there that the router could use. The
// session skips such prefixes and reports them (event `advertisementsSkipped`,
// reason "no-next-hop") rather than inventing an IPv4-mapped address the
// router would treat as unreachable.
import { type IpAddress, type IpFamily, type Prefix, formatIp } from "@ironlb/core/ip";
import { Writer } from "@ironlb/core/wire";
import { as4PathFor } from "../as4.ts";
import { compareLargeCommunity } from "../attributes/large-communities.ts";
import { encodeAttributes, sizeOfAttributes } from "../attributes/registry.ts";
import type { LargeCommunity, PathAttribute } from "../attributes/types.ts";
import type { CodecContext } from "../context.ts";
import { bgpWriteErrors } from "../wire.ts";

export interface Advertisement {
  readonly prefix: Prefix;
  /** Overrides the session's next hop for this prefix; must be of the prefix's family. */
  readonly nextHop?: IpAddress | undefined;
  readonly med?: number | undefined;
  /** Sent to internal peers only. */
  readonly localPref?: number | undefined;
  /** RFC 1997 values (see parseCommunity). */
  readonly communities?: readonly number[] | undefined;
  readonly largeCommunities?: readonly LargeCommunity[] | undefined;
}

export interface NextHopConfig {
  readonly ipv4?: IpAddress | undefined;
  /** Global IPv6 next hop. */
  readonly ipv6?: IpAddress | undefined;
  /** Sent beside the global one (next hop length 32, RFC 2545 §3). */
  readonly ipv6LinkLocal?: IpAddress | undefined;
}

/** What the attributes of our routes depend on, fixed for one established connection. */
export interface PeerContext {
  readonly localAs: number;
  readonly external: boolean;
  readonly codec: CodecContext;
  readonly localAddress: IpAddress | undefined;
  readonly nextHop: NextHopConfig;
}

/** A resolved set of attributes shared by many prefixes of one family. */
export interface AttributeSet {
  /** Identity for grouping and for the Adj-RIB-Out. */
  readonly id: string;
  readonly family: IpFamily;
  /** Encoded attributes other than MP_REACH_NLRI (which the packer writes per UPDATE). */
  readonly bytes: Uint8Array;
  readonly nextHop: IpAddress;
  readonly linkLocalNextHop: IpAddress | undefined;
}

export type SkipReason = "no-next-hop" | "next-hop-family-mismatch" | "family-not-negotiated";

const DEFAULT_LOCAL_PREF = 100;

export function isLinkLocal(a: IpAddress): boolean {
  return a.family === "ipv6" && a.value >> 118n === 0x3fan; // fe80::/10
}

/** Key of the fields that decide the attributes, before next-hop resolution. */
export function advertisementKey(a: Advertisement): string {
  const nh = a.nextHop === undefined ? "" : `${a.nextHop.family}:${a.nextHop.value}`;
  const comms = a.communities === undefined || a.communities.length === 0 ? "" : [...new Set(a.communities)].sort((x, y) => x - y).join(",");
  const large =
    a.largeCommunities === undefined || a.largeCommunities.length === 0
      ? ""
      : dedupLarge(a.largeCommunities).map((c) => `${c.global}:${c.local1}:${c.local2}`).join(",");
  return `${a.prefix.family}|${nh}|${a.med ?? ""}|${a.localPref ?? ""}|${comms}|${large}`;
}

function dedupLarge(list: readonly LargeCommunity[]): LargeCommunity[] {
  const sorted = [...list].sort(compareLargeCommunity);
  return sorted.filter((c, i) => i === 0 || compareLargeCommunity(c, sorted[i - 1] as LargeCommunity) !== 0);
}

function resolveNextHop(a: Advertisement, peer: PeerContext): { nextHop: IpAddress; linkLocal: IpAddress | undefined } | SkipReason {
  const family = a.prefix.family;
  if (a.nextHop !== undefined && a.nextHop.family !== family) return "next-hop-family-mismatch";
  const configured = family === "ipv4" ? peer.nextHop.ipv4 : peer.nextHop.ipv6;
  const local = peer.localAddress;
  const fromSession = local !== undefined && local.family === family && !isLinkLocal(local) ? local : undefined;
  const nextHop = a.nextHop ?? configured ?? fromSession;
  if (nextHop === undefined) return "no-next-hop";
  let linkLocal: IpAddress | undefined;
  if (family === "ipv6") linkLocal = peer.nextHop.ipv6LinkLocal ?? (local !== undefined && isLinkLocal(local) ? local : undefined);
  return { nextHop, linkLocal };
}

/** The path attributes of `a` for this peer (MP_REACH_NLRI excluded), in RFC 4271 type order. */
export function pathAttributes(a: Advertisement, peer: PeerContext, nextHop: IpAddress): PathAttribute[] {
  const attrs: PathAttribute[] = [{ type: "origin", origin: 0 }];
  const segments = peer.external ? [{ type: "sequence" as const, asns: [peer.localAs] }] : [];
  attrs.push({ type: "as-path", segments });
  if (a.prefix.family === "ipv4") attrs.push({ type: "next-hop", address: nextHop });
  if (a.med !== undefined) attrs.push({ type: "med", value: a.med });
  if (!peer.external) attrs.push({ type: "local-pref", value: a.localPref ?? DEFAULT_LOCAL_PREF });
  if (a.communities !== undefined && a.communities.length > 0) {
    attrs.push({ type: "communities", communities: [...new Set(a.communities)].sort((x, y) => x - y) });
  }
  const as4 = as4PathFor(segments, peer.codec);
  if (as4 !== undefined) attrs.push(as4);
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    attrs.push({ type: "large-communities", communities: dedupLarge(a.largeCommunities) });
  }
  return attrs;
}

/** Resolves an advertisement's attributes for this peer, or says why it cannot be sent. */
export function resolveAttributes(a: Advertisement, peer: PeerContext): AttributeSet | SkipReason {
  const nh = resolveNextHop(a, peer);
  if (typeof nh === "string") return nh;
  const attrs = pathAttributes(a, peer, nh.nextHop);
  const w = Writer.alloc(sizeOfAttributes(attrs, peer.codec), bgpWriteErrors);
  encodeAttributes(w, attrs, peer.codec);
  const id = `${advertisementKey(a)}|${formatIp(nh.nextHop)}|${nh.linkLocal === undefined ? "" : formatIp(nh.linkLocal)}`;
  return { id, family: a.prefix.family, bytes: w.bytes, nextHop: nh.nextHop, linkLocalNextHop: nh.linkLocal };
}
