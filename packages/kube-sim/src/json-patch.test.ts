import { describe, expect, it } from "vitest";
import { KubeSimError } from "./errors.ts";
import { applyJsonPatch, parseJsonPatch, parsePointer } from "./json-patch.ts";
import type { JsonValue } from "./object.ts";

// RFC 6902 Appendix A examples that succeed: [document, patch, result].
const ok: [string, JsonValue, JsonValue, JsonValue][] = [
  ["A.1 add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { baz: "qux", foo: "bar" }],
  ["A.2 add an array element", { foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }], { foo: ["bar", "qux", "baz"] }],
  ["A.3 remove an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
  ["A.4 remove an array element", { foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], { foo: ["bar", "baz"] }],
  ["A.5 replace a value", { baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }], { baz: "boo", foo: "bar" }],
  [
    "A.6 move a value",
    { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  ],
  ["A.7 move an array element", { foo: ["all", "grass", "cows", "eat"] }, [{ op: "move", from: "/foo/1", path: "/foo/3" }], { foo: ["all", "cows", "eat", "grass"] }],
  ["A.8 test a value (success)", { baz: "qux", foo: ["a", 2, "c"] }, [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }], { baz: "qux", foo: ["a", 2, "c"] }],
  ["A.10 add a nested member object", { foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }], { foo: "bar", child: { grandchild: {} } }],
  ["A.11 ignore unrecognized elements", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux", xyz: 123 }], { foo: "bar", baz: "qux" }],
  ["A.14 ~ escape ordering", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }], { "/": 9, "~1": 10 }],
  ["A.16 add an array value", { foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], { foo: ["bar", ["abc", "def"]] }],
  ["copy", { a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }], { a: { b: 1 }, c: { b: 1 } }],
  ["replace the root", { a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }], { b: 2 }],
];

// Patches that parse but cannot be applied are 422 Invalid; malformed ones 400 BadRequest.
const failing: [string, JsonValue, JsonValue, string, number][] = [
  ["A.9 test a value (error)", { baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], "Invalid", 422],
  ["A.12 add to a nonexistent target", { foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], "Invalid", 422],
  ["A.15 comparing strings and numbers", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }], "Invalid", 422],
  ["remove a missing member", { a: 1 }, [{ op: "remove", path: "/b" }], "Invalid", 422],
  ["replace a missing member", { a: 1 }, [{ op: "replace", path: "/b", value: 2 }], "Invalid", 422],
  ["array index out of range", { a: [1] }, [{ op: "add", path: "/a/5", value: 2 }], "Invalid", 422],
  ["move into a child", { a: { b: {} } }, [{ op: "move", from: "/a", path: "/a/b/c" }], "Invalid", 422],
  ["not an array", { a: 1 }, { op: "add", path: "/a", value: 1 }, "BadRequest", 400],
  ["unknown op", { a: 1 }, [{ op: "frobnicate", path: "/a" }], "BadRequest", 400],
  ["add without value", { a: 1 }, [{ op: "add", path: "/b" }], "BadRequest", 400],
  ["A.13 invalid pointer", { a: 1 }, [{ op: "add", path: "a", value: 1 }], "BadRequest", 400],
];

describe("JSON patch (RFC 6902)", () => {
  it.each(ok)("%s", (_name, doc, patch, want) => {
    const before = JSON.stringify(doc);
    expect(applyJsonPatch(doc, parseJsonPatch(patch))).toEqual(want);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it.each(failing)("%s fails with %s", (_name, doc, patch, reason, code) => {
    try {
      applyJsonPatch(doc, parseJsonPatch(patch));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KubeSimError);
      expect((e as KubeSimError).code).toBe(reason);
      expect((e as KubeSimError).httpStatus).toBe(code);
    }
  });

  it("a failing operation leaves the document untouched (RFC 6902 §5)", () => {
    const doc = { a: 1 };
    expect(() => applyJsonPatch(doc, parseJsonPatch([{ op: "add", path: "/b", value: 2 }, { op: "test", path: "/a", value: 9 }]))).toThrow(KubeSimError);
    expect(doc).toEqual({ a: 1 });
  });

  it("decodes JSON pointers (RFC 6901)", () => {
    expect(parsePointer("")).toEqual([]);
    expect(parsePointer("/a~1b/~0c/0")).toEqual(["a/b", "~c", "0"]);
    expect(parsePointer("/metadata/annotations/ironlb.io~1pool")).toEqual(["metadata", "annotations", "ironlb.io/pool"]);
  });
});
