// A plain summary of a parsed Config, for `ironlb config validate` and other
// operator views: pool sizes per family (exact bigint counts: a /64 holds
// 18446744073709551616 addresses), advertisements, peers with their effective
// timers, community aliases. Values only; rendering is the caller's.
//
// Deliberately not here: usage (what the allocator has handed out).
import { formatIp, prefixFirst, prefixLast, prefixSize, type Prefix } from "../ip/index.ts";
import { formatCommunity } from "./community.ts";
import { formatSelector } from "./selector-parse.ts";
import type { Config, Peer, Pool, Protocol } from "./types.ts";

export interface FamilySizes {
  readonly ipv4: bigint;
  readonly ipv6: bigint;
}

export interface AdvertisementSummary {
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  readonly localPref: number;
  /** Canonical values ("65535:65282", "large:64512:1:2"). */
  readonly communities: readonly string[];
  /** Peer names; empty means every peer. */
  readonly peers: readonly string[];
}

export interface PoolSummary {
  readonly name: string;
  readonly protocol: Protocol;
  readonly autoAssign: boolean;
  readonly avoidBuggyIps: boolean;
  readonly addresses: readonly string[];
  /** Addresses in the pool per family. */
  readonly size: FamilySizes;
  /** Addresses the allocator may hand out: size minus .0/.255 with avoid-buggy-ips. */
  readonly assignable: FamilySizes;
  readonly advertisements: readonly AdvertisementSummary[];
  readonly serviceAllocation: {
    readonly priority: number;
    readonly namespaces: readonly string[];
    readonly namespaceSelectors: readonly string[];
    readonly serviceSelectors: readonly string[];
  } | null;
  readonly layer2: { readonly interfaces: readonly string[]; readonly nodeSelectors: readonly string[] } | null;
}

export interface PeerSummary {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly myAsn: number;
  readonly peerAsn: number;
  readonly session: "iBGP" | "eBGP";
  readonly sourceAddress: string | null;
  readonly routerId: string | null;
  readonly holdTime: number;
  /** Effective: the configured value, or hold/3. */
  readonly keepaliveTime: number;
  readonly nodeSelectors: readonly string[];
  readonly authentication: string;
  readonly bfdProfile: string | null;
  readonly ebgpMultihop: boolean;
  readonly gracefulRestart: boolean;
}

export interface ConfigSummary {
  readonly pools: readonly PoolSummary[];
  readonly peers: readonly PeerSummary[];
  readonly communities: readonly { readonly alias: string; readonly value: string }[];
  readonly bfdProfiles: readonly string[];
}

export function summarizeConfig(config: Config): ConfigSummary {
  return {
    pools: config.pools.map(summarizePool),
    peers: config.peers.map(summarizePeer),
    communities: Object.entries(config.communities).map(([alias, c]) => ({ alias, value: formatCommunity(c) })),
    bfdProfiles: config.bfdProfiles.map((p) => p.name),
  };
}

function summarizePool(pool: Pool): PoolSummary {
  const size = { ipv4: 0n, ipv6: 0n };
  let buggy = 0n;
  for (const p of pool.cidrs) {
    size[p.family] += prefixSize(p);
    if (p.family === "ipv4") buggy += buggyCount(p);
  }
  const sa = pool.serviceAllocation;
  return {
    name: pool.name,
    protocol: pool.protocol,
    autoAssign: pool.autoAssign,
    avoidBuggyIps: pool.avoidBuggyIps,
    addresses: pool.addresses.map((a) => a.text),
    size,
    assignable: { ipv4: pool.avoidBuggyIps ? size.ipv4 - buggy : size.ipv4, ipv6: size.ipv6 },
    advertisements: pool.bgpAdvertisements.map((a) => ({
      aggregationLength: a.aggregationLength,
      aggregationLengthV6: a.aggregationLengthV6,
      localPref: a.localPref,
      communities: a.communities.map(formatCommunity),
      peers: a.peers,
    })),
    serviceAllocation:
      sa === null
        ? null
        : {
            priority: sa.priority,
            namespaces: sa.namespaces,
            namespaceSelectors: sa.namespaceSelectors.map(formatSelector),
            serviceSelectors: sa.serviceSelectors.map(formatSelector),
          },
    layer2: pool.protocol === "layer2" ? { interfaces: pool.layer2.interfaces, nodeSelectors: pool.layer2.nodeSelectors.map(formatSelector) } : null,
  };
}

/** IPv4 addresses ending in .0 or .255 inside a prefix (avoid-buggy-ips skips them). */
export function buggyCount(p: Prefix): bigint {
  if (p.family !== "ipv4") return 0n;
  // Every /24 inside a prefix of length <= 24 holds exactly one .0 and one .255.
  if (p.length <= 24) return 2n << BigInt(24 - p.length);
  let n = 0n;
  if ((prefixFirst(p).value & 0xffn) === 0n) n++;
  if ((prefixLast(p).value & 0xffn) === 0xffn) n++;
  return n;
}

function summarizePeer(p: Peer): PeerSummary {
  const authentication = p.password !== null ? "password" : p.passwordSecret !== null ? `secret ${p.passwordSecret.namespace ?? "(ironlb namespace)"}/${p.passwordSecret.name}` : "none";
  return {
    name: p.name,
    address: formatIp(p.peerAddress),
    port: p.peerPort,
    myAsn: p.myAsn,
    peerAsn: p.peerAsn,
    session: p.myAsn === p.peerAsn ? "iBGP" : "eBGP",
    sourceAddress: p.sourceAddress === null ? null : formatIp(p.sourceAddress),
    routerId: p.routerId === null ? null : formatIp(p.routerId),
    holdTime: p.holdTime,
    keepaliveTime: p.keepaliveTime ?? Math.floor(p.holdTime / 3),
    nodeSelectors: p.nodeSelectors.map(formatSelector),
    authentication,
    bfdProfile: p.bfdProfile,
    ebgpMultihop: p.ebgpMultihop,
    gracefulRestart: p.gracefulRestart,
  };
}
