import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { IntervalSet } from "./interval-set.ts";

const list = (s: IntervalSet): [number, number][] => [...s.intervals()].map(([a, b]) => [Number(a), Number(b)]);

describe("IntervalSet scenarios", () => {
  test("add merges overlapping and adjacent intervals", () => {
    const s = new IntervalSet();
    expect(s.add(10n, 20n)).toBe(11n);
    expect(s.add(30n, 40n)).toBe(11n);
    expect(list(s)).toEqual([[10, 20], [30, 40]]);
    expect(s.add(21n, 29n)).toBe(9n); // exactly fills the gap: adjacent on both sides
    expect(list(s)).toEqual([[10, 40]]);
    expect(s.add(5n, 50n)).toBe(15n); // 5..9 and 41..50
    expect(list(s)).toEqual([[5, 50]]);
    expect(s.size).toBe(46n);
    expect(s.intervalCount).toBe(1);
  });

  test("delete splits and trims", () => {
    const s = new IntervalSet([[0n, 99n]]);
    expect(s.delete(10n)).toBe(1n);
    expect(s.delete(20n, 29n)).toBe(10n);
    expect(s.delete(20n, 29n)).toBe(0n);
    expect(list(s)).toEqual([[0, 9], [11, 19], [30, 99]]);
    expect(s.delete(5n, 35n)).toBe(5n + 9n + 6n);
    expect(list(s)).toEqual([[0, 4], [36, 99]]);
    expect(s.size).toBe(5n + 64n);
  });

  test("firstAtOrAfter", () => {
    const s = new IntervalSet([[10n, 20n], [30n, 40n]]);
    expect(s.firstAtOrAfter(0n)).toBe(10n);
    expect(s.firstAtOrAfter(15n)).toBe(15n);
    expect(s.firstAtOrAfter(21n)).toBe(30n);
    expect(s.firstAtOrAfter(41n)).toBeUndefined();
  });

  test("a whole /64 is one interval and is never enumerated", () => {
    const base = 0x20010db8000000000000000000000000n;
    const s = new IntervalSet([[base, base + (1n << 64n) - 1n]]);
    s.delete(base);
    s.delete(base + (1n << 63n));
    expect(s.size).toBe((1n << 64n) - 2n);
    expect(s.intervalCount).toBe(2);
    expect(s.firstAtOrAfter(base)).toBe(base + 1n);
    expect(s.firstAtOrAfter(base + (1n << 63n))).toBe(base + (1n << 63n) + 1n);
  });

  test("clone is independent", () => {
    const a = new IntervalSet([[1n, 10n]]);
    const b = a.clone();
    b.delete(5n);
    expect(list(a)).toEqual([[1, 10]]);
    expect(list(b)).toEqual([[1, 4], [6, 10]]);
  });
});

describe("IntervalSet against a naive model (property)", () => {
  const op = fc.record({
    kind: fc.constantFrom("add", "delete"),
    lo: fc.integer({ min: 0, max: 300 }),
    len: fc.integer({ min: 0, max: 20 }),
  });
  test("membership, size, firstAtOrAfter, canonical intervals, balance", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const s = new IntervalSet();
        const model = new Set<number>();
        for (const o of ops) {
          const lo = o.lo, hi = o.lo + o.len;
          let changed = 0;
          for (let x = lo; x <= hi; x++) {
            if (o.kind === "add" && !model.has(x)) { model.add(x); changed++; }
            if (o.kind === "delete" && model.has(x)) { model.delete(x); changed++; }
          }
          const got = o.kind === "add" ? s.add(BigInt(lo), BigInt(hi)) : s.delete(BigInt(lo), BigInt(hi));
          expect(got).toBe(BigInt(changed));
        }
        expect(s.size).toBe(BigInt(model.size));
        for (let x = 0; x <= 330; x += 7) {
          expect(s.has(BigInt(x))).toBe(model.has(x));
          let want: number | undefined;
          for (let y = x; y <= 330; y++) if (model.has(y)) { want = y; break; }
          expect(s.firstAtOrAfter(BigInt(x))).toBe(want === undefined ? undefined : BigInt(want));
        }
        // Canonical: ascending, disjoint, never adjacent.
        const iv = list(s);
        for (let i = 1; i < iv.length; i++) expect(iv[i]![0]).toBeGreaterThan(iv[i - 1]![1] + 1);
        expect(iv.length).toBe(s.intervalCount);
        // AVL: height <= 1.45 log2(n + 2).
        expect(s.height).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(s.intervalCount + 2)));
      }),
      { numRuns: 300 },
    );
  });
});
