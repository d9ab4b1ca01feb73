// Per Service: does this node announce it, per protocol, and if not, why
// (reference §3 steps 1-3, then §3.1 and §3.2).
//
// The common checks come first and withdraw both protocols with the same
// reason: serviceDeleted, notLoadBalancer, otherLoadBalancerClass,
// noIPAllocated, invalidIP, ipNotAllowed. Then each protocol decides on its
// own. loadBalancerIPChanged is a transition, not a state: the change tracker
// (announcements.ts) reports it when the IPs of an announced Service change.
//
// Pure: the same inputs give the same decision on every node, which is what
// makes the layer 2 election work without coordination.
import { formatIp, tryParseIp, type IpAddress } from "@ironlb/core/ip";
import { handlesClass, isLoadBalancer, type ServiceObject } from "@ironlb/core/service";
import { bgpVerdict, type BgpVerdict } from "./bgp-verdict.ts";
import type { DecisionContext } from "./context.ts";
import type { EndpointSummary } from "./endpoints.ts";
import { layer2Verdict, type Layer2Verdict } from "./layer2.ts";
import { WithdrawReason } from "./reasons.ts";

export interface ServiceDecision {
  /** "namespace/name". */
  readonly key: string;
  /** The ingress IPs in status order; empty when a common check withdrew before they were read. */
  readonly ips: readonly IpAddress[];
  /** The pool the IPs belong to under the config in force. */
  readonly pool: string | undefined;
  readonly layer2: Layer2Verdict;
  readonly bgp: BgpVerdict;
}

export function decideService(ctx: DecisionContext, key: string, svc: ServiceObject | undefined, endpoints: EndpointSummary): ServiceDecision {
  const common = (reason: WithdrawReason, ips: readonly IpAddress[] = []): ServiceDecision => ({
    key,
    ips,
    pool: undefined,
    layer2: { announce: false, reason, owner: undefined },
    bgp: { announce: false, reason },
  });
  if (svc === undefined) return common(WithdrawReason.ServiceDeleted);
  if (!isLoadBalancer(svc)) return common(WithdrawReason.NotLoadBalancer);
  if (!handlesClass(svc, ctx.lbClass)) return common(WithdrawReason.OtherLoadBalancerClass);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length === 0) return common(WithdrawReason.NoIpAllocated);
  const ips: IpAddress[] = [];
  for (const entry of ingress) {
    // A hostname-only entry is not an IP either (MetalLB parses every entry's IP).
    const ip = entry.ip === undefined ? undefined : tryParseIp(entry.ip);
    if (ip === undefined) return common(WithdrawReason.InvalidIp);
    ips.push(ip);
  }
  const pool = ctx.pools.poolFor(ips);
  if (pool === undefined) return common(WithdrawReason.IpNotAllowed, ips);
  const local = svc.spec?.externalTrafficPolicy === "Local";
  return {
    key,
    ips,
    pool: pool.name,
    // Using the first IP works for single and dual stack alike (§3.1 step 7).
    layer2: layer2Verdict(ctx, { pool, electionIp: formatIp(ips[0] as IpAddress), local, endpoints }),
    bgp: bgpVerdict(ctx, { pool, ips, local, endpoints }),
  };
}
