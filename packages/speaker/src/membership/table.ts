// The member table: what this node believes about every other member, and
// the SWIM merge rules that decide whether a piece of news changes it
// (Das et al., DSN 2002, §4.2; memberlist state.go aliveNode / suspectNode /
// deadNode). News about a member is ordered by (incarnation, state):
//
//   alive(i)   overrides suspect(j) and dead/left(j) only when i > j
//   suspect(i) overrides alive(j) when i >= j
//   dead(i)    overrides alive/suspect(j) when i >= j
//   left(i)    (dead sent by the member itself) overrides anything but left, i >= j
//
// so merging is order-independent: old news (a delayed or replayed datagram)
// never undoes newer news. Only the member itself raises its incarnation (it
// refutes, or restarts), which is why a suspicion can only be cleared by it.
//
// Also here: the probe order. Members are probed round-robin in a fixed,
// randomly interleaved order (new members are inserted at a random place);
// unlike SWIM's reshuffle per round this bounds the gap between two probes
// of one member by n - 1 intervals, which bounds detection time.
//
// Deliberately not here: this node's own entry and refutation (swim.ts), I/O.
import { sameEndpoint, type Endpoint } from "./endpoint.ts";
import type { Member } from "./events.ts";
import { Suspicion, type SuspicionBounds } from "./suspicion.ts";
import type { MemberState } from "./wire/messages.ts";

export interface MemberRecord {
  readonly name: string;
  address: Endpoint;
  incarnation: number;
  state: MemberState;
  since: number;
  suspicion: Suspicion | undefined;
}

export type AliveChange = "new" | "rejoined" | "refuted" | "updated";
export type SuspectChange = "suspected" | "confirmed";
export type DeadChange = { readonly kind: "dead" | "left"; readonly suspectedAt: number | undefined };

export class MemberTable {
  readonly #members = new Map<string, MemberRecord>();
  readonly #random: () => number;
  #order: string[] = [];
  #next = 0;

  constructor(random: () => number) {
    this.#random = random;
  }

  get(name: string): MemberRecord | undefined {
    return this.#members.get(name);
  }

  all(): IterableIterator<MemberRecord> {
    return this.#members.values();
  }

  /** Alive or suspect: a suspect is still a member until declared dead. */
  live(): MemberRecord[] {
    return [...this.#members.values()].filter(isLive);
  }

  liveCount(): number {
    let n = 0;
    for (const m of this.#members.values()) if (isLive(m)) n++;
    return n;
  }

  snapshot(): Member[] {
    return [...this.#members.values()].map(toMember);
  }

  alive(name: string, incarnation: number, address: Endpoint, now: number): AliveChange | undefined {
    const m = this.#members.get(name);
    if (m === undefined) {
      this.#members.set(name, { name, address, incarnation, state: "alive", since: now, suspicion: undefined });
      this.#insertProbe(name);
      return "new";
    }
    if (incarnation <= m.incarnation) return undefined;
    const before = m.state;
    m.incarnation = incarnation;
    // A higher incarnation is the member speaking for itself (only it raises
    // it), so a new address with it is a restart on a new IP, not a conflict.
    if (!sameEndpoint(m.address, address)) m.address = address;
    if (before === "alive") return "updated";
    m.state = "alive";
    m.since = now;
    m.suspicion = undefined;
    if (before === "suspect") return "refuted";
    this.#insertProbe(name);
    return "rejoined";
  }

  /** `bounds` is consulted only when a new suspicion starts. */
  suspect(name: string, incarnation: number, from: string, now: number, bounds: () => SuspicionBounds): SuspectChange | undefined {
    const m = this.#members.get(name);
    if (m === undefined || incarnation < m.incarnation) return undefined;
    if (m.state === "suspect") return m.suspicion?.confirm(from) === true ? "confirmed" : undefined;
    if (m.state !== "alive") return undefined;
    m.state = "suspect";
    m.incarnation = incarnation;
    m.since = now;
    m.suspicion = new Suspicion(now, bounds(), from);
    return "suspected";
  }

  dead(name: string, incarnation: number, from: string, now: number): DeadChange | undefined {
    const m = this.#members.get(name);
    if (m === undefined || incarnation < m.incarnation) return undefined;
    const left = from === name;
    if (m.state === "left" || (m.state === "dead" && !left)) return undefined;
    const suspectedAt = m.suspicion?.start;
    m.state = left ? "left" : "dead";
    m.incarnation = incarnation;
    m.since = now;
    m.suspicion = undefined;
    return { kind: left ? "left" : "dead", suspectedAt };
  }

  /** Suspects whose suspicion deadline is at or before `now`. */
  expiredSuspicions(now: number): MemberRecord[] {
    return [...this.#members.values()].filter((m) => m.state === "suspect" && m.suspicion !== undefined && m.suspicion.deadline <= now);
  }

  nextSuspicionDeadline(): number | undefined {
    let next: number | undefined;
    for (const m of this.#members.values()) {
      if (m.state !== "suspect" || m.suspicion === undefined) continue;
      const d = m.suspicion.deadline;
      if (next === undefined || d < next) next = d;
    }
    return next;
  }

  /** Forgets dead and left members whose state changed before `before`. */
  reap(before: number): void {
    for (const [name, m] of this.#members) {
      if ((m.state === "dead" || m.state === "left") && m.since < before) this.#members.delete(name);
    }
  }

  /** The next live member in probe order, or undefined when there is none. */
  nextProbeTarget(): MemberRecord | undefined {
    for (let tries = this.#order.length; tries > 0; tries--) {
      if (this.#next >= this.#order.length) this.#next = 0;
      const name = this.#order[this.#next] as string;
      const m = this.#members.get(name);
      if (m === undefined || !isLive(m)) {
        // Dead members leave the order; they come back (at a random place) when alive again.
        this.#order.splice(this.#next, 1);
        continue;
      }
      this.#next++;
      return m;
    }
    return undefined;
  }

  /** Up to `k` distinct random members that pass `ok`. */
  pick(k: number, ok: (m: MemberRecord) => boolean): MemberRecord[] {
    const pool = [...this.#members.values()].filter(ok);
    const out: MemberRecord[] = [];
    while (out.length < k && pool.length > 0) {
      const i = Math.floor(this.#random() * pool.length);
      out.push(pool[i] as MemberRecord);
      pool[i] = pool[pool.length - 1] as MemberRecord;
      pool.pop();
    }
    return out;
  }

  #insertProbe(name: string): void {
    if (this.#order.includes(name)) return;
    const at = Math.floor(this.#random() * (this.#order.length + 1));
    this.#order.splice(at, 0, name);
    // Keep the cursor on the member it pointed at.
    if (at < this.#next) this.#next++;
  }
}

export function isLive(m: { readonly state: MemberState }): boolean {
  return m.state === "alive" || m.state === "suspect";
}

function toMember(m: MemberRecord): Member {
  return { name: m.name, address: m.address.address, port: m.address.port, state: m.state, incarnation: m.incarnation, since: m.since };
}
