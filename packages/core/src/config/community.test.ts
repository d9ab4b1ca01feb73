import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareCommunity, formatCommunity, parseCommunity } from "./community.ts";
import type { Community } from "./types.ts";

describe("parseCommunity", () => {
  it.each([
    ["64512:1234", { kind: "standard", value: 0xfc0004d2 }],
    ["1234:2345", { kind: "standard", value: 0x04d20929 }],
    ["0:0", { kind: "standard", value: 0 }],
    ["65535:65535", { kind: "standard", value: 0xffffffff }],
    ["7003:007", { kind: "standard", value: 7003 * 65536 + 7 }],
    ["large:64512:1:2", { kind: "large", globalAdmin: 64512, localData1: 1, localData2: 2 }],
    ["large:4294967295:0:4294967295", { kind: "large", globalAdmin: 4294967295, localData1: 0, localData2: 4294967295 }],
  ])("reads %s", (text, want) => {
    expect(parseCommunity(text)).toEqual({ ok: true, community: want });
  });

  it.each([
    "1234",
    "1:2:3",
    "99999999:1",
    "1:99999999",
    "65536:0",
    "-1:1",
    "+1:1",
    "1_000:1",
    " 1:1",
    "a:b",
    ":1",
    "large:1:2",
    "large:1:2:3:4",
    "large:4294967296:0:0",
    "large:1:-2:3",
    "Large:1:2:3",
  ])("refuses %j", (text) => {
    expect(parseCommunity(text).ok).toBe(false);
  });
});

const community: fc.Arbitrary<Community> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: "standard" as const, value })),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([globalAdmin, localData1, localData2]) => ({ kind: "large" as const, globalAdmin, localData1, localData2 })),
);

describe("formatCommunity", () => {
  it("is read back by parseCommunity", () => {
    fc.assert(
      fc.property(community, (c) => {
        expect(parseCommunity(formatCommunity(c))).toEqual({ ok: true, community: c });
      }),
    );
  });

  it("compares a value equal to itself", () => {
    fc.assert(
      fc.property(community, (c) => {
        expect(compareCommunity(c, { ...c })).toBe(0);
      }),
    );
  });

  it("orders standard before large and is a total order consistent with equality", () => {
    fc.assert(
      fc.property(community, community, (a, b) => {
        const ab = compareCommunity(a, b);
        expect(Math.sign(ab) + Math.sign(compareCommunity(b, a))).toBe(0);
        expect(ab === 0).toBe(formatCommunity(a) === formatCommunity(b));
        if (a.kind !== b.kind) expect(ab < 0).toBe(a.kind === "standard");
      }),
    );
  });
});
