import { describe, expect, it } from "vitest";
import { Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";
import { l2Reader, l2Writer, writeErrors } from "./wire.ts";

describe("l2 readers and writers raise L2Error codes", () => {
  it.each([
    ["a u16 from one byte", () => l2Reader(new Uint8Array(1)).u16("EtherType"), "L2_TRUNCATED"],
    ["a sub-reader past the end", () => l2Reader(new Uint8Array(3)).sub(4, "NDP option"), "L2_TRUNCATED"],
    ["bytes left inside a length", () => l2Reader(new Uint8Array(2)).end("NDP option"), "L2_TRAILING_BYTES"],
    ["a window outside the bytes", () => l2Reader(new Uint8Array(4), 2, 5), "L2_INVALID_ARGUMENT"],
    ["a write past the buffer", () => l2Writer(3).u32(1), "L2_INVALID_ARGUMENT"],
  ])("%s", (_name, f, code) => {
    expect(f).toThrow(L2Error);
    expect(f).toThrow(expect.objectContaining({ code }));
  });

  it("an encoder that disagrees with its sizeOf is a bug, not an L2Error", () => {
    const w = new Writer(new Uint8Array(6), writeErrors, 2);
    w.u16(1);
    expect(() => w.assertWritten("ARP", 3)).toThrow(Error);
    expect(() => w.assertWritten("ARP", 3)).not.toThrow(L2Error);
    expect(() => w.assertWritten("ARP", 2)).not.toThrow();
  });
});
