// Parsers for BIRD 2's control-socket text: `show protocols all NAME` (state,
// the peer's capabilities, per-channel counters) and `show route ... all`
// (every path with its BGP attributes). They rely on the config bird.ts
// writes: `timeformat protocol|route "%s.%6f"` (epoch seconds, so one token
// and comparable with Date.now()). BIRD marks a route stale with an "s" after
// the preference, "(100s)" (proto/bgp/attrs.c bgp_get_route_info), but only
// between the peer's reconnect and its End-of-RIB; while the peer is away its
// retained routes look normal and the protocol says "Neighbor graceful restart
// active" (bird.ts combines the two).
import { LabError } from "../errors.ts";
import type { Family, RoutePath, SessionState } from "./types.ts";

export interface BirdChannelStats {
  readonly imported: number;
  readonly exported: number;
  /** "Import updates" received / "Import withdraws" received: prefixes, not messages. */
  readonly importUpdates: number;
  readonly importWithdraws: number;
  readonly exportUpdates: number;
  readonly exportWithdraws: number;
}

export interface BirdProtocol {
  readonly name: string;
  /** "up", "start", "down", ... */
  readonly protoState: string;
  /** Epoch seconds of the last state change (the "Since" column). */
  readonly since: number;
  readonly info: string;
  readonly bgpState: string | undefined;
  readonly neighborAddress: string | undefined;
  readonly peerCapabilities: readonly string[];
  readonly holdTime: number | undefined;
  readonly lastError: string | undefined;
  /** "Neighbor graceful restart active": the peer's session is down and its routes are retained as stale. */
  readonly gracefulRestartActive: boolean;
  readonly channels: Readonly<Partial<Record<Family, BirdChannelStats>>>;
}

const bgpStates: Record<string, SessionState> = {
  idle: "idle",
  connect: "connect",
  active: "active",
  opensent: "opensent",
  openconfirm: "openconfirm",
  established: "established",
};

export function sessionState(bgpState: string | undefined): SessionState {
  return bgpStates[(bgpState ?? "idle").toLowerCase()] ?? "idle";
}

const capabilityNames: Record<string, string> = {
  "route refresh": "route-refresh",
  "enhanced refresh": "enhanced-route-refresh",
  "graceful restart": "graceful-restart",
  "4-octet as numbers": "4-octet-as",
  "extended message": "extended-message",
  "extended next hop": "extended-next-hop",
  "add-path": "add-path",
  "long-lived graceful restart": "long-lived-graceful-restart",
  hostname: "fqdn",
  role: "role",
};

