// What changed in this node's announcements when a Service's decision
// changed: the transitions behind the `nodeAssigned` event, the
// ironlb_speaker_announced gauge and the "serviceWithdrawn" log line.
//
// MetalLB emits nodeAssigned on every successful reconcile (issue #1682 shows
// one Service with 6,503 of them in five days); IronLB emits it only when this
// node starts announcing a Service on a protocol, or announces different IPs.
// A change of IPs while announced is reported as a withdrawal of the old IPs
// with reason loadBalancerIPChanged, then an assignment of the new ones
// (MetalLB's step 2, reference §3).
//
// Pure: compares two decisions.
import { formatIp } from "@ironlb/core/ip";
import type { ServiceDecision } from "./decide.ts";
import { WithdrawReason } from "./reasons.ts";

export type Protocol = "layer2" | "bgp";
export const protocols: readonly Protocol[] = ["layer2", "bgp"];

export type AnnouncementChange =
  | { readonly type: "assigned"; readonly service: string; readonly protocol: Protocol; readonly ips: readonly string[] }
  | { readonly type: "withdrawn"; readonly service: string; readonly protocol: Protocol; readonly ips: readonly string[]; readonly reason: WithdrawReason };

/** The transitions from `prev` (undefined: never decided) to `next`, layer 2 first. */
export function diffDecisions(prev: ServiceDecision | undefined, next: ServiceDecision): AnnouncementChange[] {
  const out: AnnouncementChange[] = [];
  const prevIps = prev === undefined ? [] : prev.ips.map(formatIp);
  const nextIps = next.ips.map(formatIp);
  const sameIps = prevIps.length === nextIps.length && prevIps.every((ip) => nextIps.includes(ip));
  for (const protocol of protocols) {
    const was = prev?.[protocol].announce === true;
    const verdict = next[protocol];
    const is = verdict.announce;
    if (was && is && sameIps) continue;
    if (was) {
      // MetalLB compares the IPs once they are read and allowed (step 2), before the protocols decide.
      const changed = !sameIps && next.pool !== undefined;
      const reason = is || changed ? WithdrawReason.LoadBalancerIpChanged : (verdict as { reason: WithdrawReason }).reason;
      out.push({ type: "withdrawn", service: next.key, protocol, ips: prevIps, reason });
    }
    if (is) out.push({ type: "assigned", service: next.key, protocol, ips: nextIps });
  }
  return out;
}
