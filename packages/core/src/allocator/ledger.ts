// The allocator's state: pools turned into ordinal spaces, who holds which
// address, and the indexes that make "first usable address" O(log n).
//
// `record` and `release` are the only mutators and trust their caller: the
// checks that make an assignment legal (pool, compatibility, sharing) live in
// planner.ts and run before. They still verify the indexes agree with each
// other and throw an AssertionError when they do not, like MetalLB's
// `incoherent state` panic.
//
// Deliberately not here: choosing addresses, errors for users.
import type { Pool } from "../config/index.ts";
import { formatIp, prefixesOverlap, type IpAddress, type IpFamily } from "../ip/index.ts";
import { comparePinned } from "./compat.ts";
import { invariant } from "./errors.ts";
import { formatPortKey, type PortKey } from "./request.ts";
import { groupKeyOf, PoolSpace } from "./pool-space.ts";
import { ShareGroup } from "./share-group.ts";

export interface PoolState {
  readonly pool: Pool;
  readonly ipv4: PoolSpace | undefined;
  readonly ipv6: PoolSpace | undefined;
  /** Services whose assignment is recorded under this pool. */
  services: number;
}

/** One service's assignment. Ports are packed PortKeys; "" is "no sharing key". */
export interface Holding {
  readonly pool: string;
  readonly ips: readonly IpAddress[];
  readonly ports: readonly PortKey[];
  readonly sharingKey: string;
  readonly backendKey: string;
}

/** Everything known about one used address. */
export interface IpState {
  readonly address: IpAddress;
  readonly pool: PoolState;
  readonly space: PoolSpace;
  readonly ordinal: bigint;
  /** The keys of its holders: all holders share them (the sole holder may change them). */
  readonly sharingKey: string;
  readonly backendKey: string;
  // serviceKey, in the order they arrived
  readonly holders: string[];
  // port -> serviceKey, as two parallel arrays: an address nearly always has
  // one holder and one or two ports, and a Map plus a Set per address were
  // half of `record`'s cost (profile of bench/allocator.ts, 100k services).
  readonly ports: PortKey[];
  readonly portOwners: string[];
}

/** The service using `port` on the address, if any. */
export function portOwner(ip: IpState, port: PortKey): string | undefined {
  const i = ip.ports.indexOf(port);
  return i < 0 ? undefined : ip.portOwners[i];
}

export function spaceOf(state: PoolState, family: IpFamily): PoolSpace | undefined {
  return family === "ipv4" ? state.ipv4 : state.ipv6;
}

export class Ledger {
  /** Pools in config order. */
  readonly pools: readonly PoolState[];
  readonly byName: ReadonlyMap<string, PoolState>;
  /** Pools with a service-allocation, in pinned order (priority, then name). */
  readonly pinned: readonly PoolState[];
  /** Pools without service-allocation, in config order. */
  readonly unpinned: readonly PoolState[];
  /** The two stages of automatic allocation (§2.2 step 3), in order. */
  readonly stages: readonly (readonly ["pinned" | "default", readonly PoolState[]])[];
  // serviceKey -> its assignment
  readonly allocated = new Map<string, Holding>();
  // ip -> state, one map per family (a value alone does not say which). IPv4
  // is keyed by number: a number-keyed Map is about 3x faster than a
  // bigint-keyed one (set+get, 100k keys, node 20).
  readonly #v4 = new Map<number, IpState>();
  readonly #v6 = new Map<bigint, IpState>();

  constructor(pools: readonly Pool[]) {
    const byName = new Map<string, PoolState>();
    const states: PoolState[] = [];
    for (const pool of pools) {
      invariant(!byName.has(pool.name), () => `pool "${pool.name}" is defined twice (config validation rejects this)`);
      const state: PoolState = {
        pool,
        ipv4: pool.cidrs.some((c) => c.family === "ipv4") ? new PoolSpace("ipv4", pool.cidrs, pool.avoidBuggyIps) : undefined,
        ipv6: pool.cidrs.some((c) => c.family === "ipv6") ? new PoolSpace("ipv6", pool.cidrs, pool.avoidBuggyIps) : undefined,
        services: 0,
      };
      byName.set(pool.name, state);
      states.push(state);
    }
    assertNoOverlap(pools);
    this.pools = states;
    this.byName = byName;
    this.pinned = states.filter((s) => s.pool.serviceAllocation !== null).sort((a, b) => comparePinned(a.pool, b.pool));
    this.unpinned = states.filter((s) => s.pool.serviceAllocation === null);
    this.stages = [
      ["pinned", this.pinned],
      ["default", this.unpinned],
    ];
  }

  ipState(address: IpAddress): IpState | undefined {
    return address.family === "ipv4" ? this.#v4.get(Number(address.value)) : this.#v6.get(address.value);
  }

