// @ironlb/speaker: decides what this node announces (layer 2 and BGP) and
// keeps membership among the speakers. Public entry; internals stay unexported.
//
// - Speaker (speaker.ts): the daemon; `ironlb speaker` wires it to real sockets.
// - The pure decision layer: decideService, buildDesired, the withdraw reasons.
// - The published status (status-doc.ts) and its reader for `ironlb status`.
// - The membership (./membership): SWIM among speakers.
export * from "./membership/index.ts";
export { Speaker, DEFAULT_SPEAKER_SELECTOR, type SpeakerOptions } from "./speaker.ts";
export { WithdrawReason, withdrawReasons } from "./reasons.ts";
export { decideService, type ServiceDecision } from "./decide.ts";
export { decisionContext, type ContextInput, type DecisionContext } from "./context.ts";
export { buildDesired, type BgpRoute, type DesiredState, type Layer2Announcement, type RouteConflict } from "./desired.ts";
export { summarizeEndpoints, endpointCanServe, type EndpointSliceObject, type EndpointSummary } from "./endpoints.ts";
export { nodeState, EXCLUDE_BALANCERS_LABEL, type NodeObject, type NodeState } from "./nodes.ts";
export type { Layer2Verdict } from "./layer2.ts";
export type { BgpVerdict, ServiceRoute } from "./bgp-verdict.ts";
export type { BgpSessionFactory, BgpSessionHandle, BgpSessionCounters, StopReason } from "./sessions.ts";
export { socketSessionFactory } from "./bgp-factory.ts";
export { announcerWriter, dryRunWriter, type Layer2Writer } from "./layer2-writer.ts";
export type { MembershipSettings } from "./membership-link.ts";
export { parseStatus, serializeStatus, STATUS_ANNOTATION, type PublishedSession, type SpeakerStatusDoc } from "./status-doc.ts";
export { buildSpeakerStatus, collectSpeakerStatus, renderSpeakerStatus, type ServiceRow, type SessionRow, type SpeakerRow, type SpeakerStatusView } from "./status-view.ts";
