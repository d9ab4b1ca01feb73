import { describe, expect, test } from "vitest";
import { parsePrefix } from "@ironlb/core/ip";
import { hex, unhex } from "./codec-laws.fixtures.ts";
import { codecContext } from "./context.ts";
import { endOfRib, endOfRibFamily } from "./end-of-rib.ts";
import { decodeMessage, encodeMessage } from "./message.ts";
import type { UpdateMessage } from "./update.ts";

const ctx = codecContext({ fourOctetAs: true, extendedMessage: false });

describe("End-of-RIB (RFC 4724 §2)", () => {
  test("IPv4: an empty UPDATE", () => {
    expect(hex(encodeMessage(endOfRib("ipv4"), ctx))).toBe(hex(unhex(`${"ff".repeat(16)} 0017 02 0000 0000`)));
  });
  test("IPv6: only an empty MP_UNREACH_NLRI", () => {
    const bytes = encodeMessage(endOfRib("ipv6"), ctx);
    expect(hex(bytes)).toBe(hex(unhex(`${"ff".repeat(16)} 001d 02 0000 0006 80 0f 03 0002 01`)));
    const d = decodeMessage(bytes, ctx);
    expect(d.remedy).toBeUndefined();
    expect(endOfRibFamily(d.message as UpdateMessage)).toEqual({ afi: 2, safi: 1 });
  });
  test("an UPDATE with routes is not End-of-RIB", () => {
    expect(endOfRibFamily({ type: "update", withdrawn: [parsePrefix("10.0.0.0/8")], attributes: [], nlri: [] })).toBeUndefined();
    expect(endOfRibFamily(endOfRib("ipv4"))).toEqual({ afi: 1, safi: 1 });
  });
});
