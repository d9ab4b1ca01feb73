// NEXT_HOP (RFC 4271 §4.3 type 3, §5.1.3): well-known, an IPv4 address for the
// prefixes of the IPv4 NLRI field. (IPv6 next hops travel in MP_REACH_NLRI.)
// RFC 7606 §7.3: wrong length -> treat-as-withdraw; a next hop that is not a
// unicast host address (0.0.0.0, 255.255.255.255, class D/E) is an Invalid
// NEXT_HOP (RFC 4271 §6.3), also treat-as-withdraw.
import { ipFromBytes, ipToBytes, type IpAddress } from "@ironlb/core/ip";
import { UpdateSubcode } from "../codes.ts";
import { AttrCode, AttrFlag, type AttributeEntry } from "./types.ts";

/** True for IPv4 addresses that can never be a next hop. */
export function isBadIpv4NextHop(a: IpAddress): boolean {
  const v = Number(a.value);
  return v === 0 || v >= 0xe000_0000; // 0.0.0.0, multicast 224/4, reserved 240/4 and broadcast
}

export const nextHopEntry: AttributeEntry<{ readonly type: "next-hop"; readonly address: IpAddress }> = {
  code: AttrCode.NextHop,
  name: "NEXT_HOP",
  flags: AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, _ctx, fail) {
    if (v.remaining !== 4) throw fail(`length ${v.remaining}, want 4`);
    const address = ipFromBytes(v.take(4, "address"));
    if (isBadIpv4NextHop(address)) throw fail("not a unicast host address", { subcode: UpdateSubcode.InvalidNextHopAttribute });
    return { type: "next-hop", address };
  },
  sizeOf: () => 4,
  encode(w, a) {
    w.put(ipToBytes(a.address));
  },
};
