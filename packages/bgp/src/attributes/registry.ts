// The path attribute table (after BIRD's bgp_attr_table): type code ->
// {name, flags, RFC 7606 remedy, decode, sizeOf, encode}, and the generic
// attribute-block decoder and encoder built on it.
//
// The generic decoder does the cross-cutting RFC 7606 work once, before any
// per-attribute decoder runs:
//   - framing: an attribute header or value that overruns the block (§4);
//   - duplicates: MP_REACH/MP_UNREACH twice -> session reset, any other
//     attribute twice -> all but the first discarded (§3 g);
//   - flags: Optional/Transitive bits that contradict the table, or a Partial
//     bit on a well-known or non-transitive attribute (RFC 4271 §4.3, §6.3)
//     -> the attribute's remedy (§3 c);
//   - unknown codes: optional ones are kept as data (RFC 4271 §5), unknown
//     well-known ones are errors (3/2), handled by treat-as-withdraw as BIRD
//     does (the RFC 4271 session reset is out of proportion, RFC 7606 §2).
// Then each row's decoder sees exactly its value. Decoding continues past
// recoverable problems and reports them all; a session-reset problem throws.
import { Reader, type Writer } from "@ironlb/core/wire";
import { ErrorCode, UpdateSubcode } from "../codes.ts";
import type { CodecContext } from "../context.ts";
import { BgpWireError, type Remedy, strongerRemedy } from "../errors.ts";
import { bgpReadErrors } from "../wire.ts";
import { aggregatorEntry, as4AggregatorEntry, atomicAggregateEntry } from "./aggregator.ts";
import { as4PathEntry, asPathEntry } from "./as-path.ts";
import { communitiesEntry } from "./communities.ts";
import { largeCommunitiesEntry } from "./large-communities.ts";
import { localPrefEntry } from "./local-pref.ts";
import { medEntry } from "./med.ts";
import { mpReachEntry } from "./mp-reach.ts";
import { mpUnreachEntry } from "./mp-unreach.ts";
import { nextHopEntry } from "./next-hop.ts";
import { originEntry } from "./origin.ts";
import { AttrCode, AttrFlag, type AttributeEntry, type AttributeFail, type PathAttribute } from "./types.ts";

const entries: readonly AttributeEntry<never>[] = [
  originEntry,
  asPathEntry,
  nextHopEntry,
  medEntry,
  localPrefEntry,
  atomicAggregateEntry,
  aggregatorEntry,
  communitiesEntry,
  mpReachEntry,
  mpUnreachEntry,
  as4PathEntry,
  as4AggregatorEntry,
  largeCommunitiesEntry,
] as unknown as readonly AttributeEntry<never>[];

const byCode: (AttributeEntry | undefined)[] = new Array<AttributeEntry | undefined>(256);
for (const e of entries) byCode[e.code] = e as unknown as AttributeEntry;

const codeByType: Record<Exclude<PathAttribute["type"], "unknown">, number> = {
  origin: AttrCode.Origin,
  "as-path": AttrCode.AsPath,
  "next-hop": AttrCode.NextHop,
  med: AttrCode.MultiExitDisc,
  "local-pref": AttrCode.LocalPref,
  "atomic-aggregate": AttrCode.AtomicAggregate,
  aggregator: AttrCode.Aggregator,
  communities: AttrCode.Communities,
  "large-communities": AttrCode.LargeCommunities,
  "mp-reach": AttrCode.MpReachNlri,
  "mp-reach-other": AttrCode.MpReachNlri,
  "mp-unreach": AttrCode.MpUnreachNlri,
  "mp-unreach-other": AttrCode.MpUnreachNlri,
  "as4-path": AttrCode.As4Path,
  "as4-aggregator": AttrCode.As4Aggregator,
};

export function attributeCode(a: PathAttribute): number {
  return a.type === "unknown" ? a.code : codeByType[a.type];
}

