import { describe, expect, it } from "vitest";
import { use } from "./pools.ts";

describe("pools: use per family", () => {
  it.each([
    [{ size: "0", inUse: "0", available: "0" }, "-"],
    [{ size: "48", inUse: "0", available: "48" }, "0/48 (0%)"],
    [{ size: "48", inUse: "2", available: "46" }, "2/48 (4.1%)"],
    [{ size: "16", inUse: "16", available: "0" }, "16/16 (100%)"],
    [{ size: String(2n ** 64n), inUse: "1", available: String(2n ** 64n - 1n) }, "1/2^64 (<0.1%)"],
    [{ size: String(2n ** 64n + 5n), inUse: "0", available: "0" }, "0/~2^64 (0%)"],
    [{ size: "999999", inUse: "999999", available: "0" }, "999999/999999 (100%)"],
  ])("%j -> %s", (family, want) => {
    expect(use(family)).toBe(want);
  });
});
