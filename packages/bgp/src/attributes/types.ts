// The path attribute union (RFC 4271 §4.3 and §5, plus the RFCs named per
// member), attribute type codes and flag bits. Each member is decoded and
// encoded by the registry row of the same code (registry.ts).
import type { IpAddress, Prefix } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import type { BgpWireError, Remedy } from "../errors.ts";
import type { CodecContext } from "../context.ts";

export const AttrCode = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8, // RFC 1997
  MpReachNlri: 14, // RFC 4760
  MpUnreachNlri: 15, // RFC 4760
  As4Path: 17, // RFC 6793
  As4Aggregator: 18, // RFC 6793
  LargeCommunities: 32, // RFC 8092
} as const;

/** RFC 4271 §4.3: the high-order bits of the Attribute Flags octet. */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type OriginValue = (typeof Origin)[keyof typeof Origin];

export type AsPathSegmentType = "set" | "sequence" | "confed-sequence" | "confed-set";

export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  readonly asns: readonly number[];
}

export interface LargeCommunity {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}

export type PathAttribute =
  | { readonly type: "origin"; readonly origin: OriginValue }
  | { readonly type: "as-path"; readonly segments: readonly AsPathSegment[] }
  | { readonly type: "next-hop"; readonly address: IpAddress }
  | { readonly type: "med"; readonly value: number }
  | { readonly type: "local-pref"; readonly value: number }
  | { readonly type: "atomic-aggregate" }
  | { readonly type: "aggregator"; readonly as: number; readonly address: IpAddress }
  | { readonly type: "communities"; readonly communities: readonly number[] }
  | { readonly type: "large-communities"; readonly communities: readonly LargeCommunity[] }
  | MpReachAttribute
  | { readonly type: "mp-reach-other"; readonly afi: number; readonly safi: number; readonly data: Uint8Array }
  | MpUnreachAttribute
  | { readonly type: "mp-unreach-other"; readonly afi: number; readonly safi: number; readonly data: Uint8Array }
  | { readonly type: "as4-path"; readonly segments: readonly AsPathSegment[] }
  | { readonly type: "as4-aggregator"; readonly as: number; readonly address: IpAddress }
  | UnknownAttribute;

/** MP_REACH_NLRI for IPv4 or IPv6 unicast (RFC 4760 §3, RFC 2545 §3 for the link-local next hop). */
export interface MpReachAttribute {
  readonly type: "mp-reach";
  readonly afi: number;
  readonly safi: number;
  readonly nextHop: IpAddress;
  readonly linkLocalNextHop?: IpAddress | undefined;
  readonly nlri: readonly Prefix[];
}

/** MP_UNREACH_NLRI for IPv4 or IPv6 unicast (RFC 4760 §4); no prefixes = End-of-RIB (RFC 4724 §2). */
export interface MpUnreachAttribute {
  readonly type: "mp-unreach";
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Prefix[];
}

/** An attribute this speaker does not implement, kept byte for byte. */
export interface UnknownAttribute {
  readonly type: "unknown";
  readonly code: number;
  /** Optional, Transitive and Partial bits as received (RFC 4271 §4.3). */
  readonly flags: number;
  readonly data: Uint8Array;
}

export type AttributeOf<T extends PathAttribute["type"]> = Extract<PathAttribute, { type: T }>;

/** Builds the error for a malformed attribute; defaults come from its registry row. */
export type AttributeFail = (what: string, options?: { readonly subcode?: number; readonly remedy?: Remedy }) => BgpWireError;

/**
 * One registry row. Contract (after BIRD's bgp_attr_table): `decode` sees
 * exactly the attribute's value (a reader limited to its length) and either
 * returns the attribute or throws through `fail`; flags, duplicates and
 * framing were already checked by the generic decoder. `encode` writes the
 * value only and may assume `sizeOf` was called with the same context.
 */
export interface AttributeEntry<A extends PathAttribute = PathAttribute> {
  readonly code: number;
  /** As the RFC spells it, for errors and logs. */
  readonly name: string;
  /** Optional and Transitive bits the RFC prescribes. */
  readonly flags: number;
  /** RFC 7606 §7 handling when this attribute is malformed. */
  readonly remedy: Remedy;
  decode(v: Reader, ctx: CodecContext, fail: AttributeFail): A;
  sizeOf(a: A, ctx: CodecContext): number;
  encode(w: Writer, a: A, ctx: CodecContext): void;
}
