// AS_PATH (RFC 4271 §4.3 type 2, §5.1.2) and AS4_PATH (RFC 6793 §3, type 17):
// segments of AS numbers, 2 or 4 octets each depending on the session (AS_PATH)
// or always 4 (AS4_PATH). Confederation segment types from RFC 5065 §3.
//
// RFC 7606 §7.2: a malformed AS_PATH (unknown segment type, zero-length
// segment, overrun, trailing bytes) -> treat-as-withdraw. RFC 7607: AS 0 in
// AS_PATH -> treat-as-withdraw. RFC 6793 §6: a malformed AS4_PATH, or one with
// confederation segments or AS 0, is discarded (attribute-discard).
//
// Deliberately not here: merging AS_PATH with AS4_PATH (as4.ts), the eBGP
// rule on confederation segments (needs the peer type; session side).
import type { Reader, Writer } from "@ironlb/core/wire";
import { AS_TRANS, UpdateSubcode } from "../codes.ts";
import { BgpAssertionError } from "../errors.ts";
import type { CodecContext } from "../context.ts";
import { AttrCode, AttrFlag, type AsPathSegment, type AsPathSegmentType, type AttributeEntry, type AttributeFail } from "./types.ts";

const segmentCodes: Record<AsPathSegmentType, number> = { set: 1, sequence: 2, "confed-sequence": 3, "confed-set": 4 };
const segmentTypes: Record<number, AsPathSegmentType> = { 1: "set", 2: "sequence", 3: "confed-sequence", 4: "confed-set" };

function decodeSegments(v: Reader, width: 2 | 4, fail: AttributeFail): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (v.remaining > 0) {
    if (v.remaining < 2) throw fail("segment header truncated");
    const code = v.u8("segment type");
    const count = v.u8("segment length");
    const type = segmentTypes[code];
    if (type === undefined) throw fail(`unknown segment type ${code}`);
    // RFC 7606 §7.2: a segment of zero ASes is malformed.
    if (count === 0) throw fail("empty segment");
    if (v.remaining < count * width) throw fail(`segment of ${count} AS(es) overruns the attribute`);
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const asn = width === 4 ? v.u32("as") : v.u16("as");
      // RFC 7607 §2: AS 0 makes the path malformed.
      if (asn === 0) throw fail("AS 0 in path");
      asns[i] = asn;
    }
    segments.push({ type, asns });
  }
  return segments;
}

function sizeOfSegments(segments: readonly AsPathSegment[], width: 2 | 4): number {
  let n = 0;
  for (const s of segments) n += 2 + width * s.asns.length;
  return n;
}

function encodeSegments(w: Writer, segments: readonly AsPathSegment[], width: 2 | 4): void {
  for (const s of segments) {
    if (s.asns.length === 0 || s.asns.length > 255) {
      throw new BgpAssertionError(`an AS_PATH segment holds 1..255 ASes, not ${s.asns.length}`);
    }
    w.u8(segmentCodes[s.type]);
    w.u8(s.asns.length);
    for (const asn of s.asns) {
      if (width === 4) w.u32(asn);
      // RFC 6793 §4.2.2: an AS that needs 4 octets is sent as AS_TRANS.
      else w.u16(asn > 0xffff ? AS_TRANS : asn);
    }
  }
}

const widthOf = (ctx: CodecContext): 2 | 4 => (ctx.fourOctetAs ? 4 : 2);

export const asPathEntry: AttributeEntry<{ readonly type: "as-path"; readonly segments: readonly AsPathSegment[] }> = {
  code: AttrCode.AsPath,
  name: "AS_PATH",
  flags: AttrFlag.Transitive,
  remedy: "treat-as-withdraw",
  decode(v, ctx, fail) {
    const f: AttributeFail = (what, o) => fail(what, { subcode: UpdateSubcode.MalformedAsPath, ...o });
    return { type: "as-path", segments: decodeSegments(v, widthOf(ctx), f) };
  },
  sizeOf: (a, ctx) => sizeOfSegments(a.segments, widthOf(ctx)),
  encode: (w, a, ctx) => encodeSegments(w, a.segments, widthOf(ctx)),
};

export const as4PathEntry: AttributeEntry<{ readonly type: "as4-path"; readonly segments: readonly AsPathSegment[] }> = {
  code: AttrCode.As4Path,
  name: "AS4_PATH",
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  remedy: "attribute-discard",
  decode(v, _ctx, fail) {
    const f: AttributeFail = (what, o) => fail(what, { subcode: UpdateSubcode.OptionalAttributeError, ...o });
    const segments = decodeSegments(v, 4, f);
    // RFC 6793 §6: confederation segments in AS4_PATH are an error.
    if (segments.some((s) => s.type === "confed-sequence" || s.type === "confed-set")) throw f("confederation segment");
    return { type: "as4-path", segments };
  },
  sizeOf: (a) => sizeOfSegments(a.segments, 4),
  encode: (w, a) => encodeSegments(w, a.segments, 4),
};

/**
 * Path length for route selection and for RFC 6793 §4.2.3 reconstruction:
 * an AS_SET counts one, confederation segments count zero (RFC 5065 §5.3).
 */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === "sequence") n += s.asns.length;
    else if (s.type === "set") n += 1;
  }
  return n;
}