/** Parses the reply to `show protocols all NAME` (one protocol). */
export function parseBirdProtocol(lines: readonly string[]): BirdProtocol {
  const headerAt = lines.findIndex((l) => l.startsWith("Name "));
  const first = lines[headerAt + 1];
  if (headerAt < 0 || first === undefined) throw new LabError("LAB_ROUTER_FAILED", `unexpected BIRD protocol output: ${lines.join(" | ")}`);
  const [name = "", , , protoState = "", since = "0", ...info] = first.trim().split(/\s+/);
  let bgpState: string | undefined;
  let neighborAddress: string | undefined;
  let holdTime: number | undefined;
  let lastError: string | undefined;
  let gracefulRestartActive = false;
  const caps: string[] = [];
  const channels: Partial<Record<Family, BirdChannelStats>> = {};
  let inPeerCaps = -1; // indentation of the "Neighbor capabilities" header while inside it
  let channel: Family | undefined;
  let stats: Record<string, number> = {};
  const flush = (): void => {
    if (channel !== undefined) {
      channels[channel] = {
        imported: stats["imported"] ?? 0,
        exported: stats["exported"] ?? 0,
        importUpdates: stats["importUpdates"] ?? 0,
        importWithdraws: stats["importWithdraws"] ?? 0,
        exportUpdates: stats["exportUpdates"] ?? 0,
        exportWithdraws: stats["exportWithdraws"] ?? 0,
      };
    }
    stats = {};
  };
  for (const line of lines.slice(headerAt + 2)) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (inPeerCaps >= 0) {
      if (indent > inPeerCaps) {
        const lower = text.toLowerCase();
        const af = /^af announced:\s*(.*)$/i.exec(text);
        if (af !== null) for (const f of (af[1] ?? "").split(/\s+/)) if (f !== "") caps.push(`mp:${f}-unicast`);
        const named = capabilityNames[lower.split(":")[0] ?? ""];
        if (named !== undefined) caps.push(named);
        continue;
      }
      inPeerCaps = -1;
    }
    let m: RegExpExecArray | null;
    if ((m = /^BGP state:\s+(\S+)/.exec(text)) !== null) bgpState = m[1];
    else if ((m = /^Neighbor address:\s+(\S+)/.exec(text)) !== null) neighborAddress = m[1];
    else if ((m = /^Hold timer:\s+[\d.]+\/(\d+)/.exec(text)) !== null) holdTime = Number(m[1]);
    else if ((m = /^Last error:\s+(.*)$/.exec(text)) !== null) lastError = m[1];
    else if (text === "Neighbor capabilities") inPeerCaps = indent;
    else if (text === "Neighbor graceful restart active") gracefulRestartActive = true;
    else if ((m = /^Channel (ipv4|ipv6)$/.exec(text)) !== null) {
      flush();
      channel = m[1] as Family;
    } else if ((m = /^Routes:\s+(\d+) imported, (?:\d+ filtered, )?(\d+) exported/.exec(text)) !== null) {
      stats["imported"] = Number(m[1]);
      stats["exported"] = Number(m[2]);
    } else if ((m = /^(Import|Export) (updates|withdraws):\s+(\d+)/.exec(text)) !== null) {
      stats[`${(m[1] as string).toLowerCase()}${m[2] === "updates" ? "Updates" : "Withdraws"}`] = Number(m[3]);
    }
  }
  flush();
  return {
    name,
    protoState,
    since: Number(since),
    info: info.join(" "),
    bgpState,
    neighborAddress,
    peerCapabilities: caps,
    holdTime,
    lastError,
    gracefulRestartActive,
    channels,
  };
}

// "198.51.100.1/32      unicast [peer1 1795599633.361083 from 10.99.7.2] * (100s) [AS65002i]"
// The prefix column is blank on the second and later paths of a network.
const routeHeader = /^(\S+)?\s+(\S+) \[(\S+) [\d.]+(?: from (\S+))?\]( \*| !)? \((\d+)(-?)(s?)[^)]*\)/;

/**
 * Parses `show route ... all`: one RoutePath per path. `peerOf` maps a BIRD
 * protocol name to the neighbor address it belongs to.
 */
export function parseBirdRoutes(lines: readonly string[], peerOf: (protocol: string) => string | undefined): RoutePath[] {
  const out: RoutePath[] = [];
  let prefix = "";
  let cur: MutablePath | undefined;
  const push = (): void => {
    if (cur !== undefined) out.push({ ...cur });
    cur = undefined;
  };
  for (const line of lines) {
    if (line.startsWith("Table ") || line.trim() === "") continue;
    const h = routeHeader.exec(line);
    if (h !== null && !line.startsWith("\t")) {
      push();
      if (h[1] !== undefined) prefix = h[1];
      cur = {
        prefix,
        family: prefix.includes(":") ? "ipv6" : "ipv4",
        peer: peerOf(h[3] as string) ?? h[4],
        nextHops: [],
        asPath: [],
        communities: [],
        largeCommunities: [],
        stale: h[8] === "s",
        best: h[5] !== undefined,
      };
      continue;
    }
    if (cur === undefined) continue;
    const text = line.trim();
    const colon = text.indexOf(": ");
    const key = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? "" : text.slice(colon + 2).trim();
    switch (key) {
      case "BGP.origin":
        cur.origin = value.toLowerCase() as "igp" | "egp" | "incomplete";
        break;
      case "BGP.as_path":
        cur.asPath = value.replace(/[{}]/g, " ").split(/\s+/).filter((s) => s !== "").map(Number);
        break;
      case "BGP.next_hop":
        cur.nextHops = value.split(/\s+/).filter((s) => s !== "");
        break;
      case "BGP.med":
        cur.med = Number(value);
        break;
      case "BGP.local_pref":
        cur.localPref = Number(value);
        break;
      case "BGP.community":
        cur.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
        break;
      case "BGP.large_community":
        cur.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
        break;
    }
  }
  push();
  return out;
}

type MutablePath = { -readonly [K in keyof RoutePath]: RoutePath[K] };
