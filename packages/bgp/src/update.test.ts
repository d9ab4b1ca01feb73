// The malformed-UPDATE table (after GoBGP's Test_MalformedUpdateMsg): each row
// is an annotated UPDATE body and the exact NOTIFICATION code/subcode and RFC
// 7606 remedy it must produce. Remedies that keep the session are reported
// beside the decoded message; session-reset ones are thrown.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatPrefix } from "@ironlb/core/ip";
import { Reader } from "@ironlb/core/wire";
import { attributeList, ipv4Prefix } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, type Codec, hex, unhex } from "./codec-laws.fixtures.ts";
import { codecContext, type CodecContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { decodeUpdate, encodeUpdate, sizeOfUpdate, type UpdateDecoding, type UpdateMessage } from "./update.ts";
import { bgpReadErrors } from "./wire.ts";

const four = codecContext({ fourOctetAs: true, extendedMessage: false });
const two = codecContext({ fourOctetAs: false, extendedMessage: false });
const codec: Codec<UpdateMessage> = { sizeOf: sizeOfUpdate, encode: encodeUpdate, decode: (r, ctx) => decodeUpdate(r, ctx).update };
const shortRead = (w: string) => new BgpWireError(w, { code: 3, subcode: 1 });

const ORIGIN = "40 01 01 00"; // ORIGIN IGP
const AS_PATH4 = "40 02 06 02 01 0000fde8"; // AS_SEQUENCE [65000], 4-octet
const NEXT_HOP = "40 03 04 0a000001"; // NEXT_HOP 10.0.0.1
const NLRI = "18 0a0100"; // 10.1.0.0/24
const MP_REACH6 = "80 0e 1e 0002 01 10 20010db8000000000000000000000001 00 40 20010db800000001"; // 2001:db8:0:1::/64 via 2001:db8::1

/** Builds an UPDATE body with correct length fields from hex parts. */
function body(withdrawn: string, attrs: string, nlri: string): Uint8Array {
  const w = unhex(withdrawn);
  const a = unhex(attrs);
  const n = unhex(nlri);
  const out = new Uint8Array(4 + w.length + a.length + n.length);
  out[0] = w.length >> 8;
  out[1] = w.length & 0xff;
  out.set(w, 2);
  out[2 + w.length] = a.length >> 8;
  out[3 + w.length] = a.length & 0xff;
  out.set(a, 4 + w.length);
  out.set(n, 4 + w.length + a.length);
  return out;
}

const decode = (b: Uint8Array, ctx: CodecContext = four): UpdateDecoding => decodeUpdate(new Reader(b, bgpReadErrors(shortRead)), ctx);

interface Row {
  readonly name: string;
  readonly body: Uint8Array;
  readonly ctx?: CodecContext;
  readonly code: number;
  readonly subcode: number;
  readonly remedy: "attribute-discard" | "treat-as-withdraw" | "afisafi-disable" | "session-reset";
  /** NOTIFICATION data, when the RFC prescribes it. */
  readonly data?: string;
}

const rows: Row[] = [
  { name: "ORIGIN - invalid length 2", body: body("", `40 01 02 0000 ${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw", data: "40 01 02 0000" },
  { name: "ORIGIN - undefined value 3", body: body("", `40 01 01 03 ${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 6, remedy: "treat-as-withdraw", data: "40 01 01 03" },
  { name: "ORIGIN - optional bit set (flags conflict)", body: body("", `c0 01 01 00 ${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 4, remedy: "treat-as-withdraw" },
  { name: "ORIGIN - partial bit on a well-known attribute", body: body("", `60 01 01 00 ${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 4, remedy: "treat-as-withdraw" },
  { name: "AS_PATH - unknown segment type 5", body: body("", `${ORIGIN} 40 02 06 05 01 0000fde8 ${NEXT_HOP}`, NLRI), code: 3, subcode: 11, remedy: "treat-as-withdraw" },
  { name: "AS_PATH - segment overruns the attribute", body: body("", `${ORIGIN} 40 02 06 02 02 0000fde8 ${NEXT_HOP}`, NLRI), code: 3, subcode: 11, remedy: "treat-as-withdraw" },
  { name: "AS_PATH - empty segment", body: body("", `${ORIGIN} 40 02 02 02 00 ${NEXT_HOP}`, NLRI), code: 3, subcode: 11, remedy: "treat-as-withdraw" },
  { name: "AS_PATH - AS 0 (RFC 7607)", body: body("", `${ORIGIN} 40 02 06 02 01 00000000 ${NEXT_HOP}`, NLRI), code: 3, subcode: 11, remedy: "treat-as-withdraw" },
  { name: "AS_PATH - 2-octet session, odd length", ctx: two, body: body("", `${ORIGIN} 40 02 05 02 02 fde8 01 ${NEXT_HOP}`, NLRI), code: 3, subcode: 11, remedy: "treat-as-withdraw" },
  { name: "NEXT_HOP - invalid length 5", body: body("", `${ORIGIN} ${AS_PATH4} 40 03 05 0a00000100`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "NEXT_HOP - 0.0.0.0", body: body("", `${ORIGIN} ${AS_PATH4} 40 03 04 00000000`, NLRI), code: 3, subcode: 8, remedy: "treat-as-withdraw" },
  { name: "NEXT_HOP - multicast 224.0.0.5", body: body("", `${ORIGIN} ${AS_PATH4} 40 03 04 e0000005`, NLRI), code: 3, subcode: 8, remedy: "treat-as-withdraw" },
  { name: "MULTI_EXIT_DISC - invalid length 3", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 80 04 03 000001`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "MULTI_EXIT_DISC - transitive bit set", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 04 04 00000001`, NLRI), code: 3, subcode: 4, remedy: "treat-as-withdraw" },
  { name: "LOCAL_PREF - invalid length 2", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 40 05 02 0064`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "ATOMIC_AGGREGATE - invalid length 1", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 40 06 01 00`, NLRI), code: 3, subcode: 5, remedy: "attribute-discard" },
  { name: "AGGREGATOR - length 6 on a 4-octet session", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 07 06 fde8 0a000001`, NLRI), code: 3, subcode: 5, remedy: "attribute-discard" },
  { name: "AGGREGATOR - AS 0", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 07 08 00000000 0a000001`, NLRI), code: 3, subcode: 9, remedy: "attribute-discard" },
  { name: "COMMUNITIES - length 5", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 08 05 fde80064 00`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "COMMUNITIES - length 0", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 08 00`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "LARGE_COMMUNITY - length 11", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 20 0b ${"00".repeat(11)}`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "AS4_PATH - malformed on a 2-octet session", ctx: two, body: body("", `${ORIGIN} 40 02 04 02 01 5ba0 ${NEXT_HOP} c0 11 05 02 01 0000fd`, NLRI), code: 3, subcode: 9, remedy: "attribute-discard" },
  { name: "AS4_PATH - confederation segment", ctx: two, body: body("", `${ORIGIN} 40 02 04 02 01 5ba0 ${NEXT_HOP} c0 11 06 03 01 fa56ea00`, NLRI), code: 3, subcode: 9, remedy: "attribute-discard" },
  { name: "AS4_AGGREGATOR - length 6", ctx: two, body: body("", `${ORIGIN} 40 02 04 02 01 fde8 ${NEXT_HOP} c0 12 06 fde8 0a000001`, NLRI), code: 3, subcode: 5, remedy: "attribute-discard" },
  { name: "ORIGIN twice - later copy discarded (RFC 7606 §3 g)", body: body("", `${ORIGIN} ${ORIGIN} ${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 1, remedy: "attribute-discard" },
  { name: "missing ORIGIN (RFC 7606 §3 d)", body: body("", `${AS_PATH4} ${NEXT_HOP}`, NLRI), code: 3, subcode: 3, remedy: "treat-as-withdraw", data: "01" },
  { name: "missing AS_PATH", body: body("", `${ORIGIN} ${NEXT_HOP}`, NLRI), code: 3, subcode: 3, remedy: "treat-as-withdraw", data: "02" },
  { name: "missing NEXT_HOP with IPv4 NLRI", body: body("", `${ORIGIN} ${AS_PATH4}`, NLRI), code: 3, subcode: 3, remedy: "treat-as-withdraw", data: "03" },
  { name: "missing ORIGIN with MP_REACH only", body: body("", `${MP_REACH6} ${AS_PATH4}`, ""), code: 3, subcode: 3, remedy: "treat-as-withdraw", data: "01" },
  { name: "unrecognized well-known attribute 99", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 40 63 01 00`, NLRI), code: 3, subcode: 2, remedy: "treat-as-withdraw" },
  { name: "attribute length overruns the block, NLRI present (RFC 7606 §4)", body: body("", `${ORIGIN} ${AS_PATH4} 40 03 09 0a000001`, NLRI), code: 3, subcode: 5, remedy: "treat-as-withdraw" },
  { name: "attribute header truncated, NLRI present", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 40`, NLRI), code: 3, subcode: 1, remedy: "treat-as-withdraw" },
  { name: "MP_REACH - IPv6 next hop of 4 bytes", body: body("", `80 0e 09 0002 01 04 0a000001 00 ${ORIGIN} ${AS_PATH4}`, ""), code: 3, subcode: 9, remedy: "afisafi-disable" },
  { name: "MP_REACH - IPv6 prefix length 129", body: body("", `80 0e 17 0002 01 10 20010db8000000000000000000000001 00 81 ff ${ORIGIN} ${AS_PATH4}`, ""), code: 3, subcode: 10, remedy: "afisafi-disable" },
  { name: "MP_UNREACH - truncated IPv6 prefix", body: body("", "80 0f 06 0002 01 40 2001", ""), code: 3, subcode: 10, remedy: "afisafi-disable" },
  { name: "MP_REACH afisafi-disable outranks ORIGIN treat-as-withdraw", body: body("", `80 0e 09 0002 01 04 0a000001 00 40 01 01 07 ${AS_PATH4}`, ""), code: 3, subcode: 9, remedy: "afisafi-disable" },
  // session reset: thrown
  { name: "withdrawn routes length overruns the message", body: unhex("00ff 0000"), code: 3, subcode: 1, remedy: "session-reset" },
  { name: "total path attribute length overruns the message", body: unhex("0000 00ff 400101"), code: 3, subcode: 1, remedy: "session-reset" },
  { name: "withdrawn route of /40", body: body("28 0a00000000", "", ""), code: 3, subcode: 10, remedy: "session-reset" },
  { name: "NLRI of /33 (RFC 7606 §5.3)", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP}`, "21 0a000000 00"), code: 3, subcode: 10, remedy: "session-reset" },
  { name: "NLRI truncated", body: body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP}`, "18 0a01"), code: 3, subcode: 10, remedy: "session-reset" },
  { name: "MP_REACH twice (RFC 7606 §3 g)", body: body("", `${MP_REACH6} ${MP_REACH6} ${ORIGIN} ${AS_PATH4}`, ""), code: 3, subcode: 1, remedy: "session-reset" },
  { name: "MP_REACH - too short for AFI/SAFI", body: body("", "80 0e 02 0002", ""), code: 3, subcode: 9, remedy: "session-reset" },
  { name: "MP_REACH - transitive bit set", body: body("", `c0 0e 1e ${MP_REACH6.slice(9)} ${ORIGIN} ${AS_PATH4}`, ""), code: 3, subcode: 4, remedy: "session-reset" },
  { name: "attribute overrun with no NLRI to withdraw", body: body("", `${ORIGIN} 40 02 20 0201`, ""), code: 3, subcode: 5, remedy: "session-reset" },
];

describe("UPDATE malformed-message table", () => {
  test.each(rows)("$name -> $code/$subcode $remedy", (row) => {
    const ctx = row.ctx ?? four;
    if (row.remedy === "session-reset") {
      try {
        decode(row.body, ctx);
      } catch (err) {
        expect(err).toBeInstanceOf(BgpWireError);
        const e = err as BgpWireError;
        expect({ code: e.code, subcode: e.subcode, remedy: e.remedy }).toEqual({ code: row.code, subcode: row.subcode, remedy: row.remedy });
        if (row.data !== undefined) expect(hex(e.data)).toBe(hex(unhex(row.data)));
        return;
      }
      expect.unreachable("expected a session reset");
    }
    const d = decode(row.body, ctx);
    expect(d.remedy).toBe(row.remedy);
    const strongest = d.errors.find((e) => e.remedy === row.remedy);
    expect(strongest).toBeDefined();
    expect({ code: strongest?.code, subcode: strongest?.subcode }).toEqual({ code: row.code, subcode: row.subcode });
    if (row.data !== undefined) expect(hex(strongest?.data ?? new Uint8Array())).toBe(hex(unhex(row.data)));
  });

  test("decoding continues past a discarded attribute and keeps the rest", () => {
    const d = decode(body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} 40 06 01 00 c0 08 04 fde80064`, NLRI));
    expect(d.remedy).toBe("attribute-discard");
    expect(d.update.attributes.map((a) => a.type)).toEqual(["origin", "as-path", "next-hop", "communities"]);
    expect(d.update.nlri.map(formatPrefix)).toEqual(["10.1.0.0/24"]);
  });

  test("several problems: every one is reported, the strongest remedy wins", () => {
    const d = decode(body("", `40 01 01 09 ${AS_PATH4} ${NEXT_HOP} 40 06 01 00`, NLRI));
    expect(d.errors.map((e) => [e.subcode, e.remedy])).toEqual([
      [6, "treat-as-withdraw"],
      [5, "attribute-discard"],
    ]);
    expect(d.remedy).toBe("treat-as-withdraw");
  });

  test("a clean UPDATE reports no remedy; NEXT_HOP is not needed with MP_REACH only", () => {
    expect(decode(body("", `${MP_REACH6} ${ORIGIN} ${AS_PATH4}`, "")).remedy).toBeUndefined();
    expect(decode(body("18 0a0200", "", "")).remedy).toBeUndefined();
  });

  test("unknown optional transitive attributes are kept with their flags", () => {
    const d = decode(body("", `${ORIGIN} ${AS_PATH4} ${NEXT_HOP} e0 63 02 abcd`, NLRI));
    expect(d.remedy).toBeUndefined();
    expect(d.update.attributes[3]).toEqual({ type: "unknown", code: 99, flags: 0xe0, data: unhex("abcd") });
  });

  test("truncation at every length never escapes as anything but BgpWireError", () => {
    const full = body("18 0a0200", `${MP_REACH6} ${ORIGIN} ${AS_PATH4} ${NEXT_HOP} c0 08 04 fde80064 c0 20 0c ${"01".repeat(12)}`, NLRI);
    for (let n = 0; n < full.length; n++) {
      try {
        decode(full.subarray(0, n));
      } catch (err) {
        expect(err, `truncated at ${n}`).toBeInstanceOf(BgpWireError);
      }
    }
  });

  test("round-trip law for arbitrary UPDATEs, 2- and 4-octet sessions", () => {
    for (const ctx of [two, four]) {
      const update = fc.record({
        type: fc.constant("update" as const),
        withdrawn: fc.array(ipv4Prefix, { maxLength: 20 }),
        attributes: attributeList(ctx),
        nlri: fc.array(ipv4Prefix, { maxLength: 20 }),
      });
      fc.assert(fc.property(update, (u) => void assertCodecLaws(codec, u, ctx)), { numRuns: 300 });
    }
  });
});
