// The lab's address plan. Links get subnets from 10.99.0.0/17 and fd00:99::/48
// (one /24 + /64 per link or segment, allocated per run); service IPs come from
// the documentation ranges 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32,
// picked by the tests; bulk route prefixes for benchmarks and scale tests come
// from 10.99.128.0/17 and 2001:db8:ffff::/48 and are only ever announced as
// routes, never configured on an interface. Nothing outside these ranges is
// ever used, and all of them live only inside namespaces the harness created.
// Deliberately string formatting only: the harness must not depend on the
// project's own IP code that it helps to test.
import { LabError } from "./errors.ts";

export const linkBlocks = { v4: "10.99.0.0/17", v6: "fd00:99::/48" } as const;
export const serviceBlocks = { v4: ["198.51.100.0/24", "203.0.113.0/24"], v6: "2001:db8::/32" } as const;
export const bulkBlocks = { v4: "10.99.128.0/17", v6: "2001:db8:ffff::/48" } as const;

const linkSubnets = 128; // /24s in 10.99.0.0/17

export interface Host {
  /** "10.99.7.2" */
  readonly v4: string;
  /** "fd00:99:0:7::2" (RFC 5952 form) */
  readonly v6: string;
  /** "10.99.7.2/24" */
  readonly v4Cidr: string;
  /** "fd00:99:0:7::2/64" */
  readonly v6Cidr: string;
}

export interface Subnet {
  readonly index: number;
  /** "10.99.7.0/24" */
  readonly v4: string;
  /** "fd00:99:0:7::/64" */
  readonly v6: string;
  /** Host `i` (1..254) of the subnet in both families. */
  host(i: number): Host;
}

// Shared across module copies in one process, like names.ts's counter. Starts at
// a pid-derived offset so captures from different runs are told apart at a glance.
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for("ironlb.lab.subnets")] ??= {
  next: process.pid % linkSubnets,
  used: 0,
}) as { next: number; used: number };

export function allocateSubnet(): Subnet {
  if (state.used >= linkSubnets) throw new LabError("LAB_ADDRESS_EXHAUSTED", `all ${linkSubnets} link subnets of ${linkBlocks.v4} are in use by this process`);
  const index = state.next;
  state.next = (state.next + 1) % linkSubnets;
  state.used++;
  return subnet(index);
}

export function subnet(index: number): Subnet {
  if (!Number.isInteger(index) || index < 0 || index >= linkSubnets) throw new LabError("LAB_BAD_ARGUMENT", `subnet index ${index} outside 0..${linkSubnets - 1}`);
  return {
    index,
    v4: `10.99.${index}.0/24`,
    v6: `${formatV6([0xfd00, 0x99, 0, index, 0, 0, 0, 0])}/64`,
    host(i: number): Host {
      if (!Number.isInteger(i) || i < 1 || i > 254) throw new LabError("LAB_BAD_ARGUMENT", `host ${i} outside 1..254`);
      const v4 = `10.99.${index}.${i}`;
      const v6 = formatV6([0xfd00, 0x99, 0, index, 0, 0, 0, i]);
      return { v4, v6, v4Cidr: `${v4}/24`, v6Cidr: `${v6}/64` };
    },
  };
}

/** Service IPv4 `i` (0..511): 198.51.100.0-255, then 203.0.113.0-255. */
export function serviceV4(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i > 511) throw new LabError("LAB_ADDRESS_EXHAUSTED", `service IPv4 index ${i} outside 0..511`);
  return i < 256 ? `198.51.100.${i}` : `203.0.113.${i - 256}`;
}

/** Service IPv6 `i` (0..2^32-1) in 2001:db8::/32: 2001:db8::<hi>:<lo>. */
export function serviceV6(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 2 ** 32) throw new LabError("LAB_ADDRESS_EXHAUSTED", `service IPv6 index ${i} out of range`);
  return formatV6([0x2001, 0xdb8, 0, 0, 0, 0, Math.floor(i / 65536), i % 65536]);
}

/** `count` distinct /32 (ipv4, at most 32 768) or /128 (ipv6) prefixes for bulk announcements. */
export function bulkPrefixes(family: "ipv4" | "ipv6", count: number): string[] {
  const limit = family === "ipv4" ? 2 ** 15 : 2 ** 32;
  if (!Number.isInteger(count) || count < 0 || count > limit) throw new LabError("LAB_ADDRESS_EXHAUSTED", `${count} bulk ${family} prefixes requested, at most ${limit}`);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    out[i] = family === "ipv4" ? `10.99.${128 + (i >> 8)}.${i & 255}/32` : `${formatV6([0x2001, 0xdb8, 0xffff, 0, 0, 0, Math.floor(i / 65536), i % 65536])}/128`;
  }
  return out;
}

/** RFC 5952 text (longest run of two or more zero groups compressed), as the daemons print it. */
export function formatV6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}
