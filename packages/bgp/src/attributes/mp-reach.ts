// MP_REACH_NLRI (RFC 4760 §3, type 14, optional non-transitive): AFI, SAFI,
// next hop, a reserved octet (RFC 4760: was the SNPA count; sent as 0,
// ignored on receipt), then NLRI. For IPv6 the next hop is 16 octets (global)
// or 32 (global then link-local, RFC 2545 §3); for IPv4 it is 4 octets, or
// 16/32 when an IPv6 next hop is used (RFC 8950 §3). Other AFI/SAFIs are kept
// as raw data (`mp-reach-other`).
//
// RFC 7606 §7.11: when the AFI/SAFI cannot even be read the session is reset;
// otherwise a malformed next hop or NLRI disables that AFI/SAFI (§5.3).
import { ipFromBytes, ipToBytes, type IpFamily } from "@ironlb/core/ip";
import { Afi, Safi, UpdateSubcode } from "../codes.ts";
import { decodePrefixes, encodePrefixes, sizeOfPrefixes } from "../nlri.ts";
import { AttrCode, AttrFlag, type AttributeEntry, type MpReachAttribute, type PathAttribute } from "./types.ts";

/** The address family of a unicast AFI/SAFI pair, or undefined. */
export function unicastFamily(afi: number, safi: number): IpFamily | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? "ipv4" : afi === Afi.Ipv6 ? "ipv6" : undefined;
}

type MpReach = MpReachAttribute | Extract<PathAttribute, { type: "mp-reach-other" }>;

function nextHopLength(a: MpReachAttribute): number {
  if (a.linkLocalNextHop !== undefined) return 32;
  return a.nextHop.family === "ipv4" ? 4 : 16;
}

export const mpReachEntry: AttributeEntry<MpReach> = {
  code: AttrCode.MpReachNlri,
  name: "MP_REACH_NLRI",
  flags: AttrFlag.Optional,
  remedy: "afisafi-disable",
  decode(v, _ctx, fail) {
    const optErr = { subcode: UpdateSubcode.OptionalAttributeError };
    if (v.remaining < 3) throw fail(`length ${v.remaining} cannot hold AFI/SAFI`, { ...optErr, remedy: "session-reset" });
    const afi = v.u16("afi");
    const safi = v.u8("safi");
    const family = unicastFamily(afi, safi);
    if (family === undefined) return { type: "mp-reach-other", afi, safi, data: v.rest() };
    if (v.remaining < 1) throw fail("next hop length missing", optErr);
    const nhLen = v.u8("next hop length");
    const ok = family === "ipv6" ? nhLen === 16 || nhLen === 32 : nhLen === 4 || nhLen === 16 || nhLen === 32;
    if (!ok) throw fail(`next hop length ${nhLen} for ${family}`, optErr);
    if (v.remaining < nhLen + 1) throw fail("next hop and reserved octet overrun the attribute", optErr);
    const nextHop = ipFromBytes(v.take(nhLen === 4 ? 4 : 16, "next hop"));
    const linkLocalNextHop = nhLen === 32 ? ipFromBytes(v.take(16, "link-local next hop")) : undefined;
    v.u8("reserved");
    const nlri = decodePrefixes(v, family, (what) => fail(`NLRI: ${what}`, { subcode: UpdateSubcode.InvalidNetworkField }));
    const base = { type: "mp-reach" as const, afi, safi, nextHop, nlri };
    return linkLocalNextHop === undefined ? base : { ...base, linkLocalNextHop };
  },
  sizeOf(a) {
    if (a.type === "mp-reach-other") return 3 + a.data.length;
    return 3 + 1 + nextHopLength(a) + 1 + sizeOfPrefixes(a.nlri);
  },
  encode(w, a) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (a.type === "mp-reach-other") {
      w.put(a.data);
      return;
    }
    w.u8(nextHopLength(a));
    w.put(ipToBytes(a.nextHop));
    if (a.linkLocalNextHop !== undefined) w.put(ipToBytes(a.linkLocalNextHop));
    w.u8(0);
    encodePrefixes(w, a.nlri);
  },
};
