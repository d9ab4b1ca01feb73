// The membership protocol as a sans-IO state machine: SWIM (Das, Gupta,
// Motivala, DSN 2002) with memberlist's and Lifeguard's refinements. Inputs
// are `start`, `join`, `leave`, `stop`, a received datagram and the passage of
// time (`tick`), each with `now` injected; outputs are datagrams to send and
// events, collected by `drain()`; `nextDeadline()` says when time next
// matters. It reads no clock, opens no socket and sets no timer: the driver
// (membership.ts) does, and tests drive it with a fake clock and network.
//
// The state is kept in mutable fields rather than threaded through a pure
// step(state, event) -> state: it is a table of n members with per-member
// timers, and copying it per datagram would cost O(n) for nothing, while the
// property that matters (no I/O, no hidden time, no hidden randomness) holds.
//
// One probe round (every probeInterval, scaled by local health):
//   1. finish the previous round: no ack from the target, directly or through
//      a helper -> suspect it (SWIM §3.1 + §4.2), adjust local health;
//   2. ping the next member in probe order; after probeTimeout without an ack,
//      ask `indirectChecks` random members to ping it for us (ping-req), each
//      answering with an ack or, Lifeguard §IV-A, a nack when the target was
//      silent to them too.
// News (alive / suspect / dead) is piggybacked on every datagram and gossiped
// at once to `gossipNodes` random members, up to retransmitMult x log n sends
// (broadcasts.ts). A member that hears it is suspected refutes by raising its
// incarnation (§4.2). Push-pull (memberlist) exchanges full state on join,
// every pushPullInterval with a random member, and every rejoinInterval with
// seeds and dead members that are not present: that is how a partition heals.
// A member that leaves sends "dead, from itself" to every member directly,
// `leaveRetransmits` times, and stops answering.
import { Reader, Writer } from "@ironlb/core/wire";
import { retransmitLimit, type MembershipConfig } from "./config.ts";
import { endpointKey, formatEndpoint, sameEndpoint, type Endpoint } from "./endpoint.ts";
import { WireError } from "./errors.ts";
import { zeroCounters, type Member, type MembershipCounters, type MembershipEvent, type RejectReason } from "./events.ts";
import { BroadcastQueue } from "./broadcasts.ts";
import { ReplayGuard } from "./replay.ts";
import { suspicionBounds } from "./suspicion.ts";
import { isLive, MemberTable, type MemberRecord } from "./table.ts";
import { wireReadErrors, wireWriteErrors } from "./wire/fields.ts";
import { chunkEntries, decodeMessages, MESSAGE_HEADER_SIZE, messageCodec, PUSH_PULL_FIXED, type Message, type PushPullEntry } from "./wire/messages.ts";
import { headerCodec, openPacket, sealPacket, TAG_SIZE, type PacketHeader } from "./wire/packet.ts";

export interface SwimOptions {
  readonly name: string;
  /** Where other members reach this one. */
  readonly advertise: Endpoint;
  /** HMAC keys (already derived); the first signs. */
  readonly keys: readonly Uint8Array[];
  readonly config: MembershipConfig;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export type SwimOutput =
  | { readonly type: "send"; readonly to: Endpoint; readonly bytes: Uint8Array }
  | { readonly type: "event"; readonly event: MembershipEvent };

export type Phase = "idle" | "running" | "leaving" | "left" | "stopped";

interface Probe {
  readonly target: string;
  readonly seq: number;
  readonly timeoutAt: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
  acked: boolean;
}

interface Relay {
  readonly requester: Endpoint;
  readonly requesterName: string;
  readonly theirSeq: number;
  readonly deadline: number;
  readonly nack: boolean;
}

interface Leaving {
  readonly targets: readonly MemberRecord[];
  readonly message: Uint8Array;
  remaining: number;
  nextAt: number;
}

const SWEEP_INTERVAL = 5_000;

export class Swim {
  readonly name: string;
  readonly advertise: Endpoint;
  readonly config: MembershipConfig;
  readonly counters: MembershipCounters = zeroCounters();
  readonly #keys: readonly Uint8Array[];
  readonly #random: () => number;
  readonly #table: MemberTable;
  readonly #broadcasts = new BroadcastQueue();
  readonly #replay: ReplayGuard;
  // member name -> when its last stale-but-authentic datagram arrived, its stamp, and its clock offset
  readonly #skewed = new Map<string, { lastSeen: number; stamp: number; offset: number }>();
  readonly #seeds = new Map<string, Endpoint>();
  readonly #relays = new Map<number, Relay>();
  #out: SwimOutput[] = [];
  #phase: Phase = "idle";
  #incarnation = 0;
  #since = 0;
  #session = 0;
  #packetSeq = 0;
  #probeSeq = 0;
  #awareness = 0;
  #probe: Probe | undefined;
  #leaving: Leaving | undefined;
  #nextProbeAt: number | undefined;
  #gossipAt: number | undefined;
  #pushPullAt: number | undefined;
  #rejoinAt: number | undefined;
  #sweepAt: number | undefined;

