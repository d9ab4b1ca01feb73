// MULTI_EXIT_DISC (RFC 4271 §4.3 type 4, §5.1.4): optional non-transitive,
// 4 octets. RFC 7606 §7.4: wrong length -> treat-as-withdraw.
import { AttrCode, AttrFlag, type AttributeEntry } from "./types.ts";

export const medEntry: AttributeEntry<{ readonly type: "med"; readonly value: number }> = {
  code: AttrCode.MultiExitDisc,
  name: "MULTI_EXIT_DISC",
  flags: AttrFlag.Optional,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining !== 4) throw fail(`length ${v.remaining}, want 4`);
    return { type: "med", value: v.u32("med") };
  },
  sizeOf: () => 4,
  encode(w, a) {
    w.u32(a.value);
  },
};
