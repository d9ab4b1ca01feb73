// RFC 6793 on the receive side: reconstructing the real AS path and
// aggregator when the peer speaks 2-octet AS numbers (the "OLD BGP speaker"
// of the RFC), and ignoring AS4_* from a 4-octet peer.
//
// §4.2.3: if AGGREGATOR is present and its AS is not AS_TRANS, the AS4_*
// attributes are ignored (an OLD speaker aggregated after them). Otherwise
// AS4_AGGREGATOR replaces AGGREGATOR, and when AS_PATH has at least as many
// ASes as AS4_PATH, the path is the leading (|AS_PATH| - |AS4_PATH|) ASes of
// AS_PATH followed by AS4_PATH; if AS_PATH is shorter, AS4_PATH is ignored.
// §4.1: between two 4-octet speakers AS4_* "MUST be discarded".
import type { IpAddress } from "@ironlb/core/ip";
import { pathLength } from "./attributes/as-path.ts";
import type { AsPathSegment, PathAttribute } from "./attributes/types.ts";
import { AS_TRANS } from "./codes.ts";
import type { CodecContext } from "./context.ts";

export interface EffectivePath {
  readonly asPath: readonly AsPathSegment[];
  readonly aggregator: { readonly as: number; readonly address: IpAddress } | undefined;
}

/** Takes the first `count` ASes of `segments` by RFC 6793 counting (a set counts one). */
function leading(segments: readonly AsPathSegment[], count: number): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  let left = count;
  for (const s of segments) {
    if (left <= 0) break;
    if (s.type === "sequence") {
      const take = s.asns.slice(0, left);
      out.push({ type: "sequence", asns: take });
      left -= take.length;
    } else if (s.type === "set") {
      out.push(s);
      left -= 1;
    } else {
      out.push(s); // confederation segments count zero and stay in place
    }
  }
  return out;
}

export function effectivePath(attributes: readonly PathAttribute[], ctx: CodecContext): EffectivePath {
  let asPath: readonly AsPathSegment[] = [];
  let as4Path: readonly AsPathSegment[] | undefined;
  let aggregator: EffectivePath["aggregator"];
  let as4Aggregator: EffectivePath["aggregator"];
  for (const a of attributes) {
    if (a.type === "as-path") asPath = a.segments;
    else if (a.type === "as4-path") as4Path = a.segments;
    else if (a.type === "aggregator") aggregator = { as: a.as, address: a.address };
    else if (a.type === "as4-aggregator") as4Aggregator = { as: a.as, address: a.address };
  }
  if (ctx.fourOctetAs) return { asPath, aggregator };
  if (aggregator !== undefined && aggregator.as !== AS_TRANS) return { asPath, aggregator };
  const agg = as4Aggregator ?? aggregator;
  if (as4Path === undefined) return { asPath, aggregator: agg };
  const n = pathLength(asPath);
  const m = pathLength(as4Path);
  if (n < m) return { asPath, aggregator: agg };
  return { asPath: [...leading(asPath, n - m), ...as4Path], aggregator: agg };
}

/**
 * RFC 6793 §4.2.2 on the send side: the attributes to add when a path with
 * 4-octet ASes goes to a 2-octet peer (AS_PATH itself is written with AS_TRANS
 * by its encoder). Returns undefined when every AS fits in 2 octets.
 */
export function as4PathFor(segments: readonly AsPathSegment[], ctx: CodecContext): PathAttribute | undefined {
  if (ctx.fourOctetAs) return undefined;
  const needs = segments.some((s) => s.asns.some((asn) => asn > 0xffff));
  if (!needs) return undefined;
  // Confederation segments never go into AS4_PATH (RFC 6793 §3).
  return { type: "as4-path", segments: segments.filter((s) => s.type === "sequence" || s.type === "set") };
}
