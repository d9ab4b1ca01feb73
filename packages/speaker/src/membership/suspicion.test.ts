import { describe, expect, it } from "vitest";
import { defaultConfig, memberlistLanConfig, resolveConfig, retransmitLimit } from "./config.ts";
import { Suspicion, suspicionBounds, suspicionTimeout } from "./suspicion.ts";

describe("suspicion bounds with the defaults (probe 200 ms, mult 1.5, max 3x, k 2)", () => {
  const rows: readonly [number, { min: number; max: number; k: number }][] = [
    [2, { min: 300, max: 300, k: 0 }],
    [3, { min: 300, max: 300, k: 0 }], // no one could confirm: minimum at once
    [4, { min: 300, max: 900, k: 2 }],
    [10, { min: 300, max: 900, k: 2 }],
    [50, { min: 509, max: 1527, k: 2 }], // 1.5 x log10(50) x 200
    [100, { min: 600, max: 1800, k: 2 }],
  ];
  it.each(rows)("n = %d -> %o", (n, want) => {
    expect(suspicionBounds(defaultConfig, n)).toEqual(want);
  });

  it("memberlist's LAN defaults give its 4 s minimum for a small cluster", () => {
    expect(suspicionBounds(memberlistLanConfig, 3).min).toBe(4000);
  });
});

describe("suspicionTimeout", () => {
  const b = { min: 300, max: 900, k: 2 };
  it.each([
    [0, 900],
    [1, 521], // 900 - 600 x log 2 / log 3
    [2, 300],
    [5, 300],
  ])("%d confirmations -> %d ms", (c, want) => {
    expect(suspicionTimeout(b, c)).toBe(want);
  });
});

describe("Suspicion", () => {
  it("counts distinct confirmers beyond the first suspecter, up to k", () => {
    const s = new Suspicion(1000, { min: 300, max: 900, k: 2 }, "a");
    expect(s.deadline).toBe(1900);
    expect(s.confirm("a")).toBe(false); // the suspecter repeating itself
    expect(s.confirm("b")).toBe(true);
    expect(s.deadline).toBe(1521);
    expect(s.confirm("b")).toBe(false);
    expect(s.confirm("c")).toBe(true);
    expect(s.deadline).toBe(1300);
    expect(s.confirm("d")).toBe(false); // past k: nothing left to shorten
  });
});

describe("config", () => {
  it("the defaults are valid", () => {
    expect(resolveConfig()).toEqual(defaultConfig);
    expect(resolveConfig(memberlistLanConfig)).toEqual(memberlistLanConfig);
  });

  it.each([
    [{ probeInterval: 0 }, /probeInterval/],
    [{ probeTimeout: 200 }, /probeTimeout \(200\) must be shorter/],
    [{ gossipNodes: 1.5 }, /gossipNodes/],
    [{ maxPacketSize: 100 }, /maxPacketSize/],
    [{ nonsense: 1 } as object, /unknown setting "nonsense"/],
  ])("%o -> MEMBERSHIP_BAD_CONFIG", (partial, message) => {
    expect(() => resolveConfig(partial)).toThrow(message);
    expect(() => resolveConfig(partial)).toThrow(/MEMBERSHIP_BAD_CONFIG/);
  });

  it.each([
    [1, 4],
    [3, 4],
    [9, 4],
    [10, 8],
    [50, 8],
    [100, 12],
  ])("retransmit limit for n = %d is %d", (n, want) => {
    expect(retransmitLimit(defaultConfig, n)).toBe(want);
  });
});
