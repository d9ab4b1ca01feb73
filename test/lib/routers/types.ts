// One typed shape for every real BGP daemon the lab runs (BIRD 2, GoBGP 3,
// FRR 8, ExaBGP 4.2): what to configure (RouterConfig) and what the daemon
// reports (SessionInfo, RoutePath), normalised so a suite can run the same
// assertions against any of them. Deliberately only what the suites need:
// no policy language, no route reflection, no VRFs.

export type Family = "ipv4" | "ipv6";
export type RouterKind = "bird" | "gobgp" | "frr" | "exabgp";

export interface NeighborConfig {
  /** The peer's address. */
  readonly address: string;
  readonly asn: number;
  /** Our source address for this session (and the address we accept it on). */
  readonly localAddress?: string | undefined;
  /** The peer's TCP port. Default 179. */
  readonly port?: number | undefined;
  /** Only accept the peer's connection, never connect. */
  readonly passive?: boolean | undefined;
  /** Proposed hold time in seconds (keepalive = hold / 3). Default: 90. */
  readonly holdTime?: number | undefined;
  /** TCP MD5 signature password (RFC 2385). */
  readonly password?: string | undefined;
  /** eBGP multihop with this TTL. */
  readonly multihop?: number | undefined;
  /** Address families to negotiate. Default both. */
  readonly families?: readonly Family[] | undefined;
  /**
   * Graceful restart (RFC 4724) in both roles: as the receiving speaker, keep
   * the peer's routes (marked stale) when its session drops, until it comes
   * back or the restart time (`gracefulRestartTime`, default 120 s) runs out;
   * as a restarting speaker, advertise the capability for our families so
   * the peer does the same for us. Off (no capability) when not set.
   */
  readonly gracefulRestart?: boolean | undefined;
  readonly gracefulRestartTime?: number | undefined;
  /** What we send this neighbor: our originated routes (default) or nothing. */
  readonly export?: "originated" | "none" | undefined;
  /** Name in the daemon's config, e.g. a BIRD protocol name. Default derived from the address. */
  readonly name?: string | undefined;
}

/** A route the daemon originates (BIRD static, GoBGP global RIB, FRR network, ExaBGP announce). */
export interface OriginatedRoute {
  /** "198.51.100.1/32", "2001:db8::1/128". */
  readonly prefix: string;
  /** Default: the daemon's own session address (next-hop self). */
  readonly nextHop?: string | undefined;
  /** "65000:100" */
  readonly communities?: readonly string[] | undefined;
  /** "65000:1:2" */
  readonly largeCommunities?: readonly string[] | undefined;
  readonly localPref?: number | undefined;
  readonly med?: number | undefined;
}

export interface RouterConfig {
  readonly asn: number;
  readonly routerId: string;
  /** Where the daemon listens for passive sessions. Default: every address of the namespace, port 179. */
  readonly listen?: { readonly address?: string | undefined; readonly port?: number | undefined } | undefined;
  readonly neighbors: readonly NeighborConfig[];
  readonly routes?: readonly OriginatedRoute[] | undefined;
}

/** RFC 4271 §8.2.2 states, lower case. */
export type SessionState = "idle" | "connect" | "active" | "opensent" | "openconfirm" | "established";

export interface SessionInfo {
  readonly peer: string;
  readonly state: SessionState;
  readonly established: boolean;
  /** The daemon's own words ("start Active", "Idle (Admin)", ...) and its last error, for messages. */
  readonly detail: string;
  /**
   * Capabilities the peer advertised in its OPEN, normalised: "mp:ipv4-unicast",
   * "mp:ipv6-unicast", "route-refresh", "enhanced-route-refresh",
   * "graceful-restart", "4-octet-as", "extended-message", "add-path",
   * "extended-next-hop", "long-lived-graceful-restart", "fqdn". Empty until established.
   */
  readonly peerCapabilities: readonly string[];
  /** Negotiated hold time, when the daemon reports it. */
  readonly holdTime?: number | undefined;
}

export interface RoutePath {
  readonly prefix: string;
  readonly family: Family;
  /** The neighbor this path was learned from, when the daemon says. */
  readonly peer?: string | undefined;
  /** Global next hop first, then the link-local one when the UPDATE carried both. */
  readonly nextHops: readonly string[];
  /** AS_PATH flattened (AS_SET members included in order). */
  readonly asPath: readonly number[];
  readonly origin?: "igp" | "egp" | "incomplete" | undefined;
  readonly med?: number | undefined;
  readonly localPref?: number | undefined;
  /** "65000:100", sorted as received. */
  readonly communities: readonly string[];
  /** "65000:1:2" */
  readonly largeCommunities: readonly string[];
  /** Kept by graceful restart while the peer is away. */
  readonly stale: boolean;
  /** Chosen as best among the prefix's paths (ExaBGP keeps no RIB: always true). */
  readonly best: boolean;
}

export interface RouteQuery {
  readonly family?: Family | undefined;
  /** Exact prefix, e.g. "198.51.100.1/32". */
  readonly prefix?: string | undefined;
}

export function familyOf(prefixOrAddress: string): Family {
  return prefixOrAddress.includes(":") ? "ipv6" : "ipv4";
}
