// The used addresses of one pool family that a new service may share: all
// addresses held under one (sharing key, backend key), in the pool's hand-out
// order (ordinals, see pool-space.ts).
//
// "Free" in MetalLB's allocation walk means free OR already used by services
// the new one may join (reference §2.4/§2.5): same sharing key, same backend
// key, no (protocol, port) in common. The first such address in pool order is
// `lowest(ports)`. To answer that without walking the group, each port that is
// in use somewhere in the group has its own set of the member addresses where
// that port is still free; a request's answer is the lowest address present in
// the sets of all its ports, found by leapfrogging `firstAtOrAfter` across
// them. One port (the common case) costs two O(log n) lookups; k ports cost
// O(k log n) per leapfrog round, and a round only repeats when the candidate
// address holds one of the requested ports. The exception: the first member
// to use a port creates that port's set as a copy of the member set, which
// costs O(intervals of the group) once per (group, port) while the port stays
// in use there. A persistent interval set would make the copy O(1); a sharing
// key with thousands of addresses and ever new ports has not been worth it.
//
// Deliberately not here: deciding whether two keys are compatible (the group
// is keyed by them), the port owners (pool-space keeps ip -> port -> service).
import { IntervalSet } from "../ip/index.ts";
import { invariant } from "./errors.ts";
import { formatPortKey, type PortKey } from "./request.ts";

export class ShareGroup {
  /** Ordinals of the addresses held under this group's keys. */
  readonly #members = new IntervalSet();
  // port -> ordinals of members where that port is free; present only while
  // some member uses the port (otherwise the answer is #members itself).
  readonly #freeFor = new Map<PortKey, IntervalSet>();
  // port -> number of members where the port is in use
  readonly #portUses = new Map<PortKey, number>();

  get isEmpty(): boolean {
    return this.#members.size === 0n;
  }

  has(ordinal: bigint): boolean {
    return this.#members.has(ordinal);
  }

  /** Lowest member ordinal on which none of `ports` is in use. */
  lowest(ports: readonly PortKey[]): bigint | undefined {
    if (ports.length === 0) return this.#members.firstAtOrAfter(0n);
    let candidate = 0n;
    for (;;) {
      let moved = false;
      for (const p of ports) {
        const next = (this.#freeFor.get(p) ?? this.#members).firstAtOrAfter(candidate);
        if (next === undefined) return undefined;
        if (next !== candidate) {
          candidate = next;
          moved = true;
        }
      }
      if (!moved) return candidate;
    }
  }

  /** A service starts using `ports` on `ordinal`; `firstHolder` when the address was free. */
  addHolder(ordinal: bigint, ports: readonly PortKey[], firstHolder: boolean): void {
    if (firstHolder) {
      invariant(!this.#members.has(ordinal), () => `ordinal ${ordinal} joined a share group twice`);
      this.#members.add(ordinal);
      for (const free of this.#freeFor.values()) free.add(ordinal);
    }
    for (const p of ports) {
      let free = this.#freeFor.get(p);
      if (free === undefined) {
        // Until now no member used p, so it was free on every member.
        free = this.#members.clone();
        this.#freeFor.set(p, free);
      }
      invariant(free.delete(ordinal) === 1n, () => `port ${formatPortKey(p)} taken twice on ordinal ${ordinal}`);
      this.#portUses.set(p, (this.#portUses.get(p) ?? 0) + 1);
    }
  }

  /** A service stops using `ports` on `ordinal`; `lastHolder` when the address becomes free. */
  removeHolder(ordinal: bigint, ports: readonly PortKey[], lastHolder: boolean): void {
    for (const p of ports) {
      const uses = this.#portUses.get(p);
      invariant(uses !== undefined && uses > 0, () => `port ${formatPortKey(p)} released on ordinal ${ordinal} but not in use`);
      if (uses === 1) {
        this.#portUses.delete(p);
        this.#freeFor.delete(p);
      } else {
        this.#portUses.set(p, uses - 1);
        (this.#freeFor.get(p) as IntervalSet).add(ordinal);
      }
    }
    if (lastHolder) {
      invariant(this.#members.delete(ordinal) === 1n, () => `ordinal ${ordinal} left a share group it was not in`);
      for (const free of this.#freeFor.values()) free.delete(ordinal);
    }
  }
}