  #setIp(address: IpAddress, ip: IpState): void {
    if (address.family === "ipv4") this.#v4.set(Number(address.value), ip);
    else this.#v6.set(address.value, ip);
  }

  #deleteIp(address: IpAddress): void {
    if (address.family === "ipv4") this.#v4.delete(Number(address.value));
    else this.#v6.delete(address.value);
  }

  *ipStates(): IterableIterator<IpState> {
    yield* this.#v4.values();
    yield* this.#v6.values();
  }

  /** The first pool (config order) in which every address is usable, with their ordinals. */
  poolFor(ips: readonly IpAddress[]): { readonly state: PoolState; readonly ordinals: readonly bigint[] } | undefined {
    for (const state of this.pools) {
      const ordinals: bigint[] = [];
      for (const ip of ips) {
        const ord = spaceOf(state, ip.family)?.ordinalOf(ip);
        if (ord === undefined) break;
        ordinals.push(ord);
      }
      if (ordinals.length === ips.length) return { state, ordinals };
    }
    return undefined;
  }

  /** Adds a checked assignment to every index. */
  record(service: string, holding: Holding): void {
    invariant(!this.allocated.has(service), () => `service "${service}" recorded twice`);
    const state = this.byName.get(holding.pool);
    invariant(state !== undefined, () => `service "${service}" recorded under unknown pool "${holding.pool}"`);
    for (const address of holding.ips) {
      const space = spaceOf(state, address.family);
      const ordinal = space?.ordinalOf(address);
      invariant(space !== undefined && ordinal !== undefined, () => `${formatIp(address)} is not in pool "${holding.pool}"`);
      // Taking the address out of the free set says whether it is new; only a
      // shared address needs the map lookup, which was 10% of allocation CPU
      // when done for every address (profile of bench/allocator.ts, 100k).
      const first = space.free.delete(ordinal) === 1n;
      let ip: IpState;
      if (first) {
        // Arrays created at their final length: grown by push from empty, V8
        // reserves 17 slots each. This took the retained heap per service in
        // bench/allocator.ts from about 1,100 to about 650 bytes.
        const ports = holding.ports.slice();
        ip = { address, pool: state, space, ordinal, sharingKey: holding.sharingKey, backendKey: holding.backendKey, holders: [service], ports, portOwners: ports.map(() => service) };
        this.#setIp(address, ip);
      } else {
        const held = this.ipState(address);
        invariant(held !== undefined, () => `${formatIp(address)} was neither free nor held`);
        ip = held;
        invariant(ip.pool === state, () => `${formatIp(address)} is held under pool "${held.pool.pool.name}", not "${holding.pool}"`);
        invariant(ip.sharingKey === holding.sharingKey && ip.backendKey === holding.backendKey && ip.sharingKey !== "", () => `${formatIp(address)} shared by "${service}" with incompatible keys`);
        for (const p of holding.ports) {
          const owner = portOwner(ip, p);
          invariant(owner === undefined, () => `port ${formatPortKey(p)} on ${formatIp(address)} belongs to "${owner}", "${service}" cannot take it`);
          ip.ports.push(p);
          ip.portOwners.push(service);
        }
        ip.holders.push(service);
      }
      if (holding.sharingKey !== "") this.#group(ip.space, holding.sharingKey, holding.backendKey).addHolder(ip.ordinal, holding.ports, first);
    }
    state.services++;
    this.allocated.set(service, holding);
  }

  /** Removes a service's assignment from every index; returns it, or undefined when it had none. */
  release(service: string): Holding | undefined {
    const holding = this.allocated.get(service);
    if (holding === undefined) return undefined;
    for (const address of holding.ips) {
      const ip = this.ipState(address);
      const h = ip === undefined ? -1 : ip.holders.indexOf(service);
      invariant(ip !== undefined && h >= 0, () => `"${service}" thought it held ${formatIp(address)}`);
      for (const p of holding.ports) {
        const i = ip.ports.indexOf(p);
        const owner = ip.portOwners[i];
        // MetalLB: "incoherent state, I thought port %q belonged to service %q, but it seems to belong to %q"
        invariant(owner === service, () => `I thought port ${formatPortKey(p)} on ${formatIp(address)} belonged to "${service}", but it belongs to "${owner}"`);
        ip.ports.splice(i, 1);
        ip.portOwners.splice(i, 1);
      }
      ip.holders.splice(h, 1);
      const last = ip.holders.length === 0;
      if (holding.sharingKey !== "") {
        const key = groupKeyOf(holding.sharingKey, holding.backendKey);
        const group = ip.space.groups.get(key);
        invariant(group !== undefined, () => `no share group for ${formatIp(address)}`);
        group.removeHolder(ip.ordinal, holding.ports, last);
        if (group.isEmpty) ip.space.groups.delete(key);
      }
      if (last) {
        invariant(ip.ports.length === 0, () => `${formatIp(address)} has no holder but ports in use`);
        this.#deleteIp(address);
        ip.space.free.add(ip.ordinal);
      }
    }
    const state = this.byName.get(holding.pool) as PoolState;
    state.services--;
    this.allocated.delete(service);
    return holding;
  }

  #group(space: PoolSpace, sharingKey: string, backendKey: string): ShareGroup {
    const key = groupKeyOf(sharingKey, backendKey);
    let g = space.groups.get(key);
    if (g === undefined) {
      g = new ShareGroup();
      space.groups.set(key, g);
    }
    return g;
  }
}

// Config validation rejects overlapping CIDRs (reference §1a); an allocator
// handed overlapping pools could give one address two ordinals, so refuse
// loudly instead of corrupting state. Sorting makes this O(n log n).
function assertNoOverlap(pools: readonly Pool[]): void {
  const all = pools.flatMap((p) => p.cidrs.map((prefix) => ({ prefix, pool: p.name })));
  all.sort((a, b) => (a.prefix.family !== b.prefix.family ? (a.prefix.family === "ipv4" ? -1 : 1) : a.prefix.network < b.prefix.network ? -1 : a.prefix.network > b.prefix.network ? 1 : 0));
  for (let i = 1; i < all.length; i++) {
    const a = all[i - 1] as (typeof all)[number];
    const b = all[i] as (typeof all)[number];
    invariant(!prefixesOverlap(a.prefix, b.prefix), () => `pools "${a.pool}" and "${b.pool}" overlap (config validation rejects this)`);
  }
}
