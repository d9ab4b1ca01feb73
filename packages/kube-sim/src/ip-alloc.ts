// IP address parsing and the two allocators a Service needs: cluster IPs
// from the service CIDRs (10.96.0.0/12 and fd00:10:96::/112 by default) and
// node ports from 30000-32767. Allocation is random within the range, like
// the apiserver's bitmap allocator, with randomness injected; requested
// values are checked for range and conflicts with the apiserver's wording.
//
// Changes are made through a transaction so that a rejected Service leaves
// no allocation behind and a dry run allocates nothing.
import { isIP } from "node:net";

export type Family = "IPv4" | "IPv6";

export interface ParsedIp {
  readonly family: Family;
  readonly value: bigint;
}

/** Parses an IPv4 or IPv6 address (no zone, no leading zeros in IPv4). */
export function parseIp(s: string): ParsedIp | undefined {
  const kind = isIP(s);
  if (kind === 4) {
    let v = 0n;
    for (const part of s.split(".")) v = (v << 8n) | BigInt(Number(part));
    return { family: "IPv4", value: v };
  }
  if (kind === 6 && !s.includes("%")) return { family: "IPv6", value: parseV6(s) };
  return undefined;
}

/** `s` has passed net.isIP(): only the value is computed here. */
function parseV6(s: string): bigint {
  let head = s;
  let tail: string[] = [];
  if (s.includes(".")) {
    // RFC 4291 §2.2 (3): the low 32 bits written as dotted IPv4.
    const i = s.lastIndexOf(":");
    const v4 = parseIp(s.slice(i + 1)) as ParsedIp;
    tail = [(v4.value >> 16n).toString(16), (v4.value & 0xffffn).toString(16)];
    head = s.slice(0, i + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const dbl = head.indexOf("::");
  const split = (t: string): string[] => (t === "" ? [] : t.split(":"));
  const left = dbl >= 0 ? split(head.slice(0, dbl)) : split(head);
  const right = dbl >= 0 ? split(head.slice(dbl + 2)) : [];
  const zeros = new Array<string>(8 - left.length - right.length - tail.length).fill("0");
  let v = 0n;
  for (const g of [...left, ...zeros, ...right, ...tail]) v = (v << 16n) | BigInt(parseInt(g, 16));
  return v;
}

/** RFC 5952 text form of an address. */
export function formatIp(family: Family, value: bigint): string {
  if (family === "IPv4") return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952 §4.2.3: compress the longest run of two or more zero groups, the first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
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

export class Cidr {
  readonly family: Family;
  readonly base: bigint;
  readonly prefix: number;
  readonly size: bigint;

  constructor(readonly text: string) {
    const [addr, len] = text.split("/");
    const ip = addr === undefined ? undefined : parseIp(addr);
    const bits = ip?.family === "IPv6" ? 128 : 32;
    const prefix = Number(len);
    if (!ip || len === undefined || !/^\d+$/.test(len) || prefix > bits) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
    this.family = ip.family;
    this.prefix = prefix;
    this.size = 1n << BigInt(bits - prefix);
    this.base = (ip.value / this.size) * this.size;
  }

  contains(ip: ParsedIp): boolean {
    return ip.family === this.family && ip.value >= this.base && ip.value < this.base + this.size;
  }
}

export type AllocateResult = "ok" | "out-of-range" | "in-use";

/** Cluster IPs of one family. The network address (and IPv4 broadcast) is never handed out. */
export class IpAllocator {
  private readonly used = new Set<bigint>();
  private readonly first: bigint;
  private readonly count: bigint;

  constructor(
    readonly cidr: Cidr,
    private readonly random: () => number,
  ) {
    this.first = cidr.base + 1n;
    const reserved = cidr.family === "IPv4" ? 2n : 1n;
    this.count = cidr.size > reserved ? cidr.size - reserved : 0n;
  }

  get family(): Family {
    return this.cidr.family;
  }

  inRange(ip: ParsedIp): boolean {
    return this.cidr.contains(ip) && ip.value >= this.first && ip.value < this.first + this.count;
  }

  has(ip: ParsedIp): boolean {
    return this.used.has(ip.value);
  }

  allocateSpecific(ip: ParsedIp): AllocateResult {
    if (!this.inRange(ip)) return "out-of-range";
    if (this.used.has(ip.value)) return "in-use";
    this.used.add(ip.value);
    return "ok";
  }

  /** A free address, or undefined when the range is full. */
  allocateNext(): string | undefined {
    if (BigInt(this.used.size) >= this.count) return undefined;
    // Random start, then probe upwards: O(1) expected while the range is sparse.
    const offset = BigInt(Math.floor(this.random() * Number(this.count)));
    for (let i = 0n; i < this.count; i++) {
      const v = this.first + ((offset + i) % this.count);
      if (!this.used.has(v)) {
        this.used.add(v);
        return formatIp(this.cidr.family, v);
      }
    }
    return undefined;
  }

  release(ip: ParsedIp): void {
    if (this.cidr.contains(ip)) this.used.delete(ip.value);
  }

  get usedCount(): number {
    return this.used.size;
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();

  constructor(
    readonly min: number,
    readonly max: number,
    private readonly random: () => number,
  ) {}

  get rangeText(): string {
    return `${this.min}-${this.max}`;
  }

  allocateSpecific(port: number): AllocateResult {
    if (port < this.min || port > this.max) return "out-of-range";
    if (this.used.has(port)) return "in-use";
    this.used.add(port);
    return "ok";
  }

  allocateNext(): number | undefined {
    const count = this.max - this.min + 1;
    if (this.used.size >= count) return undefined;
    const offset = Math.floor(this.random() * count);
    for (let i = 0; i < count; i++) {
      const p = this.min + ((offset + i) % count);
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }

  has(port: number): boolean {
    return this.used.has(port);
  }
}

/** The cluster's service address space: one allocator per configured family, primary first. */
export class ServiceAllocators {
  readonly ips: readonly IpAllocator[];
  readonly nodePorts: PortAllocator;

  constructor(options: { readonly clusterIPRanges: readonly string[]; readonly nodePortRange: string; readonly random: () => number }) {
    this.ips = options.clusterIPRanges.map((c) => new IpAllocator(new Cidr(c), options.random));
    if (this.ips.length === 0 || this.ips.length > 2 || (this.ips.length === 2 && this.ips[0]?.family === this.ips[1]?.family)) {
      throw new Error("service cluster IP ranges: one range, or one IPv4 and one IPv6 range");
    }
    const m = /^(\d+)-(\d+)$/.exec(options.nodePortRange);
    const min = Number(m?.[1]);
    const max = Number(m?.[2]);
    if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid node port range ${JSON.stringify(options.nodePortRange)}`);
    this.nodePorts = new PortAllocator(min, max, options.random);
  }

  ipFor(family: Family): IpAllocator | undefined {
    return this.ips.find((a) => a.family === family);
  }

  get primaryFamily(): Family {
    return (this.ips[0] as IpAllocator).family;
  }

  get dualStack(): boolean {
    return this.ips.length === 2;
  }

  /** Starts a set of changes that is either committed or undone as a whole. */
  begin(): AllocationTx {
    return new AllocationTx(this);
  }
}

/** Allocations made so far can be undone; releases are applied only on commit. */
export class AllocationTx {
  private readonly undo: (() => void)[] = [];
  private readonly releases: (() => void)[] = [];

  constructor(readonly pool: ServiceAllocators) {}

  ip(family: Family, specific: string | undefined): { ip?: string; error?: AllocateResult | "not-configured" | "full" } {
    const a = this.pool.ipFor(family);
    if (!a) return { error: "not-configured" };
    if (specific !== undefined) {
      const p = parseIp(specific);
      if (!p) return { error: "out-of-range" };
      const r = a.allocateSpecific(p);
      if (r !== "ok") return { error: r };
      this.undo.push(() => a.release(p));
      return { ip: specific };
    }
    const ip = a.allocateNext();
    if (ip === undefined) return { error: "full" };
    this.undo.push(() => a.release(parseIp(ip) as ParsedIp));
    return { ip };
  }

  port(specific: number | undefined): { port?: number; error?: AllocateResult | "full" } {
    const a = this.pool.nodePorts;
    if (specific !== undefined) {
      const r = a.allocateSpecific(specific);
      if (r !== "ok") return { error: r };
      this.undo.push(() => a.release(specific));
      return { port: specific };
    }
    const p = a.allocateNext();
    if (p === undefined) return { error: "full" };
    this.undo.push(() => a.release(p));
    return { port: p };
  }

  releaseIp(ip: string): void {
    const p = parseIp(ip);
    if (!p) return;
    const a = this.pool.ipFor(p.family);
    if (a) this.releases.push(() => a.release(p));
  }

  releasePort(port: number): void {
    this.releases.push(() => this.pool.nodePorts.release(port));
  }

  commit(): void {
    for (const r of this.releases) r();
    this.undo.length = 0;
    this.releases.length = 0;
  }

  rollback(): void {
    for (const u of this.undo.reverse()) u();
    this.undo.length = 0;
    this.releases.length = 0;
  }
}
