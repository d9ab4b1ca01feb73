import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Reader, type ReaderErrors } from "./reader.ts";

/** What a protocol's factory was asked to build, kept on the error for the assertions. */
class ProbeError extends Error {
  constructor(
    readonly code: "TRUNCATED" | "TRAILING",
    readonly what: string,
    readonly counts: readonly number[],
  ) {
    super(`${code} ${what} ${counts.join(" ")}`);
  }
}

const probe: ReaderErrors = {
  onTruncated: (what, need, left) => new ProbeError("TRUNCATED", what, [need, left]),
  onTrailing: (what, left) => new ProbeError("TRAILING", what, [left]),
};

const bytes = (...b: number[]) => new Uint8Array(b);

function thrown(fn: () => unknown): ProbeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProbeError);
    return err as ProbeError;
  }
  throw new Error("expected a ProbeError, nothing was thrown");
}

describe("Reader reads big-endian fields and advances", () => {
  test("u8, u16, u32, take, copy, skip, rest in sequence", () => {
    const input = bytes(0x01, 0x02, 0x03, 0xff, 0xfe, 0xfd, 0xfc, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x11, 0x22);
    const r = new Reader(input, probe);
    expect(r.u8("a")).toBe(0x01);
    expect(r.u16("b")).toBe(0x0203);
    expect(r.u32("c")).toBe(0xfffefdfc); // top bit set: still unsigned
    expect(r.remaining).toBe(7);
    const view = r.take(2, "d");
    expect([...view]).toEqual([0xaa, 0xbb]);
    const copy = r.copy(2, "e");
    expect([...copy]).toEqual([0xcc, 0xdd]);
    r.skip(1, "f");
    expect([...r.rest()]).toEqual([0x11, 0x22]);
    expect(r.remaining).toBe(0);
    r.end("all");
    input[7] = 0;
    input[9] = 0;
    expect(view[0]).toBe(0); // take is a view of the input
    expect(copy[0]).toBe(0xcc); // copy is not
  });

  test("copy is a copy even of a Buffer, whose own slice() is a view", () => {
    const input = Buffer.from([1, 2, 3]);
    const copy = new Reader(input, probe).copy(2, "x");
    input[0] = 9;
    expect([...copy]).toEqual([1, 2]);
  });

  test("offset and limit bound the window", () => {
    const r = new Reader(bytes(9, 1, 2, 3, 9), probe, 1, 4);
    expect(r.remaining).toBe(3);
    expect(r.u16("x")).toBe(0x0102);
    expect(r.offset).toBe(3);
    expect(thrown(() => r.u16("y"))).toMatchObject({ code: "TRUNCATED", what: "y", counts: [2, 1] });
  });

  test.each([
    [-1, 2],
    [0, 6],
    [3, 2],
  ])("a window [%i, %i) outside 5 bytes is the caller's bug: a RangeError, or the protocol's own", (offset, limit) => {
    expect(() => new Reader(bytes(1, 2, 3, 4, 5), probe, offset, limit)).toThrow(RangeError);
    const own: ReaderErrors = { ...probe, onBadWindow: (o, l, size) => new ProbeError("TRUNCATED", "window", [o, l, size]) };
    expect(() => new Reader(bytes(1, 2, 3, 4, 5), own, offset, limit)).toThrow(expect.objectContaining({ what: "window", counts: [offset, limit, 5] }));
  });
});

describe("Reader raises the protocol's errors", () => {
  // [read, bytes available, need]
  test.each([
    ["u8", 0, 1],
    ["u16", 1, 2],
    ["u32", 3, 4],
    ["take", 4, 5],
    ["copy", 4, 5],
    ["skip", 4, 5],
    ["sub", 4, 5],
    ["require", 4, 5],
  ] as const)("%s with %i byte(s) left needs %i: truncated, nothing consumed", (read, left, need) => {
    const r = new Reader(new Uint8Array(left), probe);
    const call: Record<typeof read, () => unknown> = {
      u8: () => r.u8("field"),
      u16: () => r.u16("field"),
      u32: () => r.u32("field"),
      take: () => r.take(need, "field"),
      copy: () => r.copy(need, "field"),
      skip: () => r.skip(need, "field"),
      sub: () => r.sub(need, "field"),
      require: () => r.require(need, "field"),
    };
    expect(thrown(call[read])).toMatchObject({ code: "TRUNCATED", what: "field", counts: [need, left] });
    expect(r.offset).toBe(0);
  });

  test("end() with bytes left is trailing; at the limit it passes", () => {
    const r = new Reader(bytes(1, 2, 3), probe);
    r.u8("a");
    expect(thrown(() => r.end("block"))).toMatchObject({ code: "TRAILING", what: "block", counts: [2] });
    r.skip(2, "b");
    expect(() => r.end("block")).not.toThrow();
  });

  test("an empty reader ends cleanly and reads nothing", () => {
    const r = new Reader(new Uint8Array(0), probe);
    expect(r.rest()).toHaveLength(0);
    expect(() => r.end("empty")).not.toThrow();
  });
});

