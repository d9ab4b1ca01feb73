// fast-check arbitraries for every wire value, shared by law and fuzz tests.
// Values are generated within what the wire can express in the given
// context (2-octet ASes for a 2-octet session, next hops that are unicast).
import fc from "fast-check";
import { type IpAddress, type Prefix, ip, prefix } from "@ironlb/core/ip";
import type { Capability } from "./capabilities.ts";
import type { AsPathSegment, LargeCommunity, PathAttribute } from "./attributes/types.ts";
import type { CodecContext } from "./context.ts";
import type { Message } from "./message.ts";
import type { OpenMessage } from "./open.ts";

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => new Uint8Array(b));

export const ipv4 = u32.map((v) => ip("ipv4", BigInt(v)));
export const ipv6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => ip("ipv6", v));
export const unicastIpv4 = fc.integer({ min: 0x0100_0000, max: 0xdfff_ffff }).map((v) => ip("ipv4", BigInt(v)));

export const ipv4Prefix: fc.Arbitrary<Prefix> = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([v, l]) => prefix("ipv4", BigInt(v), l));
export const ipv6Prefix: fc.Arbitrary<Prefix> = fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, l]) => prefix("ipv6", a.value, l));

export function asn(ctx: CodecContext): fc.Arbitrary<number> {
  return ctx.fourOctetAs ? fc.integer({ min: 1, max: 0xffff_ffff }) : fc.integer({ min: 1, max: 0xffff });
}

export function segment(ctx: CodecContext, types: readonly AsPathSegment["type"][] = ["set", "sequence", "confed-sequence", "confed-set"]): fc.Arbitrary<AsPathSegment> {
  return fc.record({ type: fc.constantFrom(...types), asns: fc.array(asn(ctx), { minLength: 1, maxLength: 8 }) });
}

export const largeCommunity: fc.Arbitrary<LargeCommunity> = fc.record({ global: u32, local1: u32, local2: u32 });

export function attribute(ctx: CodecContext): fc.Arbitrary<PathAttribute> {
  const four = { ...ctx, fourOctetAs: true };
  return fc.oneof(
    fc.constantFrom(0, 1, 2).map((origin) => ({ type: "origin", origin }) as PathAttribute),
    fc.array(segment(ctx), { maxLength: 4 }).map((segments) => ({ type: "as-path", segments }) as PathAttribute),
    unicastIpv4.map((address) => ({ type: "next-hop", address }) as PathAttribute),
    u32.map((value) => ({ type: "med", value }) as PathAttribute),
    u32.map((value) => ({ type: "local-pref", value }) as PathAttribute),
    fc.constant({ type: "atomic-aggregate" } as PathAttribute),
    fc.tuple(asn(ctx), ipv4).map(([as, address]) => ({ type: "aggregator", as, address }) as PathAttribute),
    fc.array(u32, { minLength: 1, maxLength: 10 }).map((communities) => ({ type: "communities", communities }) as PathAttribute),
    fc.array(largeCommunity, { minLength: 1, maxLength: 5 }).map((communities) => ({ type: "large-communities", communities }) as PathAttribute),
    fc.tuple(ipv6, fc.option(ipv6, { nil: undefined }), fc.array(ipv6Prefix, { maxLength: 10 })).map(([nextHop, ll, nlri]) => {
      const base = { type: "mp-reach" as const, afi: 2, safi: 1, nextHop, nlri };
      return (ll === undefined ? base : { ...base, linkLocalNextHop: ll }) as PathAttribute;
    }),
    fc.tuple(ipv4, fc.array(ipv4Prefix, { maxLength: 10 })).map(([nextHop, nlri]) => ({ type: "mp-reach", afi: 1, safi: 1, nextHop, nlri }) as PathAttribute),
    fc.tuple(fc.constantFrom(1, 2), fc.array(fc.oneof(ipv4Prefix), { maxLength: 10 }), fc.array(ipv6Prefix, { maxLength: 10 })).map(
      ([afi, v4, v6]) => ({ type: "mp-unreach", afi, safi: 1, withdrawn: afi === 1 ? v4 : v6 }) as PathAttribute,
    ),
    fc.tuple(fc.constantFrom(1, 2, 25), fc.constantFrom(4, 70, 128, 133), bytes(20)).map(([afi, safi, data]) => ({ type: "mp-reach-other", afi, safi, data }) as PathAttribute),
    fc.tuple(fc.constantFrom(1, 2, 25), fc.constantFrom(4, 70, 128, 133), bytes(20)).map(([afi, safi, data]) => ({ type: "mp-unreach-other", afi, safi, data }) as PathAttribute),
    fc.array(segment(four, ["set", "sequence"]), { maxLength: 4 }).map((segments) => ({ type: "as4-path", segments }) as PathAttribute),
    fc.tuple(fc.integer({ min: 1, max: 0xffff_ffff }), ipv4).map(([as, address]) => ({ type: "as4-aggregator", as, address }) as PathAttribute),
    fc.tuple(fc.constantFrom(16, 20, 33, 40, 99, 255), fc.constantFrom(0x80, 0xc0, 0xe0), bytes(300)).map(([code, flags, data]) => ({ type: "unknown", code, flags, data }) as PathAttribute),
  );
}

/** Attribute lists with at most one attribute of each code, as a valid UPDATE has. */
export function attributeList(ctx: CodecContext): fc.Arbitrary<PathAttribute[]> {
  return fc.uniqueArray(attribute(ctx), {
    maxLength: 8,
    selector: (a) => (a.type === "unknown" ? a.code : a.type.replace("-other", "")),
  });
}

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ type: fc.constant("multiprotocol" as const), afi: u16, safi: u8 }),
  fc.constant({ type: "route-refresh" as const }),
  fc.constant({ type: "extended-message" as const }),
  fc.record({ type: fc.constant("four-octet-as" as const), as: u32 }),
  fc.record({
    type: fc.constant("graceful-restart" as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, forwardingState: fc.boolean() }), { maxLength: 4 }),
  }),
  fc.record({ type: fc.constant("unknown" as const), code: fc.constantFrom(9, 69, 70, 71, 73, 128), data: bytes(40) }),
);

export const open: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant("open" as const),
  version: u8,
  myAs: u16,
  holdTime: u16,
  bgpId: u32,
  capabilities: fc.array(capability, { maxLength: 30 }),
  parameters: fc.array(fc.record({ type: fc.constantFrom(1, 3, 7), data: bytes(10) }), { maxLength: 2 }),
});

export function message(ctx: CodecContext): fc.Arbitrary<Message> {
  return fc.oneof(
    open,
    fc.record({
      type: fc.constant("update" as const),
      withdrawn: fc.array(ipv4Prefix, { maxLength: 20 }),
      attributes: attributeList(ctx),
      nlri: fc.array(ipv4Prefix, { maxLength: 20 }),
    }),
    fc.record({ type: fc.constant("notification" as const), code: u8, subcode: u8, data: bytes(40) }),
    fc.constant({ type: "keepalive" as const }),
    fc.record({ type: fc.constant("route-refresh" as const), afi: u16, subtype: u8, safi: u8 }),
    fc.record({ type: fc.constant("unknown" as const), messageType: fc.integer({ min: 6, max: 255 }), body: bytes(40) }),
  );
}

export type { IpAddress };
