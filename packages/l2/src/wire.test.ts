import { describe, expect, it } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";
import { l2ReadErrors, l2WriteErrors } from "./wire.ts";

describe("l2 readers and writers raise L2Error codes", () => {
  it.each([
    ["a u16 from one byte", () => new Reader(new Uint8Array(1), l2ReadErrors).u16("EtherType"), "L2_TRUNCATED"],
    ["a sub-reader past the end", () => new Reader(new Uint8Array(3), l2ReadErrors).sub(4, "NDP option"), "L2_TRUNCATED"],
    ["bytes left inside a length", () => new Reader(new Uint8Array(2), l2ReadErrors).end("NDP option"), "L2_TRAILING_BYTES"],
    ["a window outside the bytes", () => new Reader(new Uint8Array(4), l2ReadErrors, 2, 5), "L2_INVALID_ARGUMENT"],
    ["a write past the buffer", () => Writer.alloc(3, l2WriteErrors).u32(1), "L2_INVALID_ARGUMENT"],
  ])("%s", (_name, f, code) => {
    expect(f).toThrow(L2Error);
    expect(f).toThrow(expect.objectContaining({ code }));
  });

  it("an encoder that disagrees with its sizeOf is a bug, not an L2Error", () => {
    const w = new Writer(new Uint8Array(6), l2WriteErrors, 2);
    w.u16(1);
    expect(() => w.assertWritten("ARP", 3, 2)).toThrow(Error);
    expect(() => w.assertWritten("ARP", 3, 2)).not.toThrow(L2Error);
    expect(() => w.assertWritten("ARP", 2, 2)).not.toThrow();
  });
});
