// Layer 2: does this node answer ARP/NDP for a Service's IPs (reference §3.1)?
//
// Candidates are the live speakers (see DecisionContext.liveSpeakers) minus
// nodes whose NetworkUnavailable condition is True, minus nodes labelled
// node.kubernetes.io/exclude-from-external-load-balancers (unless
// ignoreExcludeLb), minus nodes the pool's layer2 node-selectors do not
// select; with externalTrafficPolicy Local, only those hosting an endpoint
// that can serve. The owner is the first of core/election's order
// (sha256(node "#" first ingress IP) ascending) over the candidates: every
// speaker with the same view reaches the same answer without talking to the
// others, and Services sharing an IP (same first IP) land on one node.
//
// The verdict carries the elected owner even when it is another node (or
// when this node is not a candidate at all): the daemon uses it to tell a
// takeover from a brand-new IP and to report who announces what.
//
// Deliberately not here: liveness (the daemon builds liveSpeakers), which
// interfaces exist on the host (the announcer), preferredNodeSelectors
// (unreleased in MetalLB; IronLB's config has no such field).
import { matchesAnySelector } from "@ironlb/core/config";
import type { Pool } from "@ironlb/core/config";
import { electOwner } from "@ironlb/core/election";
import type { DecisionContext } from "./context.ts";
import type { EndpointSummary } from "./endpoints.ts";
import type { NodeState } from "./nodes.ts";
import { WithdrawReason } from "./reasons.ts";

export type Layer2Verdict =
  | {
      readonly announce: true;
      /** Interfaces to answer on; undefined: every eligible interface (the pool lists none). */
      readonly interfaces: readonly string[] | undefined;
      readonly owner: string;
    }
  | {
      readonly announce: false;
      readonly reason: WithdrawReason;
      /** The elected owner when an election ran (it may be another node), else undefined. */
      readonly owner: string | undefined;
    };

export interface Layer2Input {
  readonly pool: Pool;
  /** Text form of the first ingress IP: the election key. */
  readonly electionIp: string;
  readonly local: boolean;
  readonly endpoints: EndpointSummary;
}

export function layer2Verdict(ctx: DecisionContext, input: Layer2Input): Layer2Verdict {
  const { pool, endpoints } = input;
  // §3.1 step 1: checked even for ETP=Cluster.
  if (!endpoints.anyServing) return withdraw(WithdrawReason.NoEndpoints, undefined);
  if (pool.protocol !== "layer2") return withdraw(WithdrawReason.NoMatchingAdvertisement, undefined);

  const owner = electOwner(layer2Candidates(ctx, pool, input.local, endpoints), input.electionIp);
  const me = ctx.nodes.get(ctx.nodeName);
  if (me === undefined || !matchesAnySelector(pool.layer2.nodeSelectors, me.labels)) return withdraw(WithdrawReason.NoMatchingAdvertisement, owner);
  if (me.networkUnavailable) return withdraw(WithdrawReason.NodeNetworkUnavailable, owner);
  if (me.excludedFromBalancers && !ctx.ignoreExcludeLb) return withdraw(WithdrawReason.NodeLabeledExcludeBalancers, owner);
  if (!ctx.liveSpeakers.has(ctx.nodeName)) return withdraw(WithdrawReason.SpeakerNotReady, owner);
  if (input.local && !endpoints.servingNodes.has(ctx.nodeName)) return withdraw(WithdrawReason.NoLocalEndpoints, owner);
  if (owner !== ctx.nodeName) return withdraw(WithdrawReason.NotOwner, owner);
  return { announce: true, interfaces: pool.layer2.interfaces.length === 0 ? undefined : pool.layer2.interfaces, owner };
}

/** The nodes that may announce this pool's IPs, before the election. */
export function layer2Candidates(ctx: DecisionContext, pool: Pool, local: boolean, endpoints: EndpointSummary): string[] {
  const out: string[] = [];
  for (const name of ctx.liveSpeakers) {
    const node = ctx.nodes.get(name);
    if (node === undefined || !eligible(ctx, pool, node)) continue;
    if (local && !endpoints.servingNodes.has(name)) continue;
    out.push(name);
  }
  return out;
}

function eligible(ctx: DecisionContext, pool: Pool, node: NodeState): boolean {
  if (node.networkUnavailable) return false;
  if (node.excludedFromBalancers && !ctx.ignoreExcludeLb) return false;
  return matchesAnySelector(pool.layer2.nodeSelectors, node.labels);
}

function withdraw(reason: WithdrawReason, owner: string | undefined): Layer2Verdict {
  return { announce: false, reason, owner };
}
