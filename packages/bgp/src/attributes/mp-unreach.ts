// MP_UNREACH_NLRI (RFC 4760 §4, type 15, optional non-transitive): AFI, SAFI,
// withdrawn routes. With no routes it is the End-of-RIB marker of that
// AFI/SAFI (RFC 4724 §2). Other AFI/SAFIs are kept as raw data.
// RFC 7606 §7.12: unreadable AFI/SAFI -> session reset; bad NLRI -> AFI/SAFI disable.
import { UpdateSubcode } from "../codes.ts";
import { decodePrefixes, encodePrefixes, sizeOfPrefixes } from "../nlri.ts";
import { unicastFamily } from "./mp-reach.ts";
import { AttrCode, AttrFlag, type AttributeEntry, type MpUnreachAttribute, type PathAttribute } from "./types.ts";

type MpUnreach = MpUnreachAttribute | Extract<PathAttribute, { type: "mp-unreach-other" }>;

export const mpUnreachEntry: AttributeEntry<MpUnreach> = {
  code: AttrCode.MpUnreachNlri,
  name: "MP_UNREACH_NLRI",
  flags: AttrFlag.Optional,
  remedy: "afisafi-disable",
  decode(v, _ctx, fail) {
    if (v.remaining < 3) {
      throw fail(`length ${v.remaining} cannot hold AFI/SAFI`, { subcode: UpdateSubcode.OptionalAttributeError, remedy: "session-reset" });
    }
    const afi = v.u16("afi");
    const safi = v.u8("safi");
    const family = unicastFamily(afi, safi);
    if (family === undefined) return { type: "mp-unreach-other", afi, safi, data: v.rest() };
    const withdrawn = decodePrefixes(v, family, (what) => fail(`withdrawn: ${what}`, { subcode: UpdateSubcode.InvalidNetworkField }));
    return { type: "mp-unreach", afi, safi, withdrawn };
  },
  sizeOf(a) {
    return 3 + (a.type === "mp-unreach-other" ? a.data.length : sizeOfPrefixes(a.withdrawn));
  },
  encode(w, a) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (a.type === "mp-unreach-other") w.put(a.data);
    else encodePrefixes(w, a.withdrawn);
  },
};
