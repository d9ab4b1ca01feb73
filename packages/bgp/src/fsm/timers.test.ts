import { describe, expect, test } from "vitest";
import { backoffDelay, jitter } from "./timers.ts";

describe("timers", () => {
  test("jitter scales by 0.75..1.0 (RFC 4271 §10)", () => {
    expect(jitter(1000, () => 0)).toBe(750);
    expect(jitter(1000, () => 0.999999)).toBe(1000);
    expect(jitter(1000, () => 0.5)).toBe(875);
  });
  test("backoff doubles from the initial delay up to the cap", () => {
    const cfg = { initialMs: 500, maxMs: 5000 };
    expect([0, 1, 2, 3, 4, 5, 100].map((a) => backoffDelay(a, cfg))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
});
