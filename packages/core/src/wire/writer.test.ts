import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Reader, type ReaderErrors } from "./reader.ts";
import { Writer, type WriterErrors } from "./writer.ts";

/** What a protocol's factory was asked to build, kept on the error for the assertions. */
class BugError extends Error {
  constructor(
    readonly code: "OVERFLOW" | "SIZE_MISMATCH",
    readonly counts: readonly number[],
  ) {
    super(`${code} ${counts.join(" ")}`);
  }
}

const bugs: WriterErrors = {
  onOverflow: (n, offset, size) => new BugError("OVERFLOW", [n, offset, size]),
  onSizeMismatch: (_what, written, expected) => new BugError("SIZE_MISMATCH", [written, expected]),
};

const readErrors: ReaderErrors = {
  onTruncated: (what) => new Error(`truncated ${what}`),
  onTrailing: (what) => new Error(`trailing ${what}`),
};

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("Writer writes big-endian fields in place", () => {
  test("u8, u16, u32, put, zeros, patchU16", () => {
    const w = Writer.alloc(15, bugs);
    w.u8(0x01);
    w.u16(0x0000); // patched below
    w.u32(0xfffefdfc);
    w.put(new Uint8Array([0xaa, 0xbb]));
    w.zeros(3);
    w.u16(0x1234);
    w.u8(0x1ff); // a store truncates modulo 256, as the codecs rely on
    w.patchU16(1, 0xbeef);
    expect(hex(w.bytes)).toBe("01beeffffefdfcaabb0000001234ff");
    expect(w.offset).toBe(15);
    expect(() => w.assertWritten("all", 15, 0)).not.toThrow();
  });

  test("writing at an offset touches only the bytes it writes", () => {
    const big = new Uint8Array(8).fill(0xa5);
    const w = new Writer(big, bugs, 3);
    w.u16(0x0102);
    expect(hex(big)).toBe("a5a5a50102a5a5a5");
    expect(() => w.assertWritten("two", 2, 3)).not.toThrow();
  });
});

describe("Writer raises the protocol's errors for codec bugs", () => {
  test.each([
    ["u8", 0, (w: Writer) => w.u8(1), [1, 0, 0]],
    ["u16", 1, (w: Writer) => w.u16(1), [2, 0, 1]],
    ["u32", 3, (w: Writer) => w.u32(1), [4, 0, 3]],
    ["put", 2, (w: Writer) => w.put(new Uint8Array(3)), [3, 0, 2]],
    ["zeros", 2, (w: Writer) => w.zeros(3), [3, 0, 2]],
    ["patchU16 past the end", 3, (w: Writer) => w.patchU16(2, 1), [2, 2, 3]],
    ["patchU16 before the start", 3, (w: Writer) => w.patchU16(-1, 1), [2, -1, 3]],
  ] as const)("%s into %i byte(s) overflows and writes nothing", (_name, size, write, counts) => {
    const w = Writer.alloc(size, bugs);
    expect(() => write(w)).toThrow(expect.objectContaining({ code: "OVERFLOW", counts }));
    expect(w.offset).toBe(0);
    expect(w.bytes.every((b) => b === 0)).toBe(true);
  });

  test("assertWritten counts from the position it is given", () => {
    const w = new Writer(new Uint8Array(10), bugs, 2);
    w.u32(7);
    expect(() => w.assertWritten("x", 3, 2)).toThrow(expect.objectContaining({ code: "SIZE_MISMATCH", counts: [4, 3] }));
    const mark = w.offset;
    w.u16(1);
    expect(() => w.assertWritten("y", 2, mark)).not.toThrow();
    expect(() => w.assertWritten("y", 3, mark)).toThrow(expect.objectContaining({ code: "SIZE_MISMATCH", counts: [2, 3] }));
  });
});

describe("laws", () => {
  test("what the Writer writes, the Reader reads back, and a DataView agrees", () => {
    const field = fc.oneof(
      fc.record({ w: fc.constant(1 as const), v: fc.integer({ min: 0, max: 0xff }) }),
      fc.record({ w: fc.constant(2 as const), v: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record({ w: fc.constant(4 as const), v: fc.integer({ min: 0, max: 0xffff_ffff }) }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), (fields) => {
        const size = fields.reduce((n, f) => n + f.w, 0);
        const w = Writer.alloc(size, bugs);
        for (const f of fields) (f.w === 1 ? w.u8 : f.w === 2 ? w.u16 : w.u32).call(w, f.v);
        w.assertWritten("fields", size, 0);
        const view = new DataView(w.bytes.buffer);
        const r = new Reader(w.bytes, readErrors);
        let at = 0;
        for (const f of fields) {
          expect(f.w === 1 ? view.getUint8(at) : f.w === 2 ? view.getUint16(at) : view.getUint32(at)).toBe(f.v);
          expect(f.w === 1 ? r.u8("x") : f.w === 2 ? r.u16("x") : r.u32("x")).toBe(f.v);
          at += f.w;
        }
        r.end("fields");
      }),
    );
  });
});
