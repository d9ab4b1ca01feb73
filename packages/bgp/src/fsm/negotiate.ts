// Judging a received OPEN against our configuration and our own OPEN, and
// what the two OPENs negotiate (RFC 4271 §6.2 and §4.2, RFC 5492, RFC 6793,
// RFC 4760, RFC 8654, RFC 4724). Pure: returns the result or the error that
// becomes the NOTIFICATION.
//
// Checks, in RFC 4271 §6.2 order: version (2/1, data = the version we
// speak), peer AS (2/2; the real AS comes from the 4-octet capability when
// present), hold time 1 or 2 (2/6), BGP Identifier zero or, for an internal
// peer, equal to ours (2/3, RFC 6286 §2.2), optional parameters other than
// capabilities (2/4), no address family in common (2/7, RFC 5492 §5, data =
// our multiprotocol capabilities).
import type { IpFamily } from "@ironlb/core/ip";
import { Writer } from "@ironlb/core/wire";
import { type Capability, encodeCapability, sizeOfCapability } from "../capabilities.ts";
import { Afi, AS_TRANS, ErrorCode, OpenSubcode, Safi } from "../codes.ts";
import { BgpWireError } from "../errors.ts";
import type { OpenMessage } from "../open.ts";
import { bgpWriteErrors } from "../wire.ts";

export const BGP_VERSION = 4;

export interface PeerGracefulRestart {
  readonly restarting: boolean;
  readonly restartTime: number;
  readonly families: readonly { readonly family: IpFamily; readonly forwardingState: boolean }[];
}

export interface Negotiated {
  /** Seconds; 0 means no keepalives and no hold timer. */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs; 0 when holdTime is 0. */
  readonly keepaliveTime: number;
  /** The peer's real AS (from the 4-octet capability when present). */
  readonly peerAs: number;
  readonly peerBgpId: number;
  readonly external: boolean;
  readonly fourOctetAs: boolean;
  /** Both sides advertised RFC 8654: we may send messages up to 65535 bytes. */
  readonly extendedMessage: boolean;
  /** The peer accepts ROUTE-REFRESH (RFC 2918). */
  readonly routeRefresh: boolean;
  /** Unicast families both sides support, IPv4 first. */
  readonly families: readonly IpFamily[];
  readonly peerGracefulRestart: PeerGracefulRestart | undefined;
  readonly peerCapabilities: readonly Capability[];
}

export interface LocalSide {
  readonly localAs: number;
  readonly peerAs: number;
  readonly bgpId: number;
  readonly holdTime: number;
  /** Seconds; overrides holdTime / 3 when set (capped to the negotiated hold time / 3). */
  readonly keepaliveTime?: number | undefined;
  readonly open: OpenMessage;
}

const openError = (subcode: number, message: string, data?: Uint8Array) =>
  new BgpWireError(`OPEN: ${message}`, { code: ErrorCode.OpenMessage, subcode, data });

function familyOf(afi: number, safi: number): IpFamily | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? "ipv4" : afi === Afi.Ipv6 ? "ipv6" : undefined;
}

/** Unicast families announced by multiprotocol capabilities; IPv4 alone when there are none (RFC 4760 §8 compatibility). */
export function advertisedFamilies(capabilities: readonly Capability[]): IpFamily[] {
  const mp = capabilities.filter((c): c is Extract<Capability, { type: "multiprotocol" }> => c.type === "multiprotocol");
  if (mp.length === 0) return ["ipv4"];
  const out = new Set<IpFamily>();
  for (const c of mp) {
    const f = familyOf(c.afi, c.safi);
    if (f !== undefined) out.add(f);
  }
  return (["ipv4", "ipv6"] as const).filter((f) => out.has(f));
}

function encodeCaps(caps: readonly Capability[]): Uint8Array {
  const w = Writer.alloc(caps.reduce((n, c) => n + sizeOfCapability(c), 0), bgpWriteErrors);
  for (const c of caps) encodeCapability(w, c);
  return w.bytes;
}

