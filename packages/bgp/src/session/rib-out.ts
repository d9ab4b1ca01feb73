// Adj-RIB-Out (RFC 4271 §3.2) for one peer: what the peer has from us, and
// what is still to be sent to make it hold exactly what we want.
//
// `plan(wanted)` recomputes the pending work from scratch against what the
// peer holds, so only the latest wanted set ever matters (coalescing: a prefix
// added then removed before it was sent costs nothing). Pending work is kept
// grouped: withdrawals per family, announcements per attribute set, so that
// `next()` packs as many prefixes into each UPDATE as the size limit allows.
// The peer's view is updated as each UPDATE is handed over, which is what a
// later plan() diffs against. A prefix whose attributes changed is simply
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

export interface NextUpdate {
  readonly bytes: Uint8Array;
  readonly announced: number;
  readonly withdrawn: number;
}

export class RibOut {
  // prefix key -> what the peer holds (the attribute set id and the route)
  readonly #adj = new Map<string, { readonly set: string; readonly route: DesiredRoute }>();
  // family -> prefix key -> wire prefix, waiting to be withdrawn
  readonly #withdraw: Record<IpFamily, Map<string, Uint8Array>> = { ipv4: new Map(), ipv6: new Map() };
  // attribute set id -> the set and its prefixes waiting to be announced
  readonly #announce = new Map<string, { readonly set: AttributeSet; readonly routes: Map<string, DesiredRoute> }>();
  #pending = 0;

  /** Prefixes the peer holds from us. */
  get advertised(): number {
    return this.#adj.size;
  }

  /** Prefixes waiting to be announced or withdrawn. */
  get pending(): number {
    return this.#pending;
  }

  /** The peer lost everything (session down). */
  clear(): void {
    this.#adj.clear();
    this.#clearPending();
  }

  #clearPending(): void {
    this.#withdraw.ipv4.clear();
    this.#withdraw.ipv6.clear();
    this.#announce.clear();
    this.#pending = 0;
  }

  /**
   * Replaces the pending work with what turns the peer's view into `wanted`.
   * `resend` lists families to announce in full even where the peer already
   * has them (ROUTE-REFRESH, RFC 2918 §4).
   */
  plan(wanted: ReadonlyMap<string, WantedRoute>, resend: ReadonlySet<IpFamily> = new Set()): void {
    this.#clearPending();
    for (const [key, w] of wanted) {
      const held = this.#adj.get(key);
      if (held !== undefined && held.set === w.set.id && !resend.has(w.set.family)) continue;
      let group = this.#announce.get(w.set.id);
      if (group === undefined) {
        group = { set: w.set, routes: new Map() };
        this.#announce.set(w.set.id, group);
      }
      group.routes.set(key, w.route);
      this.#pending++;
    }
    for (const [key, held] of this.#adj) {
      if (wanted.has(key)) continue;
      this.#withdraw[held.route.prefix.family].set(key, held.route.nlri);
      this.#pending++;
    }
  }

  /** The next UPDATE (withdrawals first), or undefined when nothing is pending. */
  next(maxLength: number): NextUpdate | undefined {
    for (const family of ["ipv4", "ipv6"] as const) {
      const queue = this.#withdraw[family];
      if (queue.size === 0) continue;
      const room = withdrawRoom(family, maxLength);
      const taken: Uint8Array[] = [];
      let used = 0;
      for (const [key, nlri] of queue) {
        if (used + nlri.length > room) break;
        taken.push(nlri);
        used += nlri.length;
        queue.delete(key);
        this.#adj.delete(key);
      }
      this.#pending -= taken.length;
      const w = Writer.alloc(sizeOfWithdraw(family, taken), bgpWriteErrors);
      writeWithdraw(w, family, taken);
      return { bytes: w.bytes, announced: 0, withdrawn: taken.length };
    }
    for (const [id, group] of this.#announce) {
      const room = announceRoom(group.set, maxLength);
      const taken: Uint8Array[] = [];
      let used = 0;
      for (const [key, route] of group.routes) {
        if (used + route.nlri.length > room) break;
        taken.push(route.nlri);
        used += route.nlri.length;
        group.routes.delete(key);
        this.#adj.set(key, { set: id, route });
      }
      if (group.routes.size === 0) this.#announce.delete(id);
      this.#pending -= taken.length;
      if (taken.length === 0) continue; // cannot happen: attribute sets too large for one prefix are refused earlier
      const w = Writer.alloc(sizeOfAnnounce(group.set, taken), bgpWriteErrors);
      writeAnnounce(w, group.set, taken);
      return { bytes: w.bytes, announced: taken.length, withdrawn: 0 };
    }
    return undefined;
  }
}
