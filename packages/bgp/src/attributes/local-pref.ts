// LOCAL_PREF (RFC 4271 §4.3 type 5, §5.1.5): well-known, 4 octets, only
// between internal peers. RFC 7606 §7.5: wrong length -> treat-as-withdraw;
// received from an external peer -> attribute-discard (that rule needs the
// peer type and lives on the session side).
import { AttrCode, AttrFlag, type AttributeEntry } from "./types.ts";

export const localPrefEntry: AttributeEntry<{ readonly type: "local-pref"; readonly value: number }> = {
  code: AttrCode.LocalPref,
  name: "LOCAL_PREF",
  flags: AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining !== 4) throw fail(`length ${v.remaining}, want 4`);
    return { type: "local-pref", value: v.u32("local pref") };
  },
  sizeOf: () => 4,
  encode(w, a) {
    w.u32(a.value);
  },
};
