// The aggregation attributes: ATOMIC_AGGREGATE (RFC 4271 type 6, empty),
// AGGREGATOR (type 7: AS of 2 or 4 octets by session, then an IPv4 address)
// and AS4_AGGREGATOR (RFC 6793 type 18: 4-octet AS, IPv4 address).
// RFC 7606 §7.6 and §7.7, RFC 6793 §6: a malformed one is discarded
// (attribute-discard); RFC 7607 §2: AS 0 in either aggregator is malformed.
import { ipFromBytes, ipToBytes, type IpAddress } from "@ironlb/core/ip";
import { AS_TRANS, UpdateSubcode } from "../codes.ts";
import { AttrCode, AttrFlag, type AttributeEntry } from "./types.ts";

export const atomicAggregateEntry: AttributeEntry<{ readonly type: "atomic-aggregate" }> = {
  code: AttrCode.AtomicAggregate,
  name: "ATOMIC_AGGREGATE",
  flags: AttrFlag.Transitive,
  remedy: "attribute-discard",
  decode(v, _ctx, fail) {
    if (v.remaining !== 0) throw fail(`length ${v.remaining}, want 0`);
    return { type: "atomic-aggregate" };
  },
  sizeOf: () => 0,
  encode() {},
};

export const aggregatorEntry: AttributeEntry<{ readonly type: "aggregator"; readonly as: number; readonly address: IpAddress }> = {
  code: AttrCode.Aggregator,
  name: "AGGREGATOR",
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  remedy: "attribute-discard",
  decode(v, ctx, fail) {
    const want = ctx.fourOctetAs ? 8 : 6;
    if (v.remaining !== want) throw fail(`length ${v.remaining}, want ${want}`);
    const as = ctx.fourOctetAs ? v.u32("as") : v.u16("as");
    if (as === 0) throw fail("AS 0", { subcode: UpdateSubcode.OptionalAttributeError });
    return { type: "aggregator", as, address: ipFromBytes(v.take(4, "address")) };
  },
  sizeOf: (_a, ctx) => (ctx.fourOctetAs ? 8 : 6),
  encode(w, a, ctx) {
    if (ctx.fourOctetAs) w.u32(a.as);
    else w.u16(a.as > 0xffff ? AS_TRANS : a.as); // RFC 6793 §4.2.2
    w.put(ipToBytes(a.address));
  },
};

export const as4AggregatorEntry: AttributeEntry<{ readonly type: "as4-aggregator"; readonly as: number; readonly address: IpAddress }> = {
  code: AttrCode.As4Aggregator,
  name: "AS4_AGGREGATOR",
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  remedy: "attribute-discard",
  decode(v, _ctx, fail) {
    if (v.remaining !== 8) throw fail(`length ${v.remaining}, want 8`);
    const as = v.u32("as");
    if (as === 0) throw fail("AS 0", { subcode: UpdateSubcode.OptionalAttributeError });
    return { type: "as4-aggregator", as, address: ipFromBytes(v.take(4, "address")) };
  },
  sizeOf: () => 8,
  encode(w, a) {
    w.u32(a.as);
    w.put(ipToBytes(a.address));
  },
};
