import { describe, expect, test } from "vitest";
import { parseIp } from "@ironlb/core/ip";
import { as4PathFor, effectivePath } from "./as4.ts";
import type { PathAttribute } from "./attributes/types.ts";
import { codecContext } from "./context.ts";

const two = codecContext({ fourOctetAs: false, extendedMessage: false });
const four = codecContext({ fourOctetAs: true, extendedMessage: false });
const seq = (...asns: number[]) => ({ type: "sequence" as const, asns });
const addr = parseIp("192.0.2.1");

describe("RFC 6793 §4.2.3 reconstruction from a 2-octet peer", () => {
  test.each<[string, PathAttribute[], unknown]>([
    [
      "AS4_PATH replaces the trailing AS_TRANS entries",
      [{ type: "as-path", segments: [seq(65001, 23456, 23456)] }, { type: "as4-path", segments: [seq(4_200_000_000, 4_200_000_001)] }],
      [seq(65001), seq(4_200_000_000, 4_200_000_001)],
    ],
    [
      "AS4_PATH longer than AS_PATH is ignored",
      [{ type: "as-path", segments: [seq(23456)] }, { type: "as4-path", segments: [seq(1, 2)] }],
      [seq(23456)],
    ],
    [
      "an AS_SET counts as one",
      [{ type: "as-path", segments: [seq(65001), { type: "set", asns: [1, 2, 3] }] }, { type: "as4-path", segments: [{ type: "set", asns: [4_200_000_000, 2, 3] }] }],
      [seq(65001), { type: "set", asns: [4_200_000_000, 2, 3] }],
    ],
    ["no AS4_PATH: AS_PATH as is", [{ type: "as-path", segments: [seq(65001)] }], [seq(65001)]],
    [
      "AGGREGATOR not AS_TRANS: AS4_* ignored",
      [
        { type: "as-path", segments: [seq(65001, 23456)] },
        { type: "as4-path", segments: [seq(4_200_000_000)] },
        { type: "aggregator", as: 65002, address: addr },
      ],
      [seq(65001, 23456)],
    ],
  ])("%s", (_name, attrs, want) => {
    expect(effectivePath(attrs, two).asPath).toEqual(want);
  });

  test("AS4_AGGREGATOR replaces an AS_TRANS AGGREGATOR", () => {
    const attrs: PathAttribute[] = [
      { type: "as-path", segments: [seq(23456)] },
      { type: "aggregator", as: 23456, address: addr },
      { type: "as4-aggregator", as: 4_200_000_000, address: addr },
    ];
    expect(effectivePath(attrs, two).aggregator).toEqual({ as: 4_200_000_000, address: addr });
  });

  test("a 4-octet peer's AS4_* attributes are ignored (§4.1)", () => {
    const attrs: PathAttribute[] = [{ type: "as-path", segments: [seq(65001)] }, { type: "as4-path", segments: [seq(4_200_000_000)] }];
    expect(effectivePath(attrs, four).asPath).toEqual([seq(65001)]);
  });

  test("send side: AS4_PATH only when some AS needs 4 octets and the peer speaks 2", () => {
    expect(as4PathFor([seq(65000)], two)).toBeUndefined();
    expect(as4PathFor([seq(4_200_000_000)], four)).toBeUndefined();
    expect(as4PathFor([seq(4_200_000_000), { type: "confed-sequence", asns: [1] }], two)).toEqual({ type: "as4-path", segments: [seq(4_200_000_000)] });
  });
});
