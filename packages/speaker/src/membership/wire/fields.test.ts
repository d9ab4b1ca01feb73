import { describe, expect, it } from "vitest";
import { Writer } from "@ironlb/core/wire";
import { expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { readShortString, readU64, shortStringSize, wireReader, wireWriter, writeErrors, writeShortString, writeU64 } from "./fields.ts";

describe("membership readers raise WireError codes", () => {
  it.each([
    ["a u32 from three bytes", () => wireReader(unhex("010203")).u32("seq"), "WIRE_TRUNCATED"],
    ["a length past the end", () => wireReader(unhex("0102")).sub(3, "body"), "WIRE_TRUNCATED"],
    ["bytes left after a body", () => wireReader(unhex("01")).end("body"), "WIRE_TRAILING"],
    ["a u64 cut after its high half", () => readU64(wireReader(unhex("00000000 0102")), "incarnation"), "WIRE_TRUNCATED"],
    ["a u64 of 2^53", () => readU64(wireReader(unhex("00200000 00000000")), "incarnation"), "WIRE_INVALID"],
    ["a string longer than what is left", () => readShortString(wireReader(unhex("03 6162")), "name"), "WIRE_TRUNCATED"],
    ["a string that is not UTF-8", () => readShortString(wireReader(unhex("02 c328")), "name"), "WIRE_INVALID"],
  ] as const)("%s", (_name, read, code) => {
    expectWireError(read, code);
  });
});

describe("u64 and short strings", () => {
  it.each([0, 1, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER])("u64 %d round-trips", (v) => {
    const w = wireWriter(8);
    writeU64(w, v);
    expect(readU64(wireReader(w.bytes), "v")).toBe(v);
  });

  it("u64 is big-endian", () => {
    const w = wireWriter(8);
    writeU64(w, 0x0102_0304_0506);
    expect(hex(w.bytes)).toBe("0000010203040506");
  });

  it.each([-1, 1.5, 2 ** 53])("writing %d as a u64 is a RangeError", (v) => {
    expect(() => writeU64(wireWriter(8), v)).toThrow(RangeError);
  });

  it.each(["", "node-a", "nœud-ü", "x".repeat(255)])("short string %j round-trips and measures its size", (s) => {
    const w = wireWriter(shortStringSize(s));
    writeShortString(w, s);
    w.assertWritten("string", shortStringSize(s));
    const r = wireReader(w.bytes);
    expect(readShortString(r, "s")).toBe(s);
    r.end("s");
  });

  it("a string over 255 UTF-8 bytes is a RangeError", () => {
    expect(() => writeShortString(wireWriter(300), "ü".repeat(128))).toThrow(RangeError);
  });
});

describe("membership writers report codec bugs as RangeError", () => {
  it("writing past the buffer", () => {
    expect(() => wireWriter(3).u32(1)).toThrow(RangeError);
  });

  it("writing other than sizeOf said", () => {
    const w = new Writer(new Uint8Array(6), writeErrors, 2);
    w.u16(1);
    expect(() => w.assertWritten("ping", 3)).toThrow(RangeError);
    expect(() => w.assertWritten("ping", 2)).not.toThrow();
  });
});
