import { describe, expect, it } from "vitest";
import { applyMergePatch } from "./merge-patch.ts";
import type { JsonValue } from "./object.ts";

// RFC 7386 Appendix A, every example: [original, patch, result].
const rfc7386: [JsonValue, JsonValue, JsonValue][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe("JSON merge patch (RFC 7386)", () => {
  it.each(rfc7386)("%j + %j = %j", (original, patch, want) => {
    const before = JSON.stringify(original);
    expect(applyMergePatch(original, patch)).toEqual(want);
    expect(JSON.stringify(original)).toBe(before); // the target is not modified
  });
});