  constructor(options: SwimOptions) {
    this.name = options.name;
    this.advertise = options.advertise;
    this.config = options.config;
    this.#keys = options.keys;
    this.#random = options.random;
    this.#table = new MemberTable(options.random);
    this.#replay = new ReplayGuard(options.config.replayWindow);
  }

  get phase(): Phase {
    return this.#phase;
  }

  get incarnation(): number {
    return this.#incarnation;
  }

  /** Local health score (Lifeguard): 0 healthy; probe interval and timeout scale by score + 1. */
  get awareness(): number {
    return this.#awareness;
  }

  // ---- inputs -------------------------------------------------------------

  /**
   * Starts (or restarts after leave/stop). The incarnation is the wall clock in
   * ms, or one more than the last one if that is higher, so a member that left
   * or died and comes back outranks every claim about its previous life
   * without having to persist anything.
   */
  start(now: number): void {
    if (this.#phase === "running") return;
    this.#leaving = undefined;
    this.#since = now;
    this.#incarnation = Math.max(Math.floor(now), this.#incarnation + 1);
    this.#session = Math.floor(this.#random() * 2 ** 53);
    this.#packetSeq = 0;
    this.#phase = "running";
    this.#awareness = 0;
    // Desynchronise members started together, so their probes interleave.
    this.#nextProbeAt = now + Math.floor(this.#random() * this.config.probeInterval);
    this.#pushPullAt = this.config.pushPullInterval > 0 ? now + this.config.pushPullInterval : undefined;
    this.#rejoinAt = this.config.rejoinInterval > 0 || this.#seeds.size > 0 ? now : undefined;
    this.#sweepAt = now + SWEEP_INTERVAL;
    this.#broadcast(this.name, { type: "alive", incarnation: this.#incarnation, name: this.name, address: this.advertise }, now);
    // A restart after leave: tell the members we still know, they hold us as left.
    for (const m of this.#table.pick(this.config.gossipNodes, isLive)) this.#sendPushPull(m.address, m.name, false, now);
    this.#runDue(now);
  }

  /**
   * Remembers the addresses as seeds (re-contacted every rejoinInterval while
   * absent) and, when running, contacts each that is not a live member now.
   * `replaceSeeds`: the addresses are the whole seed list (the speaker's
   * current pod list), so seeds of deleted pods stop being contacted.
   */
  join(endpoints: readonly Endpoint[], now: number, options: { readonly replaceSeeds?: boolean } = {}): void {
    if (options.replaceSeeds === true) this.#seeds.clear();
    const present = this.#presentKeys();
    for (const e of endpoints) {
      if (sameEndpoint(e, this.advertise)) continue;
      this.#seeds.set(endpointKey(e), e);
      if (this.#phase === "running" && !present.has(endpointKey(e))) this.#sendPushPull(e, "", false, now);
    }
    this.#runDue(now);
  }

  /**
   * Tells every member at once that this one leaves, then `leaveRetransmits - 1`
   * more times `leaveInterval` apart; `phase` is "left" after the last. A
   * no-op unless running.
   */
  leave(now: number): void {
    if (this.#phase !== "running") return;
    this.#phase = "leaving";
    this.#probe = undefined;
    this.#relays.clear();
    this.#broadcasts.clear();
    this.#skewed.clear();
    this.#gossipAt = undefined;
    const message = encodeMessage({ type: "dead", incarnation: this.#incarnation, name: this.name, from: this.name });
    this.#leaving = { targets: this.#table.live(), message, remaining: this.config.leaveRetransmits, nextAt: now };
    this.#runDue(now);
  }

  /** Forgets timers; the table and counters stay readable. */
  stop(): void {
    this.#phase = "stopped";
    this.#probe = undefined;
    this.#leaving = undefined;
    this.#relays.clear();
    this.#broadcasts.clear();
    this.#nextProbeAt = this.#gossipAt = this.#pushPullAt = this.#rejoinAt = this.#sweepAt = undefined;
  }

  receive(bytes: Uint8Array, source: Endpoint, now: number): void {
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes.length;
    // Once leaving, silence: a member that missed the leave must not keep us alive.
    if (this.#phase !== "running") return;
    const opened = openPacket(bytes, this.#keys);
    if (!opened.ok) return this.#reject(opened.reason, source, opened.detail, now);
    const h = opened.header;
    if (h.from === this.name) return this.#reject("self", source, `another member uses the name ${this.name}`, now);
    if (h.to !== "" && h.to !== this.name) return this.#reject("misdirected", source, `meant for ${h.to}`, now);
    const verdict = this.#replay.check(h, now);
    if (verdict === "stale") this.#noteSkew(h.from, h.time, now);
    else if (verdict === "ok" && this.#skewed.has(h.from)) this.#endSkew(h.from, "in-sync", now);
    if (verdict !== "ok") return this.#reject(verdict, source, `${h.from} session ${h.session} seq ${h.seq} time ${h.time}`, now);
    let messages: Message[];
    try {
      messages = decodeMessages(new Reader(opened.body, wireReadErrors));
    } catch (err) {
      if (err instanceof WireError) return this.#reject("malformed", source, err.message, now);
      throw err;
    }
    for (const m of messages) this.#handle(m, h, source, now);
    this.#runDue(now);
  }

  /** Runs everything due at `now`. */
  tick(now: number): void {
    this.#runDue(now);
  }

  /**
   * Members heard from recently whose datagrams were all "stale": name ->
   * offset of their clock from ours (ms). Clock skew: with a clock off by
   * more than replayWindow, every datagram of a member is rejected both ways,
   * so each side declares the other dead and a lone skewed node would elect
   * itself owner of every layer 2 IP (split brain). An authentic, correctly
   * addressed, never-seen datagram still proves the sender is up, so the
   * speaker counts these members as live (with their pod's readiness) on
   * every node alike, and the election stays consistent. Their news is still
   * ignored; only reachability is taken from them.
   */
  skewedMembers(): ReadonlyMap<string, number> {
    return new Map([...this.#skewed].map(([name, s]) => [name, s.offset]));
  }

  // Only a datagram stamped later than the last one that counted proves the
  // sender is up now: a replayed capture is older than what the live sender
  // already sent, so it cannot keep a dead member reachable.
  #noteSkew(name: string, stamp: number, now: number): void {
    const known = this.#skewed.get(name);
    if (known !== undefined && stamp <= known.stamp) return;
    this.#skewed.set(name, { lastSeen: now, stamp, offset: stamp - now });
    if (known === undefined) this.#emit({ type: "memberClockSkew", name, offsetMs: stamp - now, at: now });
  }

  #endSkew(name: string, reason: "expired" | "in-sync", now: number): void {
    this.#skewed.delete(name);
    this.#emit({ type: "memberClockSkewEnded", name, reason, at: now });
  }

  #expireSkew(now: number): void {
    for (const [name, s] of this.#skewed) if (now - s.lastSeen > this.config.skewReachability) this.#endSkew(name, "expired", now);
  }

  /** The earliest time `tick` has work, or undefined when idle. */
  nextDeadline(): number | undefined {
    if (this.#phase === "leaving") return this.#leaving?.nextAt;
    if (this.#phase !== "running") return undefined;
    const p = this.#probe;
    const ds = [this.#nextProbeAt, p !== undefined && !p.indirectSent && !p.acked ? p.timeoutAt : undefined, this.#gossipAt, this.#pushPullAt, this.#rejoinAt, this.#sweepAt];
    ds.push(this.#table.nextSuspicionDeadline());
    for (const r of this.#relays.values()) ds.push(r.deadline);
    let min: number | undefined;
    for (const d of ds) if (d !== undefined && (min === undefined || d < min)) min = d;
    return min;
  }

  drain(): SwimOutput[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Every member this node knows, itself first. */
  members(): Member[] {
    const self: Member = {
      name: this.name,
      address: this.advertise.address,
      port: this.advertise.port,
      state: this.#phase === "leaving" || this.#phase === "left" ? "left" : "alive",
      incarnation: this.#incarnation,
      since: this.#since,
    };
    return [self, ...this.#table.snapshot()];
  }

  // ---- timers -------------------------------------------------------------

  #runDue(now: number): void {
    if (this.#leaving !== undefined && now >= this.#leaving.nextAt) this.#leaveRound(now);
    if (this.#phase !== "running") return;
    if (this.#probe !== undefined && !this.#probe.indirectSent && !this.#probe.acked && now >= this.#probe.timeoutAt) this.#indirect(now);
    if (this.#nextProbeAt !== undefined && now >= this.#nextProbeAt) {
      this.#finishProbe(now);
      this.#startProbe(now);
      this.#nextProbeAt = now + this.config.probeInterval * (this.#awareness + 1);
    }
    for (const m of this.#table.expiredSuspicions(now)) {
      this.counters.deathsDeclared++;
      this.#applyDead(m.name, m.incarnation, this.name, now, "suspicion-timeout");
    }
    for (const [seq, r] of this.#relays) {
      if (r.deadline > now) continue;
      this.#relays.delete(seq);
      if (r.nack) {
        this.counters.nacksSent++;
        this.#send(r.requester, r.requesterName, [encodeMessage({ type: "nack", seq: r.theirSeq })], now);
      }
    }
    if (this.#pushPullAt !== undefined && now >= this.#pushPullAt) {
      const [m] = this.#table.pick(1, (x) => x.state === "alive");
      if (m !== undefined) this.#sendPushPull(m.address, m.name, false, now);
      this.#pushPullAt = now + this.config.pushPullInterval;
    }
    if (this.#rejoinAt !== undefined && now >= this.#rejoinAt) {
      this.#rejoin(now);
      this.#rejoinAt = this.config.rejoinInterval > 0 ? now + this.config.rejoinInterval : undefined;
    }
    if (this.#sweepAt !== undefined && now >= this.#sweepAt) {
      this.#replay.sweep(now);
      this.#table.reap(now - this.config.reapAfter);
      this.#sweepAt = now + SWEEP_INTERVAL;
    }
    if (this.#skewed.size > 0) this.#expireSkew(now);
    // Last, so news raised above goes out in this same call.
    if (this.#gossipAt !== undefined && now >= this.#gossipAt) this.#gossip(now);
  }

  #startProbe(now: number): void {
    const target = this.#table.nextProbeTarget();
    if (target === undefined) return;
    const seq = this.#nextProbeSeq();
    this.counters.probes++;
    this.#probe = {
      target: target.name,
      seq,
      timeoutAt: now + this.config.probeTimeout * (this.#awareness + 1),
      indirectSent: false,
      expectedNacks: 0,
      nacks: 0,
      acked: false,
    };
    this.#send(target.address, target.name, [encodeMessage({ type: "ping", seq })], now);
  }

  #indirect(now: number): void {
    const p = this.#probe as Probe;
    p.indirectSent = true;
    const target = this.#table.get(p.target);
    if (target === undefined || !isLive(target)) return;
    const helpers = this.#table.pick(this.config.indirectChecks, (m) => m.state === "alive" && m.name !== p.target);
    p.expectedNacks = helpers.length;
    const req = encodeMessage({ type: "pingReq", seq: p.seq, nack: true, target: target.name, targetAddress: target.address });
    for (const h of helpers) {
      this.counters.indirectProbes++;
      this.#send(h.address, h.name, [req], now);
    }
  }

  #finishProbe(now: number): void {
    const p = this.#probe;
    this.#probe = undefined;
    if (p === undefined) return;
    if (p.acked) {
      this.#adjustAwareness(-1);
      return;
    }
    // Lifeguard §IV-A: helpers that did not even nack point at our own network.
    this.#adjustAwareness(p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
    const m = this.#table.get(p.target);
    if (m !== undefined && isLive(m)) this.#applySuspect(m.name, m.incarnation, this.name, now, "probe-failed");
  }

  #adjustAwareness(delta: number): void {
    this.#awareness = Math.min(this.config.awarenessMax - 1, Math.max(0, this.#awareness + delta));
  }

  #gossip(now: number): void {
    if (this.#broadcasts.size === 0) {
      this.#gossipAt = undefined;
      return;
    }
    // Suspects are gossip targets too: that is how they hear they must refute.
    for (const m of this.#table.pick(this.config.gossipNodes, isLive)) {
      if (this.#broadcasts.size === 0) break;
      this.#send(m.address, m.name, [], now);
    }
    this.#gossipAt = this.#broadcasts.size > 0 ? now + this.config.gossipInterval : undefined;
  }

  #rejoin(now: number): void {
    const present = this.#presentKeys();
    const targets = new Map<string, { to: Endpoint; name: string }>();
    for (const [key, e] of this.#seeds) if (!present.has(key)) targets.set(key, { to: e, name: "" });
    for (const m of this.#table.all()) {
      const key = endpointKey(m.address);
      if (m.state === "dead" && !present.has(key)) targets.set(key, { to: m.address, name: m.name });
    }
    for (const t of targets.values()) this.#sendPushPull(t.to, t.name, false, now);
  }

  #leaveRound(now: number): void {
    const l = this.#leaving as Leaving;
    for (const t of l.targets) this.#send(t.address, t.name, [l.message], now, false);
    l.remaining--;
    if (l.remaining > 0) {
      l.nextAt = now + this.config.leaveInterval;
    } else {
      this.#leaving = undefined;
      this.#phase = "left";
    }
  }

  // ---- received messages --------------------------------------------------

  #handle(m: Message, h: PacketHeader, source: Endpoint, now: number): void {
    switch (m.type) {
      case "ping":
        // Answer the datagram's source: what the sender's socket really uses.
        this.#send(source, h.from, [encodeMessage({ type: "ack", seq: m.seq })], now);
        return;
      case "ack": {
        const p = this.#probe;
        if (p !== undefined && p.seq === m.seq && !p.acked) {
          p.acked = true;
          this.counters.acks++;
        }
        const r = this.#relays.get(m.seq);
        if (r !== undefined) {
          this.#relays.delete(m.seq);
          this.#send(r.requester, r.requesterName, [encodeMessage({ type: "ack", seq: r.theirSeq })], now);
        }
        return;
      }
      case "nack":
        if (this.#probe !== undefined && this.#probe.seq === m.seq) {
          this.#probe.nacks++;
          this.counters.nacksReceived++;
        }
        return;
      case "pingReq": {
        this.counters.relayedProbes++;
        // Asked to probe ourselves (the requester has an old address for us): we are the answer.
        if (m.target === this.name) return this.#send(source, h.from, [encodeMessage({ type: "ack", seq: m.seq })], now);
        const seq = this.#nextProbeSeq();
        // Nack a little before the requester's round ends, so the nack is
        // counted there rather than racing the end of the round.
        const wait = 0.8 * Math.min(this.config.probeTimeout, this.config.probeInterval - this.config.probeTimeout);
        this.#relays.set(seq, { requester: source, requesterName: h.from, theirSeq: m.seq, deadline: now + wait, nack: m.nack });
        this.#send(m.targetAddress, m.target, [encodeMessage({ type: "ping", seq })], now);
        return;
      }
      case "alive":
        return this.#applyAlive(m.name, m.incarnation, m.address, now);
      case "suspect":
        return this.#applySuspect(m.name, m.incarnation, m.from, now, "reported");
      case "dead":
        return this.#applyDead(m.name, m.incarnation, m.from, now, "reported");
      case "pushPull":
        return this.#mergePushPull(m, h, source, now);
      case "unknown":
        this.counters.unknownMessages++;
        return;
    }
  }

  #mergePushPull(m: Extract<Message, { type: "pushPull" }>, h: PacketHeader, source: Endpoint, now: number): void {
    for (const e of m.entries) {
      switch (e.state) {
        case "alive":
          this.#applyAlive(e.name, e.incarnation, e.address, now);
          break;
        // memberlist mergeState: someone else's "dead" is only a suspicion
        // here. A partitioned side declares the other dead; on heal that
        // verdict must not kill members we can reach ourselves.
        case "suspect":
        case "dead":
          this.#applySuspect(e.name, e.incarnation, h.from, now, "reported");
          break;
        case "left":
          this.#applyDead(e.name, e.incarnation, e.name, now, "reported");
          break;
      }
    }
    // Reply after merging, so refutations made above are in the reply.
    if (!m.reply && m.part === m.parts - 1) this.#sendPushPull(source, h.from, true, now);
  }

  #applyAlive(name: string, incarnation: number, address: Endpoint, now: number): void {
    if (name === this.name) {
      // A claim about a previous life of ours (or our name at another address): outrank it.
      if (incarnation > this.#incarnation || (incarnation === this.#incarnation && !sameEndpoint(address, this.advertise))) this.#refute(incarnation, now);
      return;
    }
    const change = this.#table.alive(name, incarnation, address, now);
    if (change === undefined) return;
    this.#broadcast(name, { type: "alive", incarnation, name, address }, now);
    if (change === "new" || change === "rejoined") {
      this.#emit({ type: "memberJoined", name, incarnation, at: now, reason: change, address: address.address, port: address.port });
    } else if (change === "refuted") {
      this.#emit({ type: "memberAlive", name, incarnation, at: now, reason: "refuted" });
    }
  }

  #applySuspect(name: string, incarnation: number, from: string, now: number, reason: "probe-failed" | "reported"): void {
    if (name === this.name) {
      if (incarnation >= this.#incarnation) this.#refute(incarnation, now);
      return;
    }
    const change = this.#table.suspect(name, incarnation, from, now, () => suspicionBounds(this.config, this.#liveCount()));
    if (change === undefined) return;
    this.#broadcast(name, { type: "suspect", incarnation, name, from }, now);
    if (change === "suspected") {
      this.counters.suspicions++;
      this.#emit({ type: "memberSuspect", name, incarnation, at: now, reason, from });
    }
  }

  #applyDead(name: string, incarnation: number, from: string, now: number, reason: "suspicion-timeout" | "reported"): void {
    if (name === this.name) {
      if (incarnation >= this.#incarnation) this.#refute(incarnation, now);
      return;
    }
    const change = this.#table.dead(name, incarnation, from, now);
    if (change === undefined) return;
    this.#broadcast(name, { type: "dead", incarnation, name, from }, now);
    if (change.kind === "left") this.#emit({ type: "memberLeft", name, incarnation, at: now, reason: "leave" });
    else this.#emit({ type: "memberDead", name, incarnation, at: now, reason, from, suspectedAt: change.suspectedAt });
  }

  #refute(claimed: number, now: number): void {
    this.#incarnation = Math.max(this.#incarnation, claimed) + 1;
    this.counters.refutations++;
    // Being suspected is a hint that we are the slow one (Lifeguard §IV-A).
    this.#adjustAwareness(1);
    this.#broadcast(this.name, { type: "alive", incarnation: this.#incarnation, name: this.name, address: this.advertise }, now);
  }

  // ---- sending ------------------------------------------------------------

  #broadcast(key: string, m: Message, now: number): void {
    this.#broadcasts.enqueue(key, encodeMessage(m));
    if (this.#gossipAt === undefined || this.#gossipAt > now) this.#gossipAt = now;
  }

  #sendPushPull(to: Endpoint, toName: string, reply: boolean, now: number): void {
    const entries: PushPullEntry[] = [{ name: this.name, incarnation: this.#incarnation, state: "alive", address: this.advertise }];
    for (const m of this.#table.all()) entries.push({ name: m.name, incarnation: m.incarnation, state: m.state, address: m.address });
    const room = this.config.maxPacketSize - this.#headerSize(toName) - TAG_SIZE - MESSAGE_HEADER_SIZE - PUSH_PULL_FIXED;
    const chunks = chunkEntries(entries, room);
    this.counters.pushPullsSent++;
    chunks.forEach((chunk, part) => {
      const message = encodeMessage({ type: "pushPull", reply, part, parts: chunks.length, entries: chunk });
      this.#send(to, toName, [message], now, false);
    });
  }

  /** Signs and queues one datagram: `primary` messages, then news that fits. */
  #send(to: Endpoint, toName: string, primary: readonly Uint8Array[], now: number, piggyback = true): void {
    const header = this.#nextHeader(toName, now);
    const used = headerCodec.sizeOf(header) + TAG_SIZE + primary.reduce((n, m) => n + m.length, 0);
    const news = piggyback ? this.#broadcasts.take(this.config.maxPacketSize - used, retransmitLimit(this.config, this.#liveCount())) : [];
    if (primary.length === 0 && news.length === 0) return;
    const bytes = sealPacket(header, [...primary, ...news], this.#keys[0] as Uint8Array);
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    this.#out.push({ type: "send", to, bytes });
  }

  #nextHeader(to: string, now: number): PacketHeader {
    if (this.#packetSeq >= 0xffff_ffff) {
      // A new session rather than a wrapped sequence number the receivers would take for a replay.
      this.#session = Math.floor(this.#random() * 2 ** 53);
      this.#packetSeq = 0;
    }
    return { session: this.#session, seq: this.#packetSeq++, time: Math.floor(now), from: this.name, to };
  }

  #headerSize(to: string): number {
    return headerCodec.sizeOf({ session: 0, seq: 0, time: 0, from: this.name, to });
  }

  #reject(reason: RejectReason, source: Endpoint, detail: string, now: number): void {
    this.counters.rejected[reason]++;
    this.#emit({ type: "packetRejected", reason, at: now, source: formatEndpoint(source), detail });
  }

  #emit(event: MembershipEvent): void {
    this.#out.push({ type: "event", event });
  }

  #liveCount(): number {
    return this.#table.liveCount() + 1;
  }

  #presentKeys(): Set<string> {
    const keys = new Set([endpointKey(this.advertise)]);
    for (const m of this.#table.live()) keys.add(endpointKey(m.address));
    return keys;
  }

  #nextProbeSeq(): number {
    this.#probeSeq = (this.#probeSeq + 1) >>> 0;
    return this.#probeSeq;
  }

}

function encodeMessage(m: Message): Uint8Array {
  const w = Writer.alloc(messageCodec.sizeOf(m), wireWriteErrors);
  messageCodec.encode(w, m);
  return w.bytes;
}
