// Which address pool an assigned IP belongs to (MetalLB's poolFor): the pool
// whose CIDRs contain every ingress IP of the Service. The speaker does not
// trust the controller's pool annotation: the configuration in force decides,
// so an IP left outside every pool by a config change is withdrawn
// (ipNotAllowed) rather than announced with a pool it no longer belongs to.
//
// Pools never overlap (the config parser rejects overlaps), so the CIDRs of
// one family, sorted by first address, are disjoint and a binary search finds
// the only candidate: O(log n) per IP instead of MetalLB's scan of every CIDR
// of every pool.
import type { Config, Pool } from "@ironlb/core/config";
import { prefixFirst, prefixLast, type IpAddress, type IpFamily } from "@ironlb/core/ip";

interface Span {
  readonly first: bigint;
  readonly last: bigint;
  readonly pool: Pool;
}

export class PoolIndex {
  // family -> disjoint spans sorted by `first`
  readonly #spans: Record<IpFamily, Span[]> = { ipv4: [], ipv6: [] };
  readonly #byName = new Map<string, Pool>();

  constructor(config: Config) {
    for (const pool of config.pools) {
      this.#byName.set(pool.name, pool);
      for (const p of pool.cidrs) this.#spans[p.family].push({ first: prefixFirst(p).value, last: prefixLast(p).value, pool });
    }
    for (const list of Object.values(this.#spans)) list.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  }

  byName(name: string): Pool | undefined {
    return this.#byName.get(name);
  }

  /** The pool holding `ip`, if any. */
  poolOf(ip: IpAddress): Pool | undefined {
    const list = this.#spans[ip.family];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid] as Span;
      if (ip.value < s.first) hi = mid - 1;
      else if (ip.value > s.last) lo = mid + 1;
      else return s.pool;
    }
    return undefined;
  }

  /** The one pool holding all of `ips`; undefined when there is none (or no IP). */
  poolFor(ips: readonly IpAddress[]): Pool | undefined {
    let found: Pool | undefined;
    for (const ip of ips) {
      const p = this.poolOf(ip);
      if (p === undefined || (found !== undefined && p !== found)) return undefined;
      found = p;
    }
    return found;
  }
}
