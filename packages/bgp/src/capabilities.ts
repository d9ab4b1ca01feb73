// Capabilities advertised in OPEN (RFC 5492): the ones this speaker
// understands decode to typed values, every other one is kept as raw data so
// it can be logged and re-encoded unchanged.
//
// Understood: Multiprotocol (RFC 4760 §8), Route Refresh (RFC 2918 §2),
// Extended Message (RFC 8654 §3), Graceful Restart (RFC 4724 §3, with the
// RFC 8538 N bit), 4-octet AS (RFC 6793 §3). Enhanced route refresh (RFC
// 7313), ADD-PATH (RFC 7911), FQDN and the rest are `unknown`.
//
// Deliberately not here: deciding what two OPENs negotiate (session/negotiate.ts).
import type { Reader, Writer } from "@ironlb/core/wire";
import { ErrorCode, OpenSubcode } from "./codes.ts";
import { BgpAssertionError, BgpWireError } from "./errors.ts";

export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedMessage: 6,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
} as const;

const capabilityNames: Record<number, string> = {
  1: "multiprotocol",
  2: "route-refresh",
  6: "extended-message",
  9: "bgp-role",
  64: "graceful-restart",
  65: "four-octet-as",
  69: "add-path",
  70: "enhanced-route-refresh",
  71: "long-lived-graceful-restart",
  73: "fqdn",
  128: "route-refresh-cisco",
};

export function capabilityName(code: number): string {
  return capabilityNames[code] ?? `capability-${code}`;
}

export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** F bit: forwarding state for this family was preserved across the restart. */
  readonly forwardingState: boolean;
}

export type Capability =
  | { readonly type: "multiprotocol"; readonly afi: number; readonly safi: number }
  | { readonly type: "route-refresh" }
  | { readonly type: "extended-message" }
  | { readonly type: "four-octet-as"; readonly as: number }
  | {
      readonly type: "graceful-restart";
      /** R bit: the sender has restarted (RFC 4724 §3). */
      readonly restarting: boolean;
      /** N bit: the sender supports graceful NOTIFICATION (RFC 8538 §2). */
      readonly notification: boolean;
      /** Seconds the sender needs to come back, 0..4095. */
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | { readonly type: "unknown"; readonly code: number; readonly data: Uint8Array };

// RFC 4724 §3: Restart Flags are the top 4 bits of a 16-bit field.
const GR_RESTARTING = 0x8000;
const GR_NOTIFICATION = 0x4000;
const GR_TIME_MASK = 0x0fff;
const GR_FORWARDING = 0x80;

function malformed(what: string): BgpWireError {
  // RFC 5492 prescribes no subcode for a malformed capability; BIRD and
  // GoBGP both answer OPEN Message Error / Unspecific.
  return new BgpWireError(`capability: ${what}`, { code: ErrorCode.OpenMessage, subcode: OpenSubcode.Unspecific });
}

function valueLength(c: Capability): number {
  switch (c.type) {
    case "multiprotocol":
      return 4;
    case "route-refresh":
    case "extended-message":
      return 0;
    case "four-octet-as":
      return 4;
    case "graceful-restart":
      return 2 + 4 * c.families.length;
    case "unknown":
      return c.data.length;
  }
}

/** Bytes of one capability TLV (code, length, value). */
export function sizeOfCapability(c: Capability): number {
  return 2 + valueLength(c);
}

/** The capability code of `c` (RFC 5492 registry). */
export function capabilityCode(c: Capability): number {
  switch (c.type) {
    case "multiprotocol":
      return CapabilityCode.Multiprotocol;
    case "route-refresh":
      return CapabilityCode.RouteRefresh;
    case "extended-message":
      return CapabilityCode.ExtendedMessage;
    case "four-octet-as":
      return CapabilityCode.FourOctetAs;
    case "graceful-restart":
      return CapabilityCode.GracefulRestart;
    case "unknown":
      return c.code;
  }
}

export function encodeCapability(w: Writer, c: Capability): void {
  const len = valueLength(c);
  if (len > 255) throw new BgpAssertionError(`capability ${capabilityName(capabilityCode(c))} value of ${len} bytes does not fit`);
  w.u8(capabilityCode(c));
  w.u8(len);
  switch (c.type) {
    case "multiprotocol":
      w.u16(c.afi);
      w.u8(0); // reserved
      w.u8(c.safi);
      return;
    case "route-refresh":
    case "extended-message":
      return;
    case "four-octet-as":
      w.u32(c.as);
      return;
    case "graceful-restart":
      w.u16((c.restarting ? GR_RESTARTING : 0) | (c.notification ? GR_NOTIFICATION : 0) | (c.restartTime & GR_TIME_MASK));
      for (const f of c.families) {
        w.u16(f.afi);
        w.u8(f.safi);
        w.u8(f.forwardingState ? GR_FORWARDING : 0);
      }
      return;
    case "unknown":
      w.put(c.data);
      return;
  }
}

/** Decodes one capability TLV from `r` (which must hold at least its header). */
export function decodeCapability(r: Reader): Capability {
  const code = r.u8("capability code");
  const len = r.u8("capability length");
  const v = r.sub(len, "capability value");
  switch (code) {
    case CapabilityCode.Multiprotocol: {
      if (len !== 4) throw malformed(`multiprotocol length ${len}, want 4`);
      const afi = v.u16("afi");
      v.u8("reserved");
      return { type: "multiprotocol", afi, safi: v.u8("safi") };
    }
    case CapabilityCode.RouteRefresh:
      if (len !== 0) throw malformed(`route-refresh length ${len}, want 0`);
      return { type: "route-refresh" };
    case CapabilityCode.ExtendedMessage:
      if (len !== 0) throw malformed(`extended-message length ${len}, want 0`);
      return { type: "extended-message" };
    case CapabilityCode.FourOctetAs:
      if (len !== 4) throw malformed(`four-octet-as length ${len}, want 4`);
      return { type: "four-octet-as", as: v.u32("as") };
    case CapabilityCode.GracefulRestart: {
      if (len < 2 || (len - 2) % 4 !== 0) throw malformed(`graceful-restart length ${len}, want 2 + 4n`);
      const flags = v.u16("restart flags and time");
      const families: GracefulRestartFamily[] = [];
      while (v.remaining > 0) {
        const afi = v.u16("afi");
        const safi = v.u8("safi");
        families.push({ afi, safi, forwardingState: (v.u8("family flags") & GR_FORWARDING) !== 0 });
      }
      return {
        type: "graceful-restart",
        restarting: (flags & GR_RESTARTING) !== 0,
        notification: (flags & GR_NOTIFICATION) !== 0,
        restartTime: flags & GR_TIME_MASK,
        families,
      };
    }
    default:
      return { type: "unknown", code, data: v.rest() };
  }
}
