// ORIGIN (RFC 4271 §4.3 type 1, §5.1.1): well-known mandatory, one octet.
// RFC 7606 §7.1: wrong length or an undefined value -> treat-as-withdraw.
import { UpdateSubcode } from "../codes.ts";
import { AttrCode, AttrFlag, type AttributeEntry, type OriginValue } from "./types.ts";

export const originEntry: AttributeEntry<{ readonly type: "origin"; readonly origin: OriginValue }> = {
  code: AttrCode.Origin,
  name: "ORIGIN",
  flags: AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining !== 1) throw fail(`length ${v.remaining}, want 1`);
    const origin = v.u8("origin");
    // RFC 4271 §6.3: an undefined ORIGIN value is Invalid ORIGIN Attribute.
    if (origin > 2) throw fail(`undefined value ${origin}`, { subcode: UpdateSubcode.InvalidOriginAttribute });
    return { type: "origin", origin: origin as OriginValue };
  },
  sizeOf: () => 1,
  encode(w, a) {
    w.u8(a.origin);
  },
};
