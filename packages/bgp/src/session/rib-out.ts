// Adj-RIB-Out (RFC 4271 §3.2) for one peer: what the peer has from us, and
// what is still to be sent to make it hold exactly what we want.
//
// `plan(wanted)` recomputes the pending work from scratch against what the
// peer holds, so only the latest wanted set ever matters (coalescing: a prefix
// added then removed before it was sent costs nothing). Pending work is kept
// grouped: withdrawals per family, announcements per attribute set, so that
// `next()` packs as many prefixes into each UPDATE as the size limit allows.
// The peer's view is updated as each UPDATE is handed over, which is what a
// later plan() diffs against. A burst of 20k prefixes is the case to be fast
// for: per prefix, plan() does one map lookup and next() one map write (none
// at all when a whole family is withdrawn). A prefix whose attributes changed is simply
// re-announced (an implicit withdraw, RFC 4271 §3.1).
import type { IpFamily, Prefix } from "@ironlb/core/ip";
import { Writer } from "@ironlb/core/wire";
import { bgpWriteErrors } from "../wire.ts";
import type { Advertisement, AttributeSet } from "./advertisement.ts";
import { announceRoom, sizeOfAnnounce, sizeOfWithdraw, withdrawRoom, writeAnnounce, writeWithdraw } from "./packer.ts";

/** One wanted prefix, with what is costly to compute done once. */
export interface DesiredRoute {
  /** Identity of the prefix. */
  readonly key: string;
  readonly prefix: Prefix;
  /** Wire form of the prefix (RFC 4271 §4.3). */
  readonly nlri: Uint8Array;
  readonly advertisement: Advertisement;
}

export interface WantedRoute {
  readonly route: DesiredRoute;
  readonly set: AttributeSet;
}

/** What the peer should hold: a Map of key -> route will do, or anything that iterates and answers membership. */
export interface Wanted {
  values(): Iterable<WantedRoute>;
  has(key: string): boolean;
}

export interface NextUpdate {
  readonly bytes: Uint8Array;
  readonly announced: number;
  readonly withdrawn: number;
}

/** Work for one family or attribute set, consumed from `next` on: arrays, not maps, so a burst costs no per-prefix hashing. */
interface Queue<T> {
  items: T[];
  next: number;
}

const emptyQueue = <T>(): Queue<T> => ({ items: [], next: 0 });

export class RibOut {
  // family -> prefix key -> what the peer holds from us (its last announcement), except the
  // prefixes waiting in #withdraw: those are taken out when planned and put back by the next
  // plan() if they were not sent by then, so a withdrawal of a whole family is one swap.
  readonly #adj: Record<IpFamily, Map<string, WantedRoute>> = { ipv4: new Map(), ipv6: new Map() };
  // family -> held routes waiting to be withdrawn
  readonly #withdraw: Record<IpFamily, Queue<WantedRoute>> = { ipv4: emptyQueue(), ipv6: emptyQueue() };
  // attribute set id -> the set and the routes waiting to be announced with it
  readonly #announce = new Map<string, { readonly set: AttributeSet; readonly routes: Queue<WantedRoute> }>();
  #pending = 0;

  /** Prefixes the peer holds from us. */
  get advertised(): number {
    const unsent = (q: Queue<WantedRoute>) => q.items.length - q.next;
    return this.#adj.ipv4.size + this.#adj.ipv6.size + unsent(this.#withdraw.ipv4) + unsent(this.#withdraw.ipv6);
  }

  /** Prefixes waiting to be announced or withdrawn. */
  get pending(): number {
    return this.#pending;
  }

  /** The peer lost everything (session down). */
  clear(): void {
    this.#adj.ipv4.clear();
    this.#adj.ipv6.clear();
    this.#withdraw.ipv4 = emptyQueue();
    this.#withdraw.ipv6 = emptyQueue();
    this.#announce.clear();
    this.#pending = 0;
  }

