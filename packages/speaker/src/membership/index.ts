// Speaker membership: which speakers are alive, learnt directly from the
// speakers within about a second, without any write to the Kubernetes API.
//
// A SWIM failure detector with memberlist's and Lifeguard's refinements
// (swim.ts), over authenticated UDP on port 7946 (wire/packet.ts). The
// speaker combines `aliveNames()` with the API's view (speaker pod readiness,
// node conditions) to form the L2 candidate set, as MetalLB does with
// memberlist (reference §3.1).
//
//   const ml = createMembership({ name: nodeName, bind: { address: podIP },
//     keys: [secretBytes], clock: realClock });
//   ml.on("memberDead", (e) => reelect(e.at));   // also memberJoined/Alive/Suspect/Left
//   await ml.start();
//   ml.join(speakerPodIPs, { replaceSeeds: true }); // again whenever the pod list changes
//   ...
//   process.on("SIGTERM", async () => { withdraw(); await ml.leave(); await ml.stop(); });
//
// Semantics the speaker relies on:
// - aliveNames() holds alive *and suspect* members (memberlist's Members()
//   does the same): a suspicion alone moves no IP; only a declared death or a
//   leave does. It includes this node while it runs.
// - Detection: a SIGKILLed speaker is declared dead by every other speaker
//   within p50 0.7 s / p99 0.9 s with the defaults (`npm run bench --
//   membership`, 3 members on loopback, 50 kills; memberlist's LAN timings:
//   6.1 s). config.ts explains the budget. `memberDead.at` is when this node
//   declared it, for ironlb_failover_seconds.
// - Graceful leave: leave() sends "left" to every member directly and at once,
//   three times 20 ms apart; members drop the leaver on the first copy
//   (SIGTERM -> left everywhere: p50 2 ms, p99 15 ms in the same bench). start() after leave()
//   rejoins with a higher incarnation, outranking the "left".
// - Seeds: join() remembers addresses; absent ones (and dead members) are
//   re-contacted every rejoinInterval (2 s; MetalLB: 60 s).
// - Security: every datagram carries an HMAC-SHA256 tag under
//   sha256(secret) (MetalLB's key derivation); unauthenticated, tampered,
//   truncated, misdirected, stale or replayed datagrams are dropped, counted
//   by reason and reported as `packetRejected`, and change nothing. Nobody
//   without the key can join, suspect, kill or "leave" a member. A replayed
//   capture is refused by the per-session sequence window and the timestamp
//   window, and even news that slips past those is outranked by incarnation
//   numbers (a member's incarnation only grows; a restart starts above the
//   wall-clock ms). Keys: the first signs, all verify (rotation). The price
//   of the timestamp window: a node whose clock is off by more than
//   replayWindow (60 s) is cut off (every datagram "stale", both ways), so
//   SWIM declares it dead and it sees itself alone. Its authentic datagrams
//   still prove it is up, so every node lists it in `skewedMembers()` (and
//   emits memberClockSkew); the speaker counts those as live, which keeps the
//   layer 2 election the same everywhere instead of a lone skewed node
//   claiming every IP. Only datagrams stamped newer than the last one counted
//   prove anything, so replays cannot keep a dead member reachable. Clocks
//   are wall time: a backward step of the local clock also delays this
//   node's own timers by the step (run NTP slewing, not stepping).
//
// Network partitions, as MetalLB documents them (a known split brain): each
// side keeps probing only the members it can reach, declares the others dead
// after the usual timeouts, and the L2 election on each side picks an owner
// among the members it can see, so an IP may be announced from both sides
// until the partition heals. We accept this rather than stopping
// announcements: the alternative (announce only with a quorum) would take
// every IP off the air on the minority side, and in a two-node cluster on
// both sides, for a failure that clients on the majority side do not even
// see. On heal, the periodic rejoin (seeds and dead members every 2 s)
// exchanges full state across the former cut; each side hears it was declared
// dead, refutes with a higher incarnation, both views merge, and the
// deterministic election converges to one owner again. Until then the
// speaker's L2 conflict detection sees the second announcer and reports it as
// an event. A remote "dead" learnt by push-pull is only a suspicion here
// (memberlist does the same), so a healing side cannot kill members we can
// reach ourselves.
export { createMembership, type AddressPort, type JoinOptions, type Membership, type MembershipOptions } from "./membership.ts";
export { defaultConfig, memberlistLanConfig, resolveConfig, type MembershipConfig } from "./config.ts";
export { DEFAULT_PORT, formatEndpoint, parseEndpoint, type Endpoint } from "./endpoint.ts";
export { MembershipError, type MembershipErrorCode } from "./errors.ts";
export {
  rejectReasons,
  type EventOf,
  type Member,
  type MemberState,
  type MembershipCounters,
  type MembershipEvent,
  type MembershipEventType,
  type RejectReason,
} from "./events.ts";
export { openUdpTransport, type UdpOptions } from "./udp.ts";
export type { Transport } from "./transport.ts";