describe("sub-readers", () => {
  test("a sub-reader is limited to its length and the parent moves past it", () => {
    const r = new Reader(bytes(2, 0xaa, 0xbb, 0x07), probe);
    const len = r.u8("length");
    const body = r.sub(len, "body");
    expect(r.offset).toBe(3);
    expect(body.u8("x")).toBe(0xaa);
    expect(thrown(() => body.u16("y"))).toMatchObject({ code: "TRUNCATED", counts: [2, 1] });
    expect(thrown(() => body.end("body"))).toMatchObject({ code: "TRAILING", counts: [1] });
    expect(r.u8("after")).toBe(0x07); // the parent never saw the body's failure
    r.end("whole");
  });

  test("a sub-reader inherits the parent's errors unless given others", () => {
    const other: ReaderErrors = {
      onTruncated: (what, need, left) => new ProbeError("TRUNCATED", `other ${what}`, [need, left]),
      onTrailing: (what, left) => new ProbeError("TRAILING", `other ${what}`, [left]),
    };
    const r = new Reader(bytes(1, 2, 3, 4), probe);
    expect(r.sub(2, "a").errors).toBe(probe);
    const s = r.sub(2, "b", other);
    expect(thrown(() => s.u32("c")).what).toBe("other c");
    expect(thrown(() => new Reader(bytes(1), probe).end("d", other)).what).toBe("other d");
  });

  test("truncation of the declared length itself raises the parent's errors", () => {
    const other: ReaderErrors = {
      onTruncated: () => new ProbeError("TRUNCATED", "other", []),
      onTrailing: () => new ProbeError("TRAILING", "other", []),
    };
    expect(thrown(() => new Reader(bytes(1, 2), probe).sub(3, "body", other))).toMatchObject({ what: "body", counts: [3, 2] });
  });
});

describe("laws", () => {
  test("reading a u8/u16/u32 sequence gives the values a DataView sees", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.constantFrom(1, 2, 4), { maxLength: 20 }), (input, widths) => {
        const r = new Reader(input, probe);
        const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
        let at = 0;
        for (const w of widths) {
          if (at + w > input.length) {
            expect(() => (w === 1 ? r.u8("x") : w === 2 ? r.u16("x") : r.u32("x"))).toThrow(ProbeError);
            expect(r.offset).toBe(at);
            return;
          }
          const got = w === 1 ? r.u8("x") : w === 2 ? r.u16("x") : r.u32("x");
          expect(got).toBe(w === 1 ? view.getUint8(at) : w === 2 ? view.getUint16(at) : view.getUint32(at));
          at += w;
        }
        expect(r.offset).toBe(at);
      }),
    );
  });

  test("no read ever leaves the window", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), fc.nat(), fc.array(fc.nat({ max: 8 }), { maxLength: 12 }), (input, a, b, sizes) => {
        const lo = a % input.length;
        const hi = lo + (b % (input.length - lo + 1));
        const r = new Reader(input, probe, lo, hi);
        for (const n of sizes) {
          try {
            const part = r.take(n, "x");
            expect(part.byteOffset - input.byteOffset + part.length).toBeLessThanOrEqual(hi);
          } catch (err) {
            expect(err).toBeInstanceOf(ProbeError);
          }
          expect(r.offset).toBeGreaterThanOrEqual(lo);
          expect(r.offset).toBeLessThanOrEqual(hi);
        }
      }),
    );
  });
});