  /**
   * Replaces the pending work with what turns the peer's view into `wanted`.
   * `resend` lists families to announce in full even where the peer already
   * has them (ROUTE-REFRESH, RFC 2918 §4).
   */
  plan(wanted: Wanted, resend: ReadonlySet<IpFamily> = new Set()): void {
    // What was planned but not sent is still the peer's: back into the view before diffing.
    for (const family of ["ipv4", "ipv6"] as const) {
      const q = this.#withdraw[family];
      const adj = this.#adj[family];
      for (let i = q.next; i < q.items.length; i++) {
        const held = q.items[i] as WantedRoute;
        adj.set(held.route.key, held);
      }
      this.#withdraw[family] = emptyQueue();
    }
    this.#announce.clear();
    this.#pending = 0;
    const wantedIn = { ipv4: 0, ipv6: 0 };
    for (const w of wanted.values()) {
      const family = w.set.family;
      wantedIn[family]++;
      const held = this.#adj[family].get(w.route.key);
      if (held !== undefined && held.set.id === w.set.id && !resend.has(family)) continue;
      let group = this.#announce.get(w.set.id);
      if (group === undefined) {
        group = { set: w.set, routes: emptyQueue() };
        this.#announce.set(w.set.id, group);
      }
      group.routes.items.push(w);
      this.#pending++;
    }
    for (const family of ["ipv4", "ipv6"] as const) {
      const adj = this.#adj[family];
      if (adj.size === 0) continue;
      const q = this.#withdraw[family];
      if (wantedIn[family] === 0) {
        // The whole family goes: no per-prefix lookups.
        q.items = [...adj.values()];
        adj.clear();
      } else {
        for (const [key, held] of adj) {
          if (wanted.has(key)) continue;
          q.items.push(held);
          adj.delete(key);
        }
      }
      this.#pending += q.items.length;
    }
  }

  /** The next UPDATE (withdrawals first), or undefined when nothing is pending. */
  next(maxLength: number): NextUpdate | undefined {
    for (const family of ["ipv4", "ipv6"] as const) {
      const q = this.#withdraw[family];
      if (q.next === q.items.length) continue;
      const taken = take(q, withdrawRoom(family, maxLength));
      if (q.next === q.items.length) this.#withdraw[family] = emptyQueue();
      this.#pending -= taken.length;
      const w = Writer.alloc(sizeOfWithdraw(family, taken), bgpWriteErrors);
      writeWithdraw(w, family, taken);
      return { bytes: w.bytes, announced: 0, withdrawn: taken.length };
    }
    for (const [id, group] of this.#announce) {
      const q = group.routes;
      const first = q.next;
      const taken = take(q, announceRoom(group.set, maxLength));
      const adj = this.#adj[group.set.family];
      for (let i = first; i < q.next; i++) {
        const w = q.items[i] as WantedRoute;
        adj.set(w.route.key, w);
      }
      if (q.next === q.items.length) this.#announce.delete(id);
      this.#pending -= taken.length;
      if (taken.length === 0) continue; // cannot happen: attribute sets too large for one prefix are refused earlier
      const w = Writer.alloc(sizeOfAnnounce(group.set, taken), bgpWriteErrors);
      writeAnnounce(w, group.set, taken);
      return { bytes: w.bytes, announced: taken.length, withdrawn: 0 };
    }
    return undefined;
  }
}

/** Wire prefixes from the front of `q` while they fit in `room` bytes; advances the queue. */
function take(q: Queue<WantedRoute>, room: number): Uint8Array[] {
  const taken: Uint8Array[] = [];
  let used = 0;
  let i = q.next;
  for (; i < q.items.length; i++) {
    const nlri = (q.items[i] as WantedRoute).route.nlri;
    if (used + nlri.length > room) break;
    taken.push(nlri);
    used += nlri.length;
  }
  q.next = i;
  return taken;
}
