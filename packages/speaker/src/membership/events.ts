// What the membership reports to the speaker: typed events (libraries never
// log, DESIGN.md house style 7) and counters. Every event carries `at`, the
// local clock time at which this member changed its view, so the speaker can
// measure failover from "peer declared dead" to "takeover announced"
// (ironlb_failover_seconds).
import type { MemberState } from "./wire/messages.ts";

export type { MemberState };

/** One member as this node currently sees it. */
export interface Member {
  readonly name: string;
  /** Canonical IP text of the member's membership endpoint. */
  readonly address: string;
  readonly port: number;
  readonly state: MemberState;
  readonly incarnation: number;
  /** Local clock time (ms) of the last state change. */
  readonly since: number;
}

/** Why a datagram was dropped. Stable strings: tests and metrics use them. */
export type RejectReason =
  | "too-short" // shorter than any authentic datagram
  | "bad-magic" // not a membership datagram at all
  | "bad-version" // a protocol version this build does not speak
  | "bad-mac" // the tag matches none of the keys: wrong key or tampered bytes
  | "malformed" // authentic but does not decode (a peer's bug)
  | "stale" // stamped outside the replay window
  | "replayed" // this sender session's sequence number was already seen
  | "misdirected" // signed for another member name
  | "self"; // claims to come from this member's own name

export const rejectReasons: readonly RejectReason[] = [
  "too-short",
  "bad-magic",
  "bad-version",
  "bad-mac",
  "malformed",
  "stale",
  "replayed",
  "misdirected",
  "self",
];

interface Base {
  readonly name: string;
  readonly incarnation: number;
  /** Local clock time (ms) of the change. */
  readonly at: number;
}

export type MembershipEvent =
  /** First seen alive ("new"), or alive again after dead/left with a higher incarnation ("rejoined"). */
  | (Base & { readonly type: "memberJoined"; readonly reason: "new" | "rejoined"; readonly address: string; readonly port: number })
  /** A suspected member refuted the suspicion with a higher incarnation. */
  | (Base & { readonly type: "memberAlive"; readonly reason: "refuted" })
  /** Our own probe failed ("probe-failed") or another member said so ("reported"). */
  | (Base & { readonly type: "memberSuspect"; readonly reason: "probe-failed" | "reported"; readonly from: string })
  /** Our suspicion timed out ("suspicion-timeout") or another member declared it ("reported"). */
  | (Base & {
      readonly type: "memberDead";
      readonly reason: "suspicion-timeout" | "reported";
      readonly from: string;
      /** When this member started suspecting it, if it did: failure onset as seen here. */
      readonly suspectedAt: number | undefined;
    })
  /** The member said goodbye (graceful leave). */
  | (Base & { readonly type: "memberLeft"; readonly reason: "leave" })
  /**
   * Authentic datagrams from this member arrive stamped further from our
   * clock than replayWindow: one of the two clocks is wrong. Their content is
   * ignored, but the member is reachable (`skewedMembers()`).
   */
  | { readonly type: "memberClockSkew"; readonly name: string; readonly offsetMs: number; readonly at: number }
  /** No stale datagram from it for skewReachability ("expired"), or its datagrams are in the window again ("in-sync"). */
  | { readonly type: "memberClockSkewEnded"; readonly name: string; readonly reason: "expired" | "in-sync"; readonly at: number }
  /** A datagram was dropped; nothing changed. */
  | {
      readonly type: "packetRejected";
      readonly reason: RejectReason;
      readonly at: number;
      /** "ip:port" it came from. */
      readonly source: string;
      readonly detail: string;
    };

export type MembershipEventType = MembershipEvent["type"];
export type EventOf<T extends MembershipEventType> = Extract<MembershipEvent, { type: T }>;

export interface MembershipCounters {
  /** Direct pings sent by our probe rounds. */
  probes: number;
  /** Acks (direct or relayed) that answered our probes. */
  acks: number;
  /** Ping-reqs sent to helpers after a direct timeout. */
  indirectProbes: number;
  /** Ping-reqs we served for other members. */
  relayedProbes: number;
  nacksSent: number;
  nacksReceived: number;
  /** Members this node marked suspect (own probe or report). */
  suspicions: number;
  /** Suspicions of this node that it refuted. */
  refutations: number;
  /** Members this node declared dead by its own suspicion timeout. */
  deathsDeclared: number;
  pushPullsSent: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Datagrams the transport failed to send (unreachable, no route). */
  sendErrors: number;
  /** Messages of a type this build does not know (skipped). */
  unknownMessages: number;
  /** Rejected datagrams by reason. */
  rejected: Record<RejectReason, number>;
}

export function zeroCounters(): MembershipCounters {
  return {
    probes: 0,
    acks: 0,
    indirectProbes: 0,
    relayedProbes: 0,
    nacksSent: 0,
    nacksReceived: 0,
    suspicions: 0,
    refutations: 0,
    deathsDeclared: 0,
    pushPullsSent: 0,
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sendErrors: 0,
    unknownMessages: 0,
    rejected: Object.fromEntries(rejectReasons.map((r) => [r, 0])) as Record<RejectReason, number>,
  };
}
