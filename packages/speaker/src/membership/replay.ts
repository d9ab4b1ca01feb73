// Replay protection for authenticated datagrams. A valid tag proves who sent
// a datagram, not when: someone on the node network can capture a "leave" or
// "dead" and send it again later. Incarnation numbers already make stale news
// harmless once a receiver knows newer news (a member that restarted, or
// refuted, has a higher incarnation than any capture), and this guard closes
// the rest:
//
// - Time window: the sender's clock is in the signed header; a datagram more
//   than `window` ms from the receiver's clock is rejected as "stale". Nodes
//   of one cluster run NTP; a clock off by more than the window (60 s by
//   default) shows up as counted "stale" rejections, not silently.
// - Sequence window (RFC 4303 §3.4.3, IPsec's anti-replay): each sender
//   session (random per start) numbers its datagrams; the receiver accepts each
//   number once, within a 64-wide sliding window, so a capture cannot be
//   replayed to the same receiver even inside the time window. The signed `to`
//   name (packet.ts) stops replays to a different receiver.
// - A session's state is forgotten only 2 x window after its last datagram,
//   when every datagram of it is stale anyway. The table is bounded (LRU):
//   only key holders create sessions, so the bound is a safety net.
//
// Pure: time comes in as `now`.

export type ReplayVerdict = "ok" | "stale" | "replayed";

const WIDTH = 64n;
const MASK = (1n << WIDTH) - 1n;

interface Session {
  highest: number;
  /** Bit i set: seq (highest - i) was seen. */
  seen: bigint;
  lastSeen: number;
}

export interface ReplayIdentity {
  readonly from: string;
  readonly session: number;
  readonly seq: number;
  readonly time: number;
}

export class ReplayGuard {
  readonly #window: number;
  readonly #maxSessions: number;
  readonly #sessions = new Map<string, Session>();

  /** `window` 0 disables the time check (sequence numbers still apply). */
  constructor(window: number, maxSessions = 4096) {
    this.#window = window;
    this.#maxSessions = maxSessions;
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  /** Checks and, when "ok", records the datagram. */
  check(id: ReplayIdentity, now: number): ReplayVerdict {
    if (this.#window > 0 && Math.abs(id.time - now) > this.#window) return "stale";
    const key = `${id.from}\u0000${id.session}`;
    const s = this.#sessions.get(key);
    if (s === undefined) {
      this.#remember(key, { highest: id.seq, seen: 1n, lastSeen: now });
      return "ok";
    }
    if (id.seq > s.highest) {
      const shift = BigInt(id.seq - s.highest);
      s.seen = shift >= WIDTH ? 1n : ((s.seen << shift) | 1n) & MASK;
      s.highest = id.seq;
    } else {
      const back = BigInt(s.highest - id.seq);
      if (back >= WIDTH || (s.seen & (1n << back)) !== 0n) return "replayed";
      s.seen |= 1n << back;
    }
    s.lastSeen = now;
    this.#sessions.delete(key);
    this.#sessions.set(key, s);
    return "ok";
  }

  /** Forgets sessions whose every datagram would now be stale. */
  sweep(now: number): void {
    if (this.#window <= 0) return;
    for (const [key, s] of this.#sessions) {
      if (s.lastSeen < now - 2 * this.#window) this.#sessions.delete(key);
    }
  }

  #remember(key: string, s: Session): void {
    this.#sessions.set(key, s);
    if (this.#sessions.size > this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}
