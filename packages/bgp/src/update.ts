// UPDATE (RFC 4271 §4.3): withdrawn IPv4 routes, path attributes, IPv4 NLRI.
// IPv6 (and any other family) travels inside MP_REACH/MP_UNREACH (RFC 4760).
//
// Receive-side error handling follows RFC 7606: problems inside attributes
// are collected (registry.ts) and the strongest remedy is reported beside the
// decoded message; framing problems in the withdrawn-routes or NLRI fields,
// and length fields that disagree with the message, reset the session
// (RFC 7606 §5.3, §4). Missing well-known mandatory attributes ->
// treat-as-withdraw (RFC 7606 §3 d).
//
// Deliberately not here: rules that need the peer (LOCAL_PREF from an eBGP
// peer, confederation segments from an eBGP peer); see session/receive.ts.
import type { Prefix } from "@ironlb/core/ip";
import type { Reader, Writer } from "@ironlb/core/wire";
import { attributeCode, decodeAttributes, encodeAttributes, sizeOfAttributes } from "./attributes/registry.ts";
import { AttrCode, type PathAttribute } from "./attributes/types.ts";
import { ErrorCode, UpdateSubcode } from "./codes.ts";
import type { CodecContext } from "./context.ts";
import { BgpWireError, type Remedy, strongerRemedy } from "./errors.ts";
import { decodePrefixes, encodePrefixes, sizeOfPrefixes } from "./nlri.ts";

export interface UpdateMessage {
  readonly type: "update";
  /** Withdrawn IPv4 routes. */
  readonly withdrawn: readonly Prefix[];
  readonly attributes: readonly PathAttribute[];
  /** Reachable IPv4 routes, sharing `attributes`. */
  readonly nlri: readonly Prefix[];
}

export interface UpdateDecoding {
  readonly update: UpdateMessage;
  /** Recoverable problems (session-reset ones are thrown instead). */
  readonly errors: readonly BgpWireError[];
  /** Strongest remedy of `errors`; undefined when the UPDATE was clean. */
  readonly remedy: Remedy | undefined;
}

export function sizeOfUpdate(u: UpdateMessage, ctx: CodecContext): number {
  return 4 + sizeOfPrefixes(u.withdrawn) + sizeOfAttributes(u.attributes, ctx) + sizeOfPrefixes(u.nlri);
}

export function encodeUpdate(w: Writer, u: UpdateMessage, ctx: CodecContext): void {
  w.u16(sizeOfPrefixes(u.withdrawn));
  encodePrefixes(w, u.withdrawn);
  w.u16(sizeOfAttributes(u.attributes, ctx));
  encodeAttributes(w, u.attributes, ctx);
  encodePrefixes(w, u.nlri);
}

const reset = (subcode: number, what: string) =>
  new BgpWireError(`UPDATE: ${what}`, { code: ErrorCode.UpdateMessage, subcode, remedy: "session-reset" });

/** Decodes an UPDATE body (the reader is limited to the message). */
export function decodeUpdate(r: Reader, ctx: CodecContext): UpdateDecoding {
  const malformed = (what: string) => reset(UpdateSubcode.MalformedAttributeList, what);
  const withdrawnLen = r.u16("withdrawn routes length");
  // RFC 4271 §6.3: lengths that do not add up are Malformed Attribute List.
  if (withdrawnLen > r.remaining - 2) throw malformed(`withdrawn routes length ${withdrawnLen} overruns the message`);
  const withdrawn = decodePrefixes(r.sub(withdrawnLen, "withdrawn routes"), "ipv4", (what) => reset(UpdateSubcode.InvalidNetworkField, `withdrawn routes: ${what}`));
  const attrLen = r.u16("total path attribute length");
  if (attrLen > r.remaining) throw malformed(`total path attribute length ${attrLen} overruns the message`);
  const block = decodeAttributes(r.sub(attrLen, "path attributes"), ctx);
  // RFC 7606 §5.3: an NLRI field that does not parse cannot be withdrawn.
  const nlri = decodePrefixes(r, "ipv4", (what) => reset(UpdateSubcode.InvalidNetworkField, `NLRI: ${what}`));

  const errors = [...block.errors];
  let remedy = block.remedy;
  const has = (code: number) => block.attributes.some((a) => attributeCode(a) === code);
  if (block.framingError !== undefined) {
    // RFC 7606 §4: treat-as-withdraw works only if some NLRI was found to
    // withdraw; with none (no NLRI field, MP attributes not reached) the only
    // safe answer is a session reset.
    const found = nlri.length > 0 || withdrawn.length > 0 || has(AttrCode.MpReachNlri) || has(AttrCode.MpUnreachNlri);
    if (!found) throw new BgpWireError(block.framingError.message, { ...block.framingError, remedy: "session-reset" });
  } else {
    const reach = nlri.length > 0 || has(AttrCode.MpReachNlri);
    if (reach) {
      // RFC 4271 §5: ORIGIN and AS_PATH always; NEXT_HOP when the IPv4 NLRI
      // field is used (RFC 4760 §3: not for MP_REACH alone).
      const mandatory = [AttrCode.Origin, AttrCode.AsPath, ...(nlri.length > 0 ? [AttrCode.NextHop] : [])];
      for (const code of mandatory) {
        if (has(code)) continue;
        // A malformed (hence dropped) attribute is already reported; do not call it missing too.
        if (errors.some((e) => e.attribute === code)) continue;
        const e = new BgpWireError(`UPDATE: missing well-known attribute ${code}`, {
          code: ErrorCode.UpdateMessage,
          subcode: UpdateSubcode.MissingWellKnownAttribute,
          data: Uint8Array.of(code), // RFC 4271 §6.3: the missing attribute's type code
          remedy: "treat-as-withdraw",
          attribute: code,
        });
        errors.push(e);
        remedy = strongerRemedy(remedy, e.remedy);
      }
    }
  }
  return { update: { type: "update", withdrawn, attributes: block.attributes, nlri }, errors, remedy };
}