export function attributeName(code: number): string {
  return byCode[code]?.name ?? `ATTRIBUTE-${code}`;
}

/** The registry row for a code (undefined for attributes this speaker does not implement). */
export function attributeEntry(code: number): AttributeEntry | undefined {
  return byCode[code];
}

function valueSize(a: PathAttribute, ctx: CodecContext): number {
  if (a.type === "unknown") return a.data.length;
  return (byCode[codeByType[a.type]] as AttributeEntry).sizeOf(a, ctx);
}

/** Bytes of one attribute: flags, type, 1- or 2-byte length, value. */
export function sizeOfAttribute(a: PathAttribute, ctx: CodecContext): number {
  const n = valueSize(a, ctx);
  return (n > 255 ? 4 : 3) + n;
}

export function encodeAttribute(w: Writer, a: PathAttribute, ctx: CodecContext): void {
  const n = valueSize(a, ctx);
  const code = attributeCode(a);
  // Known attributes always carry the flags their RFC prescribes; unknown ones
  // keep what was received. Extended Length is set exactly when needed.
  const base = a.type === "unknown" ? a.flags & (AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial) : (byCode[code] as AttributeEntry).flags;
  const ext = n > 255;
  w.u8(base | (ext ? AttrFlag.ExtendedLength : 0));
  w.u8(code);
  if (ext) w.u16(n);
  else w.u8(n);
  if (a.type === "unknown") w.put(a.data);
  else (byCode[code] as AttributeEntry).encode(w, a, ctx);
}

export function sizeOfAttributes(list: readonly PathAttribute[], ctx: CodecContext): number {
  let n = 0;
  for (const a of list) n += sizeOfAttribute(a, ctx);
  return n;
}

export function encodeAttributes(w: Writer, list: readonly PathAttribute[], ctx: CodecContext): void {
  for (const a of list) encodeAttribute(w, a, ctx);
}

/**
 * For re-advertising an attribute we do not implement: RFC 4271 §5 says an
 * unrecognized optional transitive attribute is passed on with the Partial
 * bit set, and an unrecognized optional non-transitive one is dropped.
 */
export function passThrough(a: PathAttribute): PathAttribute | undefined {
  if (a.type !== "unknown") return a;
  if ((a.flags & AttrFlag.Transitive) === 0) return undefined;
  return { ...a, flags: a.flags | AttrFlag.Partial };
}

export interface AttributeBlock {
  /** Attributes that decoded cleanly, in wire order (discarded ones left out). */
  readonly attributes: PathAttribute[];
  /** Every recoverable problem met, in order. */
  readonly errors: BgpWireError[];
  /** The strongest remedy among `errors`. */
  readonly remedy: Remedy | undefined;
  /**
   * Set when the block's framing broke (RFC 7606 §4): attributes after the
   * break were not seen. The UPDATE decoder decides between treat-as-withdraw
   * and session reset, since that depends on the NLRI it can still find.
   */
  readonly framingError: BgpWireError | undefined;
}

const updateError = (subcode: number, message: string, data: Uint8Array | undefined, remedy: Remedy, attribute?: number) =>
  new BgpWireError(message, { code: ErrorCode.UpdateMessage, subcode, data, remedy, attribute });

