// Which BGP sessions this node runs, and when a session must be replaced
// (reference §3.2 "Sessions"): one per configured peer whose node-selectors
// match this node's labels (no selector: every node), re-evaluated when the
// config or the node's labels change. Sessions are independent of Services.
//
// A session is identified by its peer's name and replaced only when
// something the session was started with changes (addresses, ASNs, timers,
// router ID, password, ...). A peer whose node-selectors change but still
// match keeps its session, and a change to one peer never touches the
// others: MetalLB compares peers the same way (reflect.DeepEqual of the peer
// config) before closing any session.
//
// The password is never part of anything printable: the identity holds a
// digest of it.
import { createHash } from "node:crypto";
import { matchesAnySelector, type Labels, type Peer } from "@ironlb/core/config";
import { formatIp, ip, tryParseIp } from "@ironlb/core/ip";

export interface SessionSpec {
  readonly name: string;
  readonly peer: Peer;
  /** The TCP MD5 key (inline or from the Secret); undefined: none. Never log it. */
  readonly password: string | undefined;
  /** BGP Identifier, IPv4 text. */
  readonly routerId: string;
  /** Changes exactly when the session has to be restarted. */
  readonly identity: string;
}

/** The configured peers that select this node, in config order. */
export function peersForNode(peers: readonly Peer[], nodeLabels: Labels): Peer[] {
  return peers.filter((p) => matchesAnySelector(p.nodeSelectors, nodeLabels));
}

export function sessionSpec(peer: Peer, password: string | undefined, routerId: string): SessionSpec {
  const fields = {
    myAsn: peer.myAsn,
    peerAsn: peer.peerAsn,
    peerAddress: formatIp(peer.peerAddress),
    peerPort: peer.peerPort,
    sourceAddress: peer.sourceAddress === null ? null : formatIp(peer.sourceAddress),
    holdTime: peer.holdTime,
    keepaliveTime: peer.keepaliveTime,
    routerId,
    ebgpMultihop: peer.ebgpMultihop,
    gracefulRestart: peer.gracefulRestart,
    bfdProfile: peer.bfdProfile,
    password: password === undefined ? null : createHash("sha256").update(password).digest("hex").slice(0, 16),
  };
  return { name: peer.name, peer, password, routerId, identity: JSON.stringify(fields) };
}

export interface SessionPlan {
  /** Sessions to start (new peers, or replacements after a change). */
  readonly start: readonly SessionSpec[];
  /** Names of sessions to stop (peer gone, no longer selects this node, or replaced). */
  readonly stop: readonly string[];
  /** Sessions left running as they are. */
  readonly keep: readonly string[];
}

/** The smallest change from the running sessions (name -> identity) to `wanted`. */
export function planSessions(running: ReadonlyMap<string, string>, wanted: readonly SessionSpec[]): SessionPlan {
  const start: SessionSpec[] = [];
  const stop: string[] = [];
  const keep: string[] = [];
  const wantedNames = new Set(wanted.map((s) => s.name));
  for (const name of running.keys()) if (!wantedNames.has(name)) stop.push(name);
  for (const spec of wanted) {
    const identity = running.get(spec.name);
    if (identity === spec.identity) keep.push(spec.name);
    else {
      if (identity !== undefined) stop.push(spec.name);
      start.push(spec);
    }
  }
  return { start, stop, keep };
}

/**
 * The BGP Identifier for a session (RFC 6286: a non-zero 4-octet value),
 * as MetalLB picks it: the peer's router-id, else an IPv4 address of this
 * node (the session's source address, the node's InternalIP, the speaker's
 * bind address, in that order), else the CRC-32 (IEEE) of the node name read
 * little-endian, for IPv6-only nodes.
 */
export function routerIdFor(peer: Peer, nodeAddresses: readonly string[], nodeName: string): string {
  if (peer.routerId !== null) return formatIp(peer.routerId);
  if (peer.sourceAddress?.family === "ipv4") return formatIp(peer.sourceAddress);
  for (const text of nodeAddresses) {
    const a = tryParseIp(text);
    if (a?.family === "ipv4" && a.value !== 0n) return formatIp(a);
  }
  const c = crc32(Buffer.from(nodeName, "utf8"));
  const le = ((c & 0xff) << 24) | (((c >>> 8) & 0xff) << 16) | (((c >>> 16) & 0xff) << 8) | (c >>> 24);
  return formatIp(ip("ipv4", BigInt(le >>> 0 || 1)));
}

let table: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = (table[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
