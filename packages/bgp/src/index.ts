// @ironlb/bgp: a BGP-4 speaker for announcing service addresses.
//
// Layers, each usable alone:
//   - the wire codec (pure): messages, capabilities, path attributes, RFC 7606
//     error handling, a stream framer;
//   - the session FSM (pure, sans-IO): RFC 4271 §8 with timers as actions;
//   - the Session (sans-IO with an injected transport): FSM + codec +
//     Adj-RIB-Out, driven by `setAdvertisements(all)`;
//   - the Node driver (sockets, listener, real timers) in "./node".
// The package README lists the RFCs implemented.
//
// Announcing (say, 20k prefixes for a benchmark) and observing Established,
// with the Node driver (the package's "./node" entry):
//
//   const speaker = new BgpSpeaker({ listen: false });
//   const peer = await speaker.addPeer({ address, localAddress, localAs, peerAs, routerId, nextHop: { ipv6 } });
//   peer.setAdvertisements(prefixes.map((prefix) => ({ prefix })));   // may precede Established
//   peer.on((e) => e.type === "stateChanged" && e.to === "Established" && mark());
//   await peer.waitFor("Established");
//   // "endOfRibSent" events mark the end of the initial burst; counters() has UPDATE counts.
//
// Setting the advertisements before the session is up does the per-prefix
// work (wire form, attribute grouping keys) outside the timed window; after
// Established only attribute sets are resolved and UPDATEs packed.
export { BgpAssertionError, BgpWireError, type Remedy, strongerRemedy } from "./errors.ts";
export * as Codes from "./codes.ts";
export { type CodecContext, baseContext, codecContext } from "./context.ts";
export { createFramer, type Framer, type FramerOptions } from "./framer.ts";
export { type Capability, type GracefulRestartFamily, CapabilityCode, capabilityName } from "./capabilities.ts";
export type { OpenMessage, OptionalParameter } from "./open.ts";
export type { UpdateMessage, UpdateDecoding } from "./update.ts";
export { type NotificationMessage, ceaseNotification, describeNotification, shutdownMessage } from "./notification.ts";
export type { RouteRefreshMessage } from "./route-refresh.ts";
export { decodeMessage, encodeMessage, type DecodedMessage, type KeepaliveMessage, keepalive, type Message, sizeOfMessage, type UnknownMessage } from "./message.ts";
export { endOfRib, endOfRibFamily } from "./end-of-rib.ts";
export { effectivePath, type EffectivePath } from "./as4.ts";
export {
  AttrCode,
  AttrFlag,
  type AsPathSegment,
  type LargeCommunity,
  type MpReachAttribute,
  type MpUnreachAttribute,
  Origin,
  type PathAttribute,
  type UnknownAttribute,
} from "./attributes/types.ts";
export { attributeName, passThrough } from "./attributes/registry.ts";
export { formatCommunity, parseCommunity, WellKnownCommunity } from "./attributes/communities.ts";
export { formatLargeCommunity, parseLargeCommunity } from "./attributes/large-communities.ts";
export { initialState, step, timerKey } from "./fsm/fsm.ts";
export type {
  BgpState,
  Connection,
  ConnId,
  Direction,
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmState,
  PeerMode,
  StateReason,
  StepResult,
  TimerName,
} from "./fsm/types.ts";
export { advertisedFamilies, type Negotiated, type PeerGracefulRestart } from "./fsm/negotiate.ts";
export { Session, type Endpoints, type SessionDeps, type SessionTransport } from "./session/session.ts";
export { BgpConfigError, type BgpConfigErrorCode, type GracefulRestartOptions, type SessionOptions } from "./session/options.ts";
export type { Advertisement, NextHopConfig, SkipReason } from "./session/advertisement.ts";
export type { MessageKind, NotificationInfo, SessionCounters, SessionEvent } from "./session/events.ts";
