// Membership tunables, their defaults, and the quantities derived from them.
//
// Defaults are chosen for the speaker's goal: every speaker on a LAN learns
// that a peer died within about a second of the process dying (p99 <= 1 s for
// three nodes), where memberlist's DefaultLANConfig (probe 1 s, timeout
// 500 ms, suspicion 4 x probe interval x log10 n) takes 1-4 s (MetalLB #767).
// The budget for three nodes, each probing the other two in a fixed order:
//
//   first failed probe of the dead node   <= 2 x probeInterval = 400 ms (two
//                                            probers, so usually ~130 ms)
//   direct timeout + indirect probes      =  probeInterval      = 200 ms
//   suspicion (no confirmations possible) =  300 ms
//   gossip of suspect/dead on a LAN       ~  1 ms (sent at once, not on a tick)
//                                            worst case ~900 ms, typical ~630 ms
//
// Why these are safe against false positives: a member is declared dead only
// after it was silent to a direct ping for probeTimeout, to up to
// `indirectChecks` other members for the rest of the probe interval, and then
// did not refute the suspicion (one datagram, well under a millisecond on a
// LAN) for the whole suspicion timeout: about 500 ms of silence end to end.
// A Node.js speaker that stalls that long is not answering ARP either. The
// suspicion timeout grows with log10 n (more members: gossip takes more hops)
// and, Lifeguard-style, starts at `suspicionMaxMult` times the minimum when
// other members could confirm, shrinking as independent confirmations arrive.
// A member whose own probes keep failing without nacks from its helpers
// (Lifeguard's local health, "awareness") probes more slowly and waits longer,
// because then it is more likely itself the sick one.
//
// probeTimeout 100 ms: LAN round trips are well under 1 ms; the rest is room
// for a busy event loop or a GC pause on either side. Measured numbers are in
// the closing note of issue 7 and in `npm run bench -- membership`.
import { MembershipError } from "./errors.ts";

export interface MembershipConfig {
  /** Time between probes of successive members (ms). */
  readonly probeInterval: number;
  /** Wait for a direct ack before asking others to probe (ms); < probeInterval. */
  readonly probeTimeout: number;
  /** Members asked to probe indirectly (SWIM's k). */
  readonly indirectChecks: number;
  /** Minimum suspicion = suspicionMult x max(1, log10 n) x probeInterval. */
  readonly suspicionMult: number;
  /** Suspicion starts at this multiple of the minimum when confirmations are possible (Lifeguard). */
  readonly suspicionMaxMult: number;
  /** Independent confirmations that bring the suspicion timeout down to the minimum. */
  readonly suspicionConfirmations: number;
  /** A broadcast is sent retransmitMult x ceil(log10(n + 1)) times. */
  readonly retransmitMult: number;
  /** Gossip rounds while broadcasts are pending (ms); new news is gossiped at once. */
  readonly gossipInterval: number;
  /** Random members each gossip round goes to. */
  readonly gossipNodes: number;
  /** Full state exchange with one random member this often (ms); 0 disables. */
  readonly pushPullInterval: number;
  /** Re-contact seeds and dead members this often (ms) (MetalLB: 60 s); 0 disables. */
  readonly rejoinInterval: number;
  /** Times a leave is sent to every member. */
  readonly leaveRetransmits: number;
  /** Between leave retransmissions (ms). */
  readonly leaveInterval: number;
  /** Upper bound of the local-health multiplier on probe interval and timeout; 1 disables. */
  readonly awarenessMax: number;
  /** Largest datagram sent (bytes); 1400 fits a 1500-byte MTU with IPv6 + UDP headers. */
  readonly maxPacketSize: number;
  /** Datagrams stamped further than this from the receiver's clock are rejected (ms); 0 disables. */
  readonly replayWindow: number;
  /**
   * A member whose authentic datagrams arrive but are "stale" (its clock or
   * ours is off by more than replayWindow) counts as reachable for this long
   * after the last one (ms); see swim.ts "Clock skew".
   */
  readonly skewReachability: number;
  /** Dead and left members are forgotten this long after their death (ms). */
  readonly reapAfter: number;
  /** A timer that fires this late (ms) lets pending I/O run once before it acts (see membership.ts). */
  readonly lateTimerSlack: number;
}

