// Why this node does not announce a Service: stable codes that logs, events,
// metrics, `ironlb status` and tests branch on.
//
// The names are MetalLB's withdraw reasons (reference §3, §3.1, §3.2) where
// MetalLB has one. Where MetalLB folds several causes into "notOwner" (its
// layer 2 controller says notOwner for "no endpoint can serve", "this node is
// excluded" and "another node won the election" alike), IronLB keeps them
// apart so an operator can tell "nobody can serve" from "someone else does":
//
//   noEndpoints                 MetalLB L2: notOwner;  BGP: noEndpoints
//   noLocalEndpoints            MetalLB L2: notOwner;  BGP: noLocalEndpoints
//   nodeNetworkUnavailable      MetalLB L2: notOwner (node dropped from candidates)
//   nodeLabeledExcludeBalancers MetalLB L2: notOwner (node dropped from candidates)
//   speakerNotReady             MetalLB L2: notOwner (not a memberlist member)
//
// Not here because IronLB's configuration cannot express their cause:
// sharedIPWithServiceSelector (advertisements have no service selectors) and
// conflictingAdvertisements (the parser rejects advertisements of one pool
// whose LOCAL_PREFs could collide, INCOMPATIBLE_LOCAL_PREF).

export const WithdrawReason = {
  /** The Service no longer exists. */
  ServiceDeleted: "serviceDeleted",
  /** spec.type is not LoadBalancer. */
  NotLoadBalancer: "notLoadBalancer",
  /** spec.loadBalancerClass is not the one this speaker serves (MetalLB filters these before reconciling). */
  OtherLoadBalancerClass: "otherLoadBalancerClass",
  /** status.loadBalancer.ingress has no IP yet. */
  NoIpAllocated: "noIPAllocated",
  /** An ingress IP does not parse. */
  InvalidIp: "invalidIP",
  /** The ingress IPs fit no address pool of the configuration in force. */
  IpNotAllowed: "ipNotAllowed",
  /** The Service's IPs changed: the old ones are withdrawn (transition only). */
  LoadBalancerIpChanged: "loadBalancerIPChanged",
  /** BGP: the pool has no BGP advertisement (a layer2 pool). L2: another node won the election. */
  NotOwner: "notOwner",
  /** L2: the pool is not a layer2 pool, or its layer2 node-selectors do not select this node. */
  NoMatchingAdvertisement: "noMatchingAdvertisement",
  /** This node's NetworkUnavailable condition is True. */
  NodeNetworkUnavailable: "nodeNetworkUnavailable",
  /** This node carries node.kubernetes.io/exclude-from-external-load-balancers. */
  NodeLabeledExcludeBalancers: "nodeLabeledExcludeBalancers",
  /** L2: this node's speaker is not in the live set (membership or pod readiness), so no other speaker counts it either. */
  SpeakerNotReady: "speakerNotReady",
  /** externalTrafficPolicy Local and no endpoint on this node can serve. */
  NoLocalEndpoints: "noLocalEndpoints",
  /** No endpoint anywhere can serve. */
  NoEndpoints: "noEndpoints",
} as const;

export type WithdrawReason = (typeof WithdrawReason)[keyof typeof WithdrawReason];

export const withdrawReasons: readonly WithdrawReason[] = Object.freeze(Object.values(WithdrawReason));
