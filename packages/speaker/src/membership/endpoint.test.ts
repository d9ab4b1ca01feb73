import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Reader, Writer } from "@ironlb/core/wire";
import { endpoint, endpointSize, formatEndpoint, parseEndpoint, readEndpoint, writeEndpoint } from "./endpoint.ts";
import { MembershipError } from "./errors.ts";
import { arbEndpoint } from "./wire/arbitraries.fixtures.ts";
import { assertCodecLaws, hex } from "./wire/codec-laws.fixtures.ts";
import { wireReadErrors, wireWriteErrors } from "./wire/fields.ts";

describe("parseEndpoint", () => {
  const ok: readonly [string, string, number][] = [
    ["10.99.0.1", "10.99.0.1", 7946],
    ["10.99.0.1:7000", "10.99.0.1", 7000],
    ["fd00:99::1", "fd00:99::1", 7946],
    ["[fd00:99::1]:7000", "fd00:99::1", 7000],
    ["[fd00:99::1]", "fd00:99::1", 7946],
    ["FD00:0099:0000::0001", "fd00:99::1", 7946],
    ["::ffff:10.99.0.1", "10.99.0.1", 7946],
    ["[::ffff:a63:1]:7946", "10.99.0.1", 7946],
  ];
  it.each(ok)("%s -> %s port %d", (text, address, port) => {
    expect(parseEndpoint(text)).toEqual({ address, port });
  });

  const bad = ["", "node-1", "10.99.0.1:", "10.99.0.1:70000", "10.99.0.256", "[fd00::1]:x", "fd00::1:7946:", "10.0.0.0/24", "fe80::1%eth0"];
  it.each(bad)("%j -> MEMBERSHIP_BAD_ADDRESS", (text) => {
    expect(() => parseEndpoint(text)).toThrow(MembershipError);
    try {
      parseEndpoint(text);
    } catch (err) {
      expect((err as MembershipError).code).toBe("MEMBERSHIP_BAD_ADDRESS");
    }
  });

  it("formats back to something it parses", () => {
    fc.assert(fc.property(arbEndpoint, (e) => void expect(parseEndpoint(formatEndpoint(e))).toEqual(e)));
  });

  it("rejects a port out of range", () => {
    expect(() => endpoint("10.99.0.1", 65536)).toThrow(/MEMBERSHIP_BAD_ADDRESS/);
  });
});

describe("endpoint codec", () => {
  const codec = { sizeOf: endpointSize, encode: writeEndpoint, decode: (r: Reader) => readEndpoint(r, "test") };
  it("golden IPv4 and IPv6", () => {
    expect(hex(assertCodecLaws(codec, endpoint("10.99.0.1", 7946)))).toBe("040a6300011f0a");
    expect(hex(assertCodecLaws(codec, endpoint("fd00:99::1", 7946)))).toBe("06fd0000990000000000000000000000011f0a");
  });
  it("round-trips (property)", () => {
    fc.assert(fc.property(arbEndpoint, (e) => void assertCodecLaws(codec, e)));
  });
  it("decodes an IPv4-mapped IPv6 address as IPv4 (one key per peer)", () => {
    const w = Writer.alloc(19, wireWriteErrors);
    w.u8(6);
    w.put(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 99, 0, 1]));
    w.u16(7946);
    expect(readEndpoint(new Reader(w.bytes, wireReadErrors), "t")).toEqual({ address: "10.99.0.1", port: 7946 });
  });
});
