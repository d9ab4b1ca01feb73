import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatGoDuration, parseGoDuration, wholeSeconds } from "./duration.ts";

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000n;
const MIN = 60n * S;
const H = 60n * MIN;

// Expected values as Go's time.ParseDuration returns them (cases after Go's
// own parseDurationTests, values computed by hand from the grammar).
const accepted: readonly (readonly [string, bigint])[] = [
  ["0", 0n],
  ["-0", 0n],
  ["+0", 0n],
  ["5s", 5n * S],
  ["30s", 30n * S],
  ["1478s", 1478n * S],
  ["-5s", -5n * S],
  ["+5s", 5n * S],
  ["-0s", 0n],
  ["5.0s", 5n * S],
  ["5.6s", 5n * S + 600n * MS],
  ["5.s", 5n * S],
  [".5s", 500n * MS],
  ["1.004s", S + 4n * MS],
  ["100.00100s", 100n * S + MS],
  ["10ns", 10n],
  ["11us", 11n * US],
  ["12\u00b5s", 12n * US],
  ["12\u03bcs", 12n * US],
  ["13ms", 13n * MS],
  ["14s", 14n * S],
  ["15m", 15n * MIN],
  ["16h", 16n * H],
  ["3h30m", 3n * H + 30n * MIN],
  ["10.5s4m", 4n * MIN + 10n * S + 500n * MS],
  ["-2m3.4s", -(2n * MIN + 3n * S + 400n * MS)],
  ["1h2m3s4ms5us6ns", H + 2n * MIN + 3n * S + 4n * MS + 5n * US + 6n],
  ["39h9m14.425s", 39n * H + 9n * MIN + 14n * S + 425n * MS],
  ["52763797000ns", 52763797000n],
  ["0.3333333333333333333h", 20n * MIN],
  ["9007199254740993ns", 9007199254740993n],
  ["9223372036854775807ns", 9223372036854775807n],
  ["9223372036854775.807us", 9223372036854775807n],
  ["9223372036854ms775us807ns", 9223372036854775807n],
  ["-9223372036854775808ns", -9223372036854775808n],
  ["-9223372036854775.808us", -9223372036854775808n],
  ["-2562047h47m16.854775808s", -9223372036854775808n],
  ["0.100000000000000000000h", 6n * MIN],
  ["0.830103483285477580700h", 49n * MIN + 48n * S + 372539827n],
  ["90s", 90n * S],
  ["1m30s", 90n * S],
  ["1.5m", 90n * S],
  ["300ms", 300n * MS],
];

const rejected: readonly (readonly [string, string])[] = [
  ["", 'time: invalid duration ""'],
  ["3", 'time: missing unit in duration "3"'],
  ["90", 'time: missing unit in duration "90"'],
  ["-", 'time: invalid duration "-"'],
  ["s", 'time: invalid duration "s"'],
  [".", 'time: invalid duration "."'],
  ["-.", 'time: invalid duration "-."'],
  [".s", 'time: invalid duration ".s"'],
  ["+.s", 'time: invalid duration "+.s"'],
  ["1d", 'time: unknown unit "d" in duration "1d"'],
  ["1.5 s", 'time: unknown unit " s" in duration "1.5 s"'],
  ["1S", 'time: unknown unit "S" in duration "1S"'],
  ["5s5", 'time: missing unit in duration "5s5"'],
  ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
  ["9223372036854775.808us", 'time: invalid duration "9223372036854775.808us"'],
  ["9223372036854ms775us808ns", 'time: invalid duration "9223372036854ms775us808ns"'],
  ["-9223372036854775809ns", 'time: invalid duration "-9223372036854775809ns"'],
  ["3000000h", 'time: invalid duration "3000000h"'],
];

describe("parseGoDuration", () => {
  it.each(accepted)("accepts %j", (text, ns) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, nanoseconds: ns });
  });
  it.each(rejected)("rejects %j", (text, message) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, message });
  });

  it("reads back what formatGoDuration prints, for any int64-range duration", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n) + 1n, max: (1n << 63n) - 1n }), (ns) => {
        expect(parseGoDuration(formatGoDuration(ns))).toEqual({ ok: true, nanoseconds: ns });
      }),
    );
  });
});

describe("formatGoDuration", () => {
  it.each([
    [0n, "0s"],
    [1n, "1ns"],
    [1100n, "1.1\u00b5s"],
    [2200n * US, "2.2ms"],
    [3300n * MS, "3.3s"],
    [90n * S, "1m30s"],
    [4n * MIN + 5n * S, "4m5s"],
    [H + 10n * S, "1h0m10s"],
    [-(1500n * MS), "-1.5s"],
  ])("%s is %s", (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});

describe("wholeSeconds", () => {
  it("truncates toward zero like int(d.Seconds())", () => {
    expect(wholeSeconds(3999n * MS)).toBe(3n);
    expect(wholeSeconds(999n * MS)).toBe(0n);
    expect(wholeSeconds(-(1500n * MS))).toBe(-1n);
  });
});