export const defaultConfig: MembershipConfig = Object.freeze({
  probeInterval: 200,
  probeTimeout: 100,
  indirectChecks: 3,
  suspicionMult: 1.5,
  suspicionMaxMult: 3,
  suspicionConfirmations: 2,
  retransmitMult: 4,
  gossipInterval: 100,
  gossipNodes: 3,
  pushPullInterval: 15_000,
  rejoinInterval: 2_000,
  leaveRetransmits: 3,
  leaveInterval: 20,
  awarenessMax: 4,
  maxPacketSize: 1400,
  replayWindow: 60_000,
  skewReachability: 3_000,
  reapAfter: 3_600_000,
  lateTimerSlack: 20,
});

/**
 * hashicorp/memberlist's DefaultLANConfig in these terms (MetalLB's setting),
 * for comparison benchmarks: probe 1 s / 500 ms, suspicion 4 x log10 n x 1 s
 * growing to 6x, gossip 200 ms to 3 nodes, push-pull 30 s, awareness 8.
 */
export const memberlistLanConfig: MembershipConfig = Object.freeze({
  ...defaultConfig,
  probeInterval: 1000,
  probeTimeout: 500,
  suspicionMult: 4,
  suspicionMaxMult: 6,
  suspicionConfirmations: 2,
  gossipInterval: 200,
  pushPullInterval: 30_000,
  rejoinInterval: 60_000,
  awarenessMax: 8,
});

type Rule = (v: number) => boolean;
const positive: Rule = (v) => Number.isFinite(v) && v > 0;
const nonNegative: Rule = (v) => Number.isFinite(v) && v >= 0;
const count: Rule = (v) => Number.isInteger(v) && v >= 0;
const atLeastOne: Rule = (v) => Number.isInteger(v) && v >= 1;

const rules: Record<keyof MembershipConfig, [Rule, string]> = {
  probeInterval: [positive, "a positive number of ms"],
  probeTimeout: [positive, "a positive number of ms"],
  indirectChecks: [count, "a whole number >= 0"],
  suspicionMult: [positive, "a positive number"],
  suspicionMaxMult: [(v) => Number.isFinite(v) && v >= 1, "a number >= 1"],
  suspicionConfirmations: [count, "a whole number >= 0"],
  retransmitMult: [atLeastOne, "a whole number >= 1"],
  gossipInterval: [positive, "a positive number of ms"],
  gossipNodes: [atLeastOne, "a whole number >= 1"],
  pushPullInterval: [nonNegative, "ms >= 0 (0 disables)"],
  rejoinInterval: [nonNegative, "ms >= 0 (0 disables)"],
  leaveRetransmits: [atLeastOne, "a whole number >= 1"],
  leaveInterval: [nonNegative, "ms >= 0"],
  awarenessMax: [atLeastOne, "a whole number >= 1"],
  maxPacketSize: [(v) => Number.isInteger(v) && v >= 512 && v <= 65_507, "512-65507 bytes"],
  replayWindow: [nonNegative, "ms >= 0 (0 disables)"],
  skewReachability: [nonNegative, "ms >= 0"],
  reapAfter: [positive, "a positive number of ms"],
  lateTimerSlack: [nonNegative, "ms >= 0"],
};

/** Defaults overlaid with `partial`, validated; throws MEMBERSHIP_BAD_CONFIG naming the key. */
export function resolveConfig(partial: Partial<MembershipConfig> = {}): MembershipConfig {
  const merged: MembershipConfig = { ...defaultConfig, ...partial };
  for (const key of Object.keys(partial)) {
    if (!(key in rules)) throw new MembershipError("MEMBERSHIP_BAD_CONFIG", `unknown setting "${key}"`);
  }
  for (const [key, [ok, want]] of Object.entries(rules) as [keyof MembershipConfig, [Rule, string]][]) {
    if (!ok(merged[key])) throw new MembershipError("MEMBERSHIP_BAD_CONFIG", `${key}: ${String(merged[key])} is not ${want}`);
  }
  if (merged.probeTimeout >= merged.probeInterval) {
    throw new MembershipError("MEMBERSHIP_BAD_CONFIG", `probeTimeout (${merged.probeTimeout}) must be shorter than probeInterval (${merged.probeInterval})`);
  }
  return Object.freeze(merged);
}

/** Sends of one broadcast before it is dropped: retransmitMult x ceil(log10(n + 1)). */
export function retransmitLimit(config: MembershipConfig, n: number): number {
  return config.retransmitMult * Math.max(1, Math.ceil(Math.log10(n + 1)));
}
