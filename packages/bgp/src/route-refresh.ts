// ROUTE-REFRESH (RFC 2918 §3): AFI, a reserved octet (RFC 7313 §3 turned it
// into a message subtype: 0 request, 1 BoRR, 2 EoRR), SAFI. Always 23 bytes
// with the header (checked in message.ts).
import type { Reader, Writer } from "@ironlb/core/wire";

export interface RouteRefreshMessage {
  readonly type: "route-refresh";
  readonly afi: number;
  /** 0 for a plain RFC 2918 request. */
  readonly subtype: number;
  readonly safi: number;
}

export const ROUTE_REFRESH_BODY = 4;

export function encodeRouteRefresh(w: Writer, m: RouteRefreshMessage): void {
  w.u16(m.afi);
  w.u8(m.subtype);
  w.u8(m.safi);
}

export function decodeRouteRefresh(r: Reader): RouteRefreshMessage {
  const afi = r.u16("afi");
  const subtype = r.u8("subtype");
  return { type: "route-refresh", afi, subtype, safi: r.u8("safi") };
}