export function negotiate(local: LocalSide, open: OpenMessage): Negotiated | BgpWireError {
  // RFC 4271 §6.2: data is the largest version we support, as 2 octets.
  if (open.version !== BGP_VERSION) return openError(OpenSubcode.UnsupportedVersionNumber, `version ${open.version}`, Uint8Array.of(0, BGP_VERSION));
  const four = open.capabilities.find((c): c is Extract<Capability, { type: "four-octet-as" }> => c.type === "four-octet-as");
  // RFC 6793 §4.1: the capability carries the real AS; the 2-octet field may be AS_TRANS.
  const peerAs = four !== undefined ? four.as : open.myAs;
  if (peerAs !== local.peerAs) return openError(OpenSubcode.BadPeerAs, `peer AS ${peerAs}, configured ${local.peerAs}`);
  // RFC 4271 §4.2: hold time must be either 0 or at least 3.
  if (open.holdTime === 1 || open.holdTime === 2) return openError(OpenSubcode.UnacceptableHoldTime, `hold time ${open.holdTime}`);
  const external = local.localAs !== local.peerAs;
  // RFC 6286 §2.2: non-zero, and unique within the AS.
  if (open.bgpId === 0 || (!external && open.bgpId === local.bgpId)) {
    return openError(OpenSubcode.BadBgpIdentifier, `BGP identifier ${open.bgpId}`, Uint8Array.of(open.bgpId >>> 24, (open.bgpId >>> 16) & 0xff, (open.bgpId >>> 8) & 0xff, open.bgpId & 0xff));
  }
  const unsupported = open.parameters[0];
  if (unsupported !== undefined) return openError(OpenSubcode.UnsupportedOptionalParameter, `optional parameter type ${unsupported.type}`);
  const ours = advertisedFamilies(local.open.capabilities);
  const theirs = advertisedFamilies(open.capabilities);
  const families = ours.filter((f) => theirs.includes(f));
  if (families.length === 0) {
    const mp = local.open.capabilities.filter((c) => c.type === "multiprotocol");
    return openError(OpenSubcode.UnsupportedCapability, `no address family in common (ours ${ours.join(",")}, theirs ${theirs.join(",")})`, encodeCaps(mp));
  }
  const hold = local.holdTime === 0 || open.holdTime === 0 ? 0 : Math.min(local.holdTime, open.holdTime);
  const keepaliveTime = hold === 0 ? 0 : Math.max(1, Math.min(local.keepaliveTime ?? Math.floor(hold / 3), Math.floor(hold / 3)));
  const has = (caps: readonly Capability[], type: Capability["type"]) => caps.some((c) => c.type === type);
  const gr = open.capabilities.find((c): c is Extract<Capability, { type: "graceful-restart" }> => c.type === "graceful-restart");
  const peerGracefulRestart: PeerGracefulRestart | undefined =
    gr === undefined
      ? undefined
      : {
          restarting: gr.restarting,
          restartTime: gr.restartTime,
          families: gr.families.flatMap((f) => {
            const family = familyOf(f.afi, f.safi);
            return family === undefined ? [] : [{ family, forwardingState: f.forwardingState }];
          }),
        };
  return {
    holdTime: hold,
    keepaliveTime,
    peerAs,
    peerBgpId: open.bgpId,
    external,
    fourOctetAs: four !== undefined && has(local.open.capabilities, "four-octet-as"),
    extendedMessage: has(open.capabilities, "extended-message") && has(local.open.capabilities, "extended-message"),
    routeRefresh: has(open.capabilities, "route-refresh"),
    families,
    peerGracefulRestart,
    peerCapabilities: open.capabilities,
  };
}

/** The 2-octet My AS field for `as` (RFC 6793 §4.2.1). */
export function myAsField(as: number): number {
  return as > 0xffff ? AS_TRANS : as;
}
