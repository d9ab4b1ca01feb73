// Session options, their defaults and validation, and the OPEN they produce.
// Bad options throw BgpConfigError with a stable code; nothing here touches
// the network.
import { type IpAddress, type IpFamily } from "@ironlb/core/ip";
import type { Capability } from "../capabilities.ts";
import { Afi, Safi } from "../codes.ts";
import { BGP_VERSION, myAsField } from "../fsm/negotiate.ts";
import type { PeerMode } from "../fsm/types.ts";
import type { OpenMessage } from "../open.ts";
import type { NextHopConfig } from "./advertisement.ts";

export type BgpConfigErrorCode = "BGP_CONFIG_INVALID";

export class BgpConfigError extends Error {
  readonly code: BgpConfigErrorCode = "BGP_CONFIG_INVALID";
  /** The option at fault. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = "BgpConfigError";
    this.option = option;
  }
}

export interface GracefulRestartOptions {
  /** Seconds the peer should keep our routes while we restart (RFC 4724 §3: 0..4095). */
  readonly restartTime: number;
  /**
   * Set the R bit: this speaker has just restarted, so the peer keeps our
   * routes (stale) until our End-of-RIB. Cleared after the first End-of-RIB.
   */
  readonly restarting?: boolean | undefined;
}

export interface SessionOptions {
  readonly localAs: number;
  readonly peerAs: number;
  /** BGP Identifier (an IPv4 address, RFC 6286). */
  readonly routerId: IpAddress;
  /** Seconds; 0 or >= 3 (RFC 4271 §4.2). Default 90. */
  readonly holdTime?: number | undefined;
  /** Seconds; default hold time / 3. */
  readonly keepaliveTime?: number | undefined;
  /** Default "both": connect out and accept. */
  readonly mode?: PeerMode | undefined;
  /** Seconds; the cap of the reconnect backoff (RFC 4271 ConnectRetryTime). Default 120. */
  readonly connectRetryTime?: number | undefined;
  /** Milliseconds before the first reconnect. Default 1000. */
  readonly reconnectInitialMs?: number | undefined;
  /** Seconds of the hold timer while waiting for the peer's OPEN. Default 240 (RFC 4271 §8.2.2). */
  readonly openSentHoldTime?: number | undefined;
  /** Unicast families to negotiate. Default both. */
  readonly families?: readonly IpFamily[] | undefined;
  readonly nextHop?: NextHopConfig | undefined;
  /** Advertise RFC 8654 extended messages. Default true. */
  readonly extendedMessage?: boolean | undefined;
  readonly gracefulRestart?: GracefulRestartOptions | undefined;
}

export interface ResolvedOptions {
  readonly localAs: number;
  readonly peerAs: number;
  readonly bgpId: number;
  readonly holdTime: number;
  readonly keepaliveTime: number | undefined;
  readonly mode: PeerMode;
  readonly connectRetryTime: number;
  readonly reconnectInitialMs: number;
  readonly openSentHoldTime: number;
  readonly families: readonly IpFamily[];
  readonly nextHop: NextHopConfig;
  readonly extendedMessage: boolean;
  readonly gracefulRestart: GracefulRestartOptions | undefined;
}

const isAs = (n: number) => Number.isInteger(n) && n >= 1 && n <= 0xffff_ffff;

export function resolveOptions(o: SessionOptions): ResolvedOptions {
  if (!isAs(o.localAs)) throw new BgpConfigError("localAs", `${o.localAs} is not an AS number (1..4294967295)`);
  if (!isAs(o.peerAs)) throw new BgpConfigError("peerAs", `${o.peerAs} is not an AS number (1..4294967295)`);
  if (o.routerId.family !== "ipv4" || o.routerId.value === 0n) throw new BgpConfigError("routerId", "must be a non-zero IPv4 address (RFC 6286)");
  const holdTime = o.holdTime ?? 90;
  // RFC 4271 §4.2: hold time must be either 0 or at least 3.
  if (!Number.isInteger(holdTime) || holdTime < 0 || holdTime > 65535 || holdTime === 1 || holdTime === 2) {
    throw new BgpConfigError("holdTime", `${holdTime} must be 0 or 3..65535 seconds`);
  }
  if (o.keepaliveTime !== undefined && (!Number.isInteger(o.keepaliveTime) || o.keepaliveTime < 1 || o.keepaliveTime > 21845)) {
    throw new BgpConfigError("keepaliveTime", `${o.keepaliveTime} must be 1..21845 seconds`);
  }
  const families = o.families ?? ["ipv4", "ipv6"];
  if (families.length === 0 || families.some((f) => f !== "ipv4" && f !== "ipv6")) throw new BgpConfigError("families", "must list ipv4 and/or ipv6");
  const nh = o.nextHop ?? {};
  if (nh.ipv4 !== undefined && nh.ipv4.family !== "ipv4") throw new BgpConfigError("nextHop.ipv4", "must be an IPv4 address");
  if (nh.ipv6 !== undefined && nh.ipv6.family !== "ipv6") throw new BgpConfigError("nextHop.ipv6", "must be an IPv6 address");
  if (nh.ipv6LinkLocal !== undefined && (nh.ipv6LinkLocal.family !== "ipv6" || nh.ipv6LinkLocal.value >> 118n !== 0x3fan)) {
    throw new BgpConfigError("nextHop.ipv6LinkLocal", "must be an IPv6 link-local address (fe80::/10)");
  }
  const gr = o.gracefulRestart;
  if (gr !== undefined && (!Number.isInteger(gr.restartTime) || gr.restartTime < 0 || gr.restartTime > 4095)) {
    throw new BgpConfigError("gracefulRestart.restartTime", `${gr.restartTime} must be 0..4095 seconds`);
  }
  const positive = (name: string, v: number) => {
    if (!Number.isFinite(v) || v <= 0) throw new BgpConfigError(name, `${v} must be positive`);
    return v;
  };
  return {
    localAs: o.localAs,
    peerAs: o.peerAs,
    bgpId: Number(o.routerId.value),
    holdTime,
    keepaliveTime: o.keepaliveTime,
    mode: o.mode ?? "both",
    connectRetryTime: positive("connectRetryTime", o.connectRetryTime ?? 120),
    reconnectInitialMs: positive("reconnectInitialMs", o.reconnectInitialMs ?? 1000),
    openSentHoldTime: positive("openSentHoldTime", o.openSentHoldTime ?? 240),
    families,
    nextHop: nh,
    extendedMessage: o.extendedMessage ?? true,
    gracefulRestart: gr,
  };
}

/** Our OPEN (RFC 4271 §4.2) with the capabilities we support. */
export function buildOpen(o: ResolvedOptions, restarting: boolean): OpenMessage {
  const caps: Capability[] = o.families.map((f) => ({ type: "multiprotocol", afi: f === "ipv4" ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast }));
  caps.push({ type: "route-refresh" });
  if (o.extendedMessage) caps.push({ type: "extended-message" });
  if (o.gracefulRestart !== undefined) {
    caps.push({
      type: "graceful-restart",
      restarting,
      notification: false,
      restartTime: o.gracefulRestart.restartTime,
      // F bit set: the traffic our routes attract is forwarded by the node's
      // data plane, which keeps working while this speaker restarts.
      families: o.families.map((f) => ({ afi: f === "ipv4" ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast, forwardingState: true })),
    });
  }
  caps.push({ type: "four-octet-as", as: o.localAs });
  return { type: "open", version: BGP_VERSION, myAs: myAsField(o.localAs), holdTime: o.holdTime, bgpId: o.bgpId, capabilities: caps, parameters: [] };
}
