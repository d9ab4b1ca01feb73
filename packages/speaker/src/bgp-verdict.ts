// BGP: does this node announce a Service's IPs, and as which routes
// (reference §3.2)?
//
// In MetalLB's order: the pool must have a BGP advertisement (notOwner); the
// node must not be NetworkUnavailable or carry the exclude label; with
// externalTrafficPolicy Local this node needs a healthy local endpoint
// (noLocalEndpoints), with Cluster some endpoint anywhere (noEndpoints). So
// with Cluster every eligible node announces and the router spreads traffic
// over them (ECMP); with Local only nodes that host a pod attract traffic.
//
// What is announced, per IP and per advertisement of the pool: the IP masked
// to aggregation-length (IPv4) or aggregation-length-v6, the advertisement's
// LOCAL_PREF (sent to iBGP peers only, by the session) and communities, to
// the peers the advertisement names (all peers when it names none). Merging
// the same prefix across Services happens in desired.ts.
//
// Deliberately not here: which peers have a session on this node (peers.ts),
// per-advertisement node selectors (the legacy format has none).
import type { Community, Pool } from "@ironlb/core/config";
import { maskIp, type IpAddress, type Prefix } from "@ironlb/core/ip";
import type { DecisionContext } from "./context.ts";
import type { EndpointSummary } from "./endpoints.ts";
import { WithdrawReason } from "./reasons.ts";

/** One route a Service asks for. */
export interface ServiceRoute {
  readonly prefix: Prefix;
  readonly localPref: number;
  /** Sorted as the config resolved them (standard first, then large). */
  readonly communities: readonly Community[];
  /** Peer names; empty: every peer. */
  readonly peers: readonly string[];
}

export type BgpVerdict = { readonly announce: true; readonly routes: readonly ServiceRoute[] } | { readonly announce: false; readonly reason: WithdrawReason };

export interface BgpInput {
  readonly pool: Pool;
  readonly ips: readonly IpAddress[];
  readonly local: boolean;
  readonly endpoints: EndpointSummary;
}

export function bgpVerdict(ctx: DecisionContext, input: BgpInput): BgpVerdict {
  const { pool, endpoints } = input;
  if (pool.protocol !== "bgp" || pool.bgpAdvertisements.length === 0) return withdraw(WithdrawReason.NotOwner);
  const me = ctx.nodes.get(ctx.nodeName);
  // MetalLB treats an unknown node as available and not excluded.
  if (me?.networkUnavailable === true) return withdraw(WithdrawReason.NodeNetworkUnavailable);
  if (me?.excludedFromBalancers === true && !ctx.ignoreExcludeLb) return withdraw(WithdrawReason.NodeLabeledExcludeBalancers);
  if (input.local && !endpoints.healthyNodes.has(ctx.nodeName)) return withdraw(WithdrawReason.NoLocalEndpoints);
  if (!endpoints.anyHealthy) return withdraw(WithdrawReason.NoEndpoints);
  return { announce: true, routes: serviceRoutes(pool, input.ips) };
}

/** Every route of `ips` under the pool's advertisements, in IP then advertisement order. */
export function serviceRoutes(pool: Pool, ips: readonly IpAddress[]): ServiceRoute[] {
  const out: ServiceRoute[] = [];
  for (const ip of ips) {
    for (const adv of pool.bgpAdvertisements) {
      const length = ip.family === "ipv4" ? adv.aggregationLength : adv.aggregationLengthV6;
      out.push({ prefix: maskIp(ip, length), localPref: adv.localPref, communities: adv.communities, peers: adv.peers });
    }
  }
  return out;
}

function withdraw(reason: WithdrawReason): BgpVerdict {
  return { announce: false, reason };
}
