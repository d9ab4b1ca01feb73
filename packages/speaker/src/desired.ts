// From every Service's decision to one desired state per protocol, the whole
// of what this node should announce, handed to one writer each:
//   layer 2: ip -> interfaces (and the Services behind it),
//   BGP:     peer name -> routes.
//
// Layer 2: an IP shared by several Services is one announcement; its
// interfaces are the union ("every interface" wins).
// BGP: a route goes to the peers its advertisement names (all when none);
// the same prefix from several Services or advertisements is one route per
// peer with the communities unioned (MetalLB's native session compacts the
// same way). Two different LOCAL_PREFs for one prefix and peer cannot come
// from one pool (the parser rejects them) but can from two pools aggregated
// into one prefix; the first Service in key order wins, as MetalLB's "first
// advertisement" does, and the clash is reported in `conflicts`.
// A LOCAL_PREF of 0 is the config's "unset": the session then sends the usual
// default (100) to iBGP peers, as MetalLB's FRR modes do, rather than 0,
// which would rank our routes below every other iBGP path.
//
// Pure; output order is deterministic (IPs and prefixes ascending, Services
// by key) so writers and tests see stable sets.
import type { Community } from "@ironlb/core/config";
import { compareIp, comparePrefix, formatIp, formatPrefix, type IpAddress, type Prefix } from "@ironlb/core/ip";
import type { ServiceDecision } from "./decide.ts";

export interface Layer2Announcement {
  readonly ip: IpAddress;
  /** undefined: every eligible interface. */
  readonly interfaces: readonly string[] | undefined;
  /** Service keys announcing this IP, sorted. */
  readonly services: readonly string[];
}

export interface LargeCommunityValue {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}

export interface BgpRoute {
  readonly prefix: Prefix;
  /** undefined: the session's default. */
  readonly localPref: number | undefined;
  /** RFC 1997 values, sorted, unique. */
  readonly communities: readonly number[];
  /** RFC 8092 values, sorted, unique. */
  readonly largeCommunities: readonly LargeCommunityValue[];
  readonly services: readonly string[];
}

export interface RouteConflict {
  readonly peer: string;
  readonly prefix: string;
  /** The LOCAL_PREF kept, then the ones dropped, with their Services. */
  readonly kept: { readonly service: string; readonly localPref: number };
  readonly dropped: readonly { readonly service: string; readonly localPref: number }[];
}

export interface DesiredState {
  readonly layer2: readonly Layer2Announcement[];
  /** Every peer with a session on this node has an entry (possibly empty: withdraw all). */
  readonly bgp: ReadonlyMap<string, readonly BgpRoute[]>;
  readonly conflicts: readonly RouteConflict[];
}

export function buildDesired(decisions: Iterable<ServiceDecision>, sessionPeers: readonly string[]): DesiredState {
  const sorted = [...decisions].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { layer2: layer2Set(sorted), ...bgpSets(sorted, sessionPeers) };
}

function layer2Set(decisions: readonly ServiceDecision[]): Layer2Announcement[] {
  // formatted IP -> accumulating announcement
  const byIp = new Map<string, { ip: IpAddress; interfaces: Set<string> | undefined; services: string[] }>();
  for (const d of decisions) {
    if (!d.layer2.announce) continue;
    for (const ip of d.ips) {
      const k = formatIp(ip);
      const cur = byIp.get(k);
      const ifs = d.layer2.interfaces;
      if (cur === undefined) {
        byIp.set(k, { ip, interfaces: ifs === undefined ? undefined : new Set(ifs), services: [d.key] });
        continue;
      }
      if (!cur.services.includes(d.key)) cur.services.push(d.key);
      if (cur.interfaces !== undefined) {
        if (ifs === undefined) cur.interfaces = undefined;
        else for (const i of ifs) cur.interfaces.add(i);
      }
    }
  }
  return [...byIp.values()]
    .sort((a, b) => compareIp(a.ip, b.ip))
    .map((e) => ({ ip: e.ip, interfaces: e.interfaces === undefined ? undefined : [...e.interfaces].sort(), services: e.services }));
}

interface RouteDraft {
  prefix: Prefix;
  localPref: number;
  firstService: string;
  communities: Set<number>;
  large: Map<string, LargeCommunityValue>;
  services: string[];
  dropped: { service: string; localPref: number }[];
}

function bgpSets(decisions: readonly ServiceDecision[], sessionPeers: readonly string[]): Pick<DesiredState, "bgp" | "conflicts"> {
  const bgp = new Map<string, BgpRoute[]>();
  const conflicts: RouteConflict[] = [];
  for (const peer of [...new Set(sessionPeers)].sort()) {
    // formatted prefix -> draft
    const drafts = new Map<string, RouteDraft>();
    for (const d of decisions) {
      if (!d.bgp.announce) continue;
      for (const r of d.bgp.routes) {
        if (r.peers.length > 0 && !r.peers.includes(peer)) continue;
        const k = formatPrefix(r.prefix);
        let draft = drafts.get(k);
        if (draft === undefined) {
          draft = { prefix: r.prefix, localPref: r.localPref, firstService: d.key, communities: new Set(), large: new Map(), services: [], dropped: [] };
          drafts.set(k, draft);
        } else if (draft.localPref !== r.localPref && !draft.dropped.some((x) => x.service === d.key && x.localPref === r.localPref)) {
          draft.dropped.push({ service: d.key, localPref: r.localPref });
        }
        if (!draft.services.includes(d.key)) draft.services.push(d.key);
        addCommunities(draft, r.communities);
      }
    }
    const routes: BgpRoute[] = [];
    for (const [k, draft] of [...drafts].sort((a, b) => comparePrefix(a[1].prefix, b[1].prefix))) {
      if (draft.dropped.length > 0) conflicts.push({ peer, prefix: k, kept: { service: draft.firstService, localPref: draft.localPref }, dropped: draft.dropped });
      routes.push({
        prefix: draft.prefix,
        localPref: draft.localPref === 0 ? undefined : draft.localPref,
        communities: [...draft.communities].sort((a, b) => a - b),
        largeCommunities: [...draft.large.values()].sort(compareLarge),
        services: draft.services,
      });
    }
    bgp.set(peer, routes);
  }
  return { bgp, conflicts };
}

function addCommunities(draft: RouteDraft, communities: readonly Community[]): void {
  for (const c of communities) {
    if (c.kind === "standard") draft.communities.add(c.value);
    else draft.large.set(`${c.globalAdmin}:${c.localData1}:${c.localData2}`, { global: c.globalAdmin, local1: c.localData1, local2: c.localData2 });
  }
}

function compareLarge(a: LargeCommunityValue, b: LargeCommunityValue): number {
  return a.global - b.global || a.local1 - b.local1 || a.local2 - b.local2;
}
