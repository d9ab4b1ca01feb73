import { describe, expect, test } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { expectWireError, unhex } from "./codec-laws.fixtures.ts";
import { BgpWireError } from "./errors.ts";
import { bgpReadErrors, bgpWriteErrors } from "./wire.ts";

// Two meanings a short read can have, as the decoders pass them.
const header = (m: string) => new BgpWireError(m, { code: 1, subcode: 2 });
const open = (m: string) => new BgpWireError(m, { code: 2, subcode: 0 });

describe("BGP readers raise the BgpWireError their caller chose", () => {
  test.each([
    ["u8 on nothing", "", (r: Reader) => r.u8("version")],
    ["u16 on one byte", "01", (r: Reader) => r.u16("my AS")],
    ["u32 on three bytes", "010203", (r: Reader) => r.u32("BGP identifier")],
    ["take past the limit", "0102", (r: Reader) => r.take(3, "value")],
    ["a sub-reader longer than what is left", "0102", (r: Reader) => r.sub(3, "parameters")],
    ["end with a byte left", "01", (r: Reader) => r.end("OPEN")],
  ])("%s", (_name, wire, read) => {
    expectWireError(() => read(new Reader(unhex(wire), bgpReadErrors(header))), { code: 1, subcode: 2 });
  });

  test("a sub-reader and an end() can carry another meaning", () => {
    const r = new Reader(unhex("02 aabb cc"), bgpReadErrors(header));
    const params = r.sub(r.u8("length"), "parameters", bgpReadErrors(open));
    params.u16("value");
    expectWireError(() => params.u8("more"), { code: 2, subcode: 0 });
    expectWireError(() => r.end("message", bgpReadErrors(open)), { code: 2, subcode: 0 });
    expectWireError(() => r.end("message"), { code: 1, subcode: 2 });
  });

  test("the sentence names the field and the counts", () => {
    const e = expectWireError(() => new Reader(unhex("01"), bgpReadErrors(header)).u32("hold time"), { code: 1, subcode: 2 });
    expect(e.message).toContain("hold time");
  });
});

describe("BGP writers report encoder bugs as BGP_ASSERTION", () => {
  test("writing past the buffer", () => {
    const w = Writer.alloc(1, bgpWriteErrors);
    expect(() => w.u16(1)).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
  });

  test("writing other than sizeOf said", () => {
    const w = new Writer(new Uint8Array(8), bgpWriteErrors, 2);
    w.u32(1);
    expect(() => w.assertWritten("OPEN", 5, 2)).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
    expect(() => w.assertWritten("OPEN", 4, 2)).not.toThrow();
  });
});
