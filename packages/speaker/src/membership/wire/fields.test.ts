import { describe, expect, it } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { expectWireError, hex, unhex } from "./codec-laws.fixtures.ts";
import { readShortString, readU64, shortStringSize, wireReadErrors, wireWriteErrors, writeShortString, writeU64 } from "./fields.ts";

describe("membership readers raise WireError codes", () => {
  it.each([
    ["a u32 from three bytes", () => new Reader(unhex("010203"), wireReadErrors).u32("seq"), "WIRE_TRUNCATED"],
    ["a length past the end", () => new Reader(unhex("0102"), wireReadErrors).sub(3, "body"), "WIRE_TRUNCATED"],
    ["bytes left after a body", () => new Reader(unhex("01"), wireReadErrors).end("body"), "WIRE_TRAILING"],
    ["a u64 cut after its high half", () => readU64(new Reader(unhex("00000000 0102"), wireReadErrors), "incarnation"), "WIRE_TRUNCATED"],
    ["a u64 of 2^53", () => readU64(new Reader(unhex("00200000 00000000"), wireReadErrors), "incarnation"), "WIRE_INVALID"],
    ["a string longer than what is left", () => readShortString(new Reader(unhex("03 6162"), wireReadErrors), "name"), "WIRE_TRUNCATED"],
    ["a string that is not UTF-8", () => readShortString(new Reader(unhex("02 c328"), wireReadErrors), "name"), "WIRE_INVALID"],
  ] as const)("%s", (_name, read, code) => {
    expectWireError(read, code);
  });
});

describe("u64 and short strings", () => {
  it.each([0, 1, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER])("u64 %d round-trips", (v) => {
    const w = Writer.alloc(8, wireWriteErrors);
    writeU64(w, v);
    expect(readU64(new Reader(w.bytes, wireReadErrors), "v")).toBe(v);
  });

  it("u64 is big-endian", () => {
    const w = Writer.alloc(8, wireWriteErrors);
    writeU64(w, 0x0102_0304_0506);
    expect(hex(w.bytes)).toBe("0000010203040506");
  });

  it.each([-1, 1.5, 2 ** 53])("writing %d as a u64 is a RangeError", (v) => {
    expect(() => writeU64(Writer.alloc(8, wireWriteErrors), v)).toThrow(RangeError);
  });

  it.each(["", "node-a", "nœud-ü", "x".repeat(255)])("short string %j round-trips and measures its size", (s) => {
    const w = Writer.alloc(shortStringSize(s), wireWriteErrors);
    writeShortString(w, s);
    w.assertWritten("string", shortStringSize(s), 0);
    const r = new Reader(w.bytes, wireReadErrors);
    expect(readShortString(r, "s")).toBe(s);
    r.end("s");
  });

  it("a string over 255 UTF-8 bytes is a RangeError", () => {
    expect(() => writeShortString(Writer.alloc(300, wireWriteErrors), "ü".repeat(128))).toThrow(RangeError);
  });
});

describe("membership writers report codec bugs as RangeError", () => {
  it("writing past the buffer", () => {
    expect(() => Writer.alloc(3, wireWriteErrors).u32(1)).toThrow(RangeError);
  });

  it("writing other than sizeOf said", () => {
    const w = new Writer(new Uint8Array(6), wireWriteErrors, 2);
    w.u16(1);
    expect(() => w.assertWritten("ping", 3, 2)).toThrow(RangeError);
    expect(() => w.assertWritten("ping", 2, 2)).not.toThrow();
  });
});