/** Decodes a whole path attribute block (reader limited to Total Path Attribute Length). */
export function decodeAttributes(r: Reader, ctx: CodecContext): AttributeBlock {
  const attributes: PathAttribute[] = [];
  const errors: BgpWireError[] = [];
  let remedy: Remedy | undefined;
  const seen = new Uint8Array(256);
  const note = (e: BgpWireError) => {
    if (e.remedy === "session-reset") throw e;
    errors.push(e);
    remedy = strongerRemedy(remedy, e.remedy);
  };
  while (r.remaining > 0) {
    const start = r.offset;
    if (r.remaining < 3) {
      const e = updateError(UpdateSubcode.MalformedAttributeList, `attribute header truncated (${r.remaining} byte(s) left)`, undefined, "treat-as-withdraw");
      return { attributes, errors: [...errors, e], remedy: strongerRemedy(remedy, e.remedy), framingError: e };
    }
    const flags = r.u8("attribute flags");
    const code = r.u8("attribute type");
    const extended = (flags & AttrFlag.ExtendedLength) !== 0;
    if (extended && r.remaining < 2) {
      const e = updateError(UpdateSubcode.MalformedAttributeList, "extended attribute length truncated", undefined, "treat-as-withdraw", code);
      return { attributes, errors: [...errors, e], remedy: strongerRemedy(remedy, e.remedy), framingError: e };
    }
    const len = extended ? r.u16("attribute length") : r.u8("attribute length");
    const name = attributeName(code);
    // RFC 7606 §4: an attribute whose length runs past the block.
    if (len > r.remaining) {
      const e = updateError(
        UpdateSubcode.AttributeLengthError,
        `${name}: length ${len} overruns the attribute block (${r.remaining} byte(s) left)`,
        r.bytes.subarray(start, r.limit),
        "treat-as-withdraw",
        code,
      );
      return { attributes, errors: [...errors, e], remedy: strongerRemedy(remedy, e.remedy), framingError: e };
    }
    const valueStart = r.offset;
    r.offset += len;
    const raw = r.bytes.subarray(start, r.offset);
    const entry = byCode[code];
    // RFC 7606 §3 g: MP_REACH/MP_UNREACH twice -> session reset; others: keep the first.
    if (seen[code] !== 0) {
      if (code === AttrCode.MpReachNlri || code === AttrCode.MpUnreachNlri) {
        note(updateError(UpdateSubcode.MalformedAttributeList, `${name} appears twice`, undefined, "session-reset", code));
      }
      note(updateError(UpdateSubcode.MalformedAttributeList, `${name} appears twice; later copies discarded`, raw, "attribute-discard", code));
      continue;
    }
    seen[code] = 1;
    if (entry === undefined) {
      if ((flags & AttrFlag.Optional) === 0) {
        note(updateError(UpdateSubcode.UnrecognizedWellKnownAttribute, `unrecognized well-known attribute ${code}`, raw, "treat-as-withdraw", code));
        continue;
      }
      // RFC 4271 §5: unrecognized optional attributes are data.
      attributes.push({ type: "unknown", code, flags: flags & (AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial), data: r.bytes.subarray(valueStart, r.offset) });
      continue;
    }
    const fail: AttributeFail = (what, o) =>
      updateError(o?.subcode ?? UpdateSubcode.AttributeLengthError, `${entry.name}: ${what}`, raw, o?.remedy ?? entry.remedy, code);
    const got = flags & (AttrFlag.Optional | AttrFlag.Transitive);
    // RFC 4271 §4.3: Partial is only meaningful on optional transitive attributes.
    const partialWrong = (flags & AttrFlag.Partial) !== 0 && entry.flags !== (AttrFlag.Optional | AttrFlag.Transitive);
    if (got !== entry.flags || partialWrong) {
      // RFC 7606 §3 c: a flags conflict is a malformed attribute with its own
      // remedy; for the MP attributes the NLRI cannot be trusted at all.
      const flagsRemedy: Remedy = entry.remedy === "afisafi-disable" ? "session-reset" : entry.remedy;
      note(fail(`flags 0x${flags.toString(16)} conflict with 0x${entry.flags.toString(16)}`, { subcode: UpdateSubcode.AttributeFlagsError, remedy: flagsRemedy }));
      continue;
    }
    try {
      const v = new Reader(r.bytes, bgpReadErrors(fail), valueStart, r.offset);
      const a = entry.decode(v, ctx, fail);
      v.end(entry.name);
      attributes.push(a);
    } catch (err) {
      if (!(err instanceof BgpWireError)) throw err;
      note(err);
    }
  }
  return { attributes, errors, remedy, framingError: undefined };
}
