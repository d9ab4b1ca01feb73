import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbName } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, hex, unhex } from "./codec-laws.fixtures.ts";
import { deriveKey, headerCodec, MIN_PACKET, openPacket, sealPacket, TAG_SIZE, type PacketHeader } from "./packet.ts";

const key = deriveKey(new TextEncoder().encode("s3cret"));
const other = deriveKey(new TextEncoder().encode("other"));
const header: PacketHeader = { session: 0x1234_5678_9abc, seq: 3, time: 1_767_225_600_000, from: "n1", to: "n2" };
const ping = unhex("01 0004 00000007");

describe("key derivation", () => {
  it("is sha256 of the secret bytes, 32 bytes, as MetalLB derives its memberlist key", () => {
    // Computed independently: `printf s3cret | sha256sum`.
    expect(hex(key)).toBe("1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0");
  });
});

describe("header codec", () => {
  it("golden bytes and round-trip laws", () => {
    const wire = `494c 01 00          // magic "IL", version 1, flags
                  0000123456789abc     // session
                  00000003             // seq
                  0000019b76daa800     // time: 2026-01-01T00:00:00Z
                  02 6e31 02 6e32      // from "n1", to "n2"`;
    expect(hex(assertCodecLaws(headerCodec, header))).toBe(hex(unhex(wire)));
  });

  it("round-trips any header (property)", () => {
    const arb = fc.record({
      session: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      seq: fc.nat(0xffff_ffff),
      time: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      from: arbName,
      to: fc.oneof(fc.constant(""), arbName),
    });
    fc.assert(fc.property(arb, (h) => void assertCodecLaws(headerCodec, h)), { numRuns: 300 });
  });
});

describe("seal and open", () => {
  it("opens what it sealed, with the body as the messages", () => {
    const bytes = sealPacket(header, [ping], key);
    const opened = openPacket(bytes, [key]);
    expect(opened).toEqual({ ok: true, header, body: ping });
    // The tag is HMAC-SHA256 over everything before it.
    const tag = createHmac("sha256", key).update(bytes.subarray(0, bytes.length - TAG_SIZE)).digest();
    expect(hex(bytes.subarray(bytes.length - TAG_SIZE))).toBe(hex(tag));
  });

  it("accepts a tag made with any key of the list (rotation)", () => {
    const bytes = sealPacket(header, [ping], other);
    expect(openPacket(bytes, [key, other]).ok).toBe(true);
    expect(openPacket(bytes, [key])).toMatchObject({ ok: false, reason: "bad-mac" });
  });

  const sealed = sealPacket(header, [ping], key);
  const rows: readonly [string, Uint8Array, string][] = [
    ["empty datagram", new Uint8Array(0), "too-short"],
    ["one byte short of the minimum", new Uint8Array(MIN_PACKET - 1), "too-short"],
    ["not ours (DNS-looking bytes)", new Uint8Array(MIN_PACKET).fill(0x12), "bad-magic"],
    ["version 2", Uint8Array.from([0x49, 0x4c, 2, ...new Uint8Array(MIN_PACKET)]), "bad-version"],
    ["signed with another key", sealPacket(header, [ping], other), "bad-mac"],
    ["last byte of the tag flipped", flip(sealed, sealed.length - 1), "bad-mac"],
    ["a message byte flipped", flip(sealed, sealed.length - TAG_SIZE - 1), "bad-mac"],
    ["the tag cut off", sealed.subarray(0, sealed.length - TAG_SIZE), "too-short"],
    ["the last tag byte cut off", sealed.subarray(0, sealed.length - 1), "bad-mac"],
    ["authentic but reserved flags set", sign(flip(unsigned(sealed), 3)), "malformed"],
    ["authentic but the to-name runs past the end", sign(unsigned(sealed).subarray(0, 28)), "malformed"],
  ];

  it.each(rows)("%s -> %s", (_desc, bytes, reason) => {
    expect(openPacket(bytes, [key])).toMatchObject({ ok: false, reason });
  });

  it("flipping any single byte is never accepted", () => {
    for (let i = 0; i < sealed.length; i++) {
      const r = openPacket(flip(sealed, i), [key]);
      expect(r.ok, `byte ${i}`).toBe(false);
    }
  });

  it("every truncation is rejected", () => {
    for (let n = 0; n < sealed.length; n++) expect(openPacket(sealed.subarray(0, n), [key]).ok, `length ${n}`).toBe(false);
  });

  it("fuzz: never throws, whatever arrives", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, magic) => {
        if (magic && bytes.length > 3) bytes.set([0x49, 0x4c, 1, 0]);
        const r = openPacket(bytes, [key]);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("fuzz: authentic junk after the magic is too short, malformed or decodes, never throws", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 100 }), (bytes) => {
        bytes.set([0x49, 0x4c, 1, 0]);
        const r = openPacket(sign(bytes), [key]);
        if (!r.ok) expect(["too-short", "malformed"]).toContain(r.reason);
      }),
      { numRuns: 2000 },
    );
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}

function unsigned(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, bytes.length - TAG_SIZE);
}

/** Appends a valid tag: the bytes become authentic, whatever they say. */
function sign(bytes: Uint8Array): Uint8Array {
  const tag = createHmac("sha256", key).update(bytes).digest();
  return new Uint8Array(Buffer.concat([bytes, tag]));
}
