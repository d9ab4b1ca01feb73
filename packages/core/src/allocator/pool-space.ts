// The addresses of one pool and one family, numbered in hand-out order.
//
// MetalLB walks a pool's CIDRs in config order and each CIDR upward from its
// first address, skipping IPv4 .0/.255 when avoid-buggy-ips is set (reference
// §2.5). Here that walk order is materialised as "ordinals": ordinal 0 is the
// first usable address of the first CIDR of this family, and the CIDRs follow
// each other without gaps. Buggy addresses simply have no ordinal: with
// avoid-buggy-ips an IPv4 address a is first mapped to the compressed key
// (a >> 8) * 254 + (a & 255) - 1, under which .1 .. .254 of consecutive /24s
// are consecutive integers. So "first free address in config order" is one
// `firstAtOrAfter(0)` on a single interval set, whatever the number of CIDRs
// or their size (a /64 is one interval), and the usable-address count is exact
// (MetalLB's poolCount is off for a buggy /32 and saturates at MaxInt64).
//
// Deliberately not here: who holds an address (the ledger), compatibility.
import { isBuggyIp, IntervalSet, prefixFirst, prefixLast, type IpAddress, type IpFamily, type Prefix } from "../ip/index.ts";
import { invariant } from "./errors.ts";
import type { PortKey } from "./request.ts";
import type { ShareGroup } from "./share-group.ts";

interface Segment {
  readonly prefix: Prefix;
  /** Ordinal of the segment's first usable address. */
  readonly ordStart: bigint;
  /** Ordinal of its last usable address (inclusive). */
  readonly ordEnd: bigint;
  /** Key (compressed under avoid-buggy-ips) of the first usable address. */
  readonly keyFirst: bigint;
}

const BLOCK = 256n;
const USABLE_PER_BLOCK = 254n;

export class PoolSpace {
  readonly family: IpFamily;
  /** Only IPv4 has buggy addresses (address.ts isBuggyIp). */
  readonly avoidBuggy: boolean;
  /** Usable addresses (buggy ones excluded when avoided). */
  readonly size: bigint;
  /** Ordinals of usable addresses nobody holds. */
  readonly free: IntervalSet;
  // sharingKey + "\0" + backendKey -> the used addresses held under those keys
  readonly groups = new Map<string, ShareGroup>();
  readonly #segments: readonly Segment[]; // config order = ordinal order
  readonly #byNetwork: readonly Segment[]; // sorted by network, for address -> ordinal

  constructor(family: IpFamily, cidrs: readonly Prefix[], avoidBuggyIps: boolean) {
    this.family = family;
    this.avoidBuggy = avoidBuggyIps && family === "ipv4";
    const segments: Segment[] = [];
    let next = 0n;
    for (const prefix of cidrs) {
      if (prefix.family !== family) continue;
      let first = prefixFirst(prefix).value;
      let last = prefixLast(prefix).value;
      if (this.avoidBuggy) {
        if (isBuggyIp({ family, value: first })) first++;
        if (isBuggyIp({ family, value: last })) last--;
        if (first > last) continue; // a /32 (or /31 of .255 + next .0) that is all buggy
      }
      const keyFirst = this.#key(first);
      const count = this.#key(last) - keyFirst + 1n;
      segments.push({ prefix, ordStart: next, ordEnd: next + count - 1n, keyFirst });
      next += count;
    }
    this.size = next;
    this.#segments = segments;
    this.#byNetwork = [...segments].sort((a, b) => (a.prefix.network < b.prefix.network ? -1 : a.prefix.network > b.prefix.network ? 1 : 0));
    this.free = next > 0n ? new IntervalSet([[0n, next - 1n]]) : new IntervalSet();
  }

  /** The address's ordinal, or undefined when it is not a usable address of this space. */
  ordinalOf(address: IpAddress): bigint | undefined {
    if (address.family !== this.family) return undefined;
    const a = address.value;
    if (this.avoidBuggy && isBuggyIp(address)) return undefined;
    // Last segment whose network is <= a; config validation guarantees CIDRs do not overlap.
    const segs = this.#byNetwork;
    let lo = 0;
    let hi = segs.length - 1;
    let found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid] as Segment;
      if (s.prefix.network <= a) {
        found = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === undefined) return undefined;
    const ord = found.ordStart + this.#key(a) - found.keyFirst;
    return ord >= found.ordStart && ord <= found.ordEnd ? ord : undefined;
  }

  /** The address with this ordinal. */
  addressAt(ordinal: bigint): IpAddress {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid] as Segment;
      if (ordinal < s.ordStart) hi = mid - 1;
      else if (ordinal > s.ordEnd) lo = mid + 1;
      else return Object.freeze({ family: this.family, value: this.#unkey(s.keyFirst + ordinal - s.ordStart) });
    }
    invariant(false, () => `ordinal ${ordinal} is outside a ${this.family} space of ${this.size}`);
  }

  /** Lowest free ordinal, or lowest shareable one for `groupKey` and `ports`, whichever comes first. */
  firstUsable(groupKey: string | null, ports: readonly PortKey[]): bigint | undefined {
    const free = this.free.firstAtOrAfter(0n);
    if (groupKey === null) return free;
    const shared = this.groups.get(groupKey)?.lowest(ports);
    if (shared === undefined) return free;
    return free === undefined || shared < free ? shared : free;
  }

  // avoid-buggy-ips: .1..254 of each /24 become consecutive keys.
  #key(a: bigint): bigint {
    return this.avoidBuggy ? (a / BLOCK) * USABLE_PER_BLOCK + (a % BLOCK) - 1n : a;
  }

  #unkey(k: bigint): bigint {
    return this.avoidBuggy ? (k / USABLE_PER_BLOCK) * BLOCK + (k % USABLE_PER_BLOCK) + 1n : k;
  }
}

export function groupKeyOf(sharingKey: string, backendKey: string): string {
  return `${sharingKey}\u0000${backendKey}`;
}
