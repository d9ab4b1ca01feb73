// Round-trip laws for every codec (assertCodecLaws over generated values),
// golden frames from the Linux kernel and iputils decoded field by field,
// framing errors by code, and fuzzing under "if it parses, it re-encodes".
import { formatIp, parseIp } from "@ironlb/core/ip";
import { Reader, Writer } from "@ironlb/core/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeArp, encodeArp, sizeOfArp } from "./arp.ts";
import { arbArp, arbEthernet, arbIcmpv6, arbIpv6 } from "./arbitraries.fixtures.ts";
import { assertCodecLaws, hex, unhex } from "./codec-laws.fixtures.ts";
import { L2Error } from "./errors.ts";
import { decodeEthernet, encodeEthernet, sizeOfEthernet } from "./ethernet.ts";
import { parseFrame } from "./frames.ts";
import * as G from "./goldens.fixtures.ts";
import { decodeIpv6, encodeIpv6, sizeOfIpv6, upperLayerChecksum } from "./ipv6.ts";
import { decodeIcmpv6, encodeIcmpv6, sizeOfIcmpv6, type Icmpv6Message } from "./ndp.ts";
import { l2ReadErrors, l2WriteErrors } from "./wire.ts";

const ethernet = { decode: decodeEthernet, encode: encodeEthernet, sizeOf: sizeOfEthernet };
const arp = { decode: decodeArp, encode: encodeArp, sizeOf: sizeOfArp };
const ipv6 = { decode: decodeIpv6, encode: encodeIpv6, sizeOf: sizeOfIpv6 };
const icmpv6 = { decode: (r: Reader) => decodeIcmpv6(r), encode: (w: Writer, m: Icmpv6Message) => encodeIcmpv6(w, m), sizeOf: sizeOfIcmpv6 };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof L2Error) return e.code;
    throw e;
  }
  return undefined;
}

describe("round-trip laws", () => {
  it("Ethernet", () => fc.assert(fc.property(arbEthernet, (v) => void assertCodecLaws(ethernet, v)), { numRuns: 300 }));
  it("ARP", () => fc.assert(fc.property(arbArp, (v) => void assertCodecLaws(arp, v)), { numRuns: 300 }));
  it("IPv6", () => fc.assert(fc.property(arbIpv6, (v) => void assertCodecLaws(ipv6, v)), { numRuns: 300 }));
  it("ICMPv6 / NDP", () => fc.assert(fc.property(arbIcmpv6, (v) => void assertCodecLaws(icmpv6, v)), { numRuns: 500 }));
});

describe("golden frames from Linux and iputils", () => {
  it("arping's request", () => {
    const f = parseFrame(unhex(G.ARP_REQUEST_ARPING));
    expect(f.kind).toBe("arp");
    if (f.kind !== "arp") return;
    expect(f.ethernet).toMatchObject({ destination: "ff:ff:ff:ff:ff:ff", source: "02:00:00:00:bb:02", etherType: 0x0806 });
    expect(f.arp).toEqual({
      operation: 1,
      senderMac: "02:00:00:00:bb:02",
      senderIp: parseIp("10.99.250.2"),
      targetMac: "ff:ff:ff:ff:ff:ff",
      targetIp: parseIp("10.99.250.1"),
    });
  });

  it("the kernel's reply re-encodes byte for byte (before padding)", () => {
    const bytes = unhex(G.ARP_REPLY_KERNEL);
    const f = parseFrame(bytes);
    if (f.kind !== "arp") throw new Error("not ARP");
    expect(f.arp.operation).toBe(2);
    const w = Writer.alloc(28, l2WriteErrors);
    encodeArp(w, f.arp);
    expect(hex(w.bytes)).toBe(hex(bytes.subarray(14)));
  });

  it("gratuitous request, gratuitous reply and probe", () => {
    for (const [golden, op, sender] of [
      [G.ARP_GRATUITOUS_REQUEST_ARPING, 1, "10.99.250.2"],
      [G.ARP_GRATUITOUS_REPLY_ARPING, 2, "10.99.250.2"],
      [G.ARP_PROBE_ARPING, 1, "0.0.0.0"],
    ] as const) {
      const f = parseFrame(unhex(golden));
      if (f.kind !== "arp") throw new Error("not ARP");
      expect(f.arp.operation).toBe(op);
      expect(formatIp(f.arp.senderIp)).toBe(sender);
    }
  });

  it("the kernel's NS: hop limit 255, solicited-node destination, source link-layer option, valid checksum", () => {
    const f = parseFrame(unhex(G.NS_KERNEL));
    if (f.kind !== "icmpv6") throw new Error("not ICMPv6");
    expect(f.ipv6.hopLimit).toBe(255);
    expect(formatIp(f.ipv6.destination)).toBe("ff02::1:ff00:1");
    expect(f.message).toEqual({ type: "neighbor-solicitation", target: parseIp("fd00:99:0:fa::1"), options: [{ type: "source-lla", mac: "02:00:00:00:bb:02" }] });
  });

  it("the kernel's NA sets S and O, and our encoder computes the same checksum", () => {
    const bytes = unhex(G.NA_KERNEL);
    const f = parseFrame(bytes);
    if (f.kind !== "icmpv6") throw new Error("not ICMPv6");
    expect(f.message).toEqual({
      type: "neighbor-advertisement",
      router: false,
      solicited: true,
      override: true,
      target: parseIp("fd00:99:0:fa::1"),
      options: [{ type: "target-lla", mac: "02:00:00:00:aa:01" }],
    });
    const w = Writer.alloc(sizeOfIcmpv6(f.message), l2WriteErrors);
    encodeIcmpv6(w, f.message, { source: f.ipv6.source, destination: f.ipv6.destination });
    expect(hex(w.bytes)).toBe(hex(f.ipv6.payload));
  });

  it("the kernel's DAD NS comes from :: and keeps its Nonce option as data", () => {
    const f = parseFrame(unhex(G.NS_DAD_KERNEL));
    if (f.kind !== "icmpv6") throw new Error("not ICMPv6");
    expect(formatIp(f.ipv6.source)).toBe("::");
    expect(f.message).toEqual({
      type: "neighbor-solicitation",
      target: parseIp("fd00:99:0:fa::2"),
      options: [{ type: "unknown", optionType: 14, data: unhex("73120b37e4e6") }],
    });
  });

  it("other ICMPv6 is kept whole", () => {
    const f = parseFrame(unhex(G.ECHO_REQUEST_KERNEL));
    if (f.kind !== "icmpv6") throw new Error("not ICMPv6");
    expect(f.ipv6.flowLabel).toBe(0xf810c);
    expect(f.message).toMatchObject({ type: "unknown", icmpType: 128, code: 0 });
  });
});

describe("framing errors", () => {
  const request = unhex(G.ARP_REQUEST_ARPING);
  const ns = unhex(G.NS_KERNEL);
  const flip = (b: Uint8Array, at: number, v: number) => {
    const c = Uint8Array.from(b);
    c[at] = v;
    return c;
  };
  const rows: [string, Uint8Array, string | undefined][] = [
    ["13-byte frame", request.subarray(0, 13), "L2_TRUNCATED"],
    ["ARP cut at 41 bytes", request.subarray(0, 41), "L2_TRUNCATED"],
    ["ARP padded to 60 bytes", Uint8Array.from([...request, ...new Array<number>(18).fill(0)]), undefined],
    ["ARP with 19 bytes after it", Uint8Array.from([...request, ...new Array<number>(19).fill(0)]), "L2_TRAILING_BYTES"],
    ["ARP for hardware type 6", flip(request, 15, 6), "L2_UNSUPPORTED"],
    ["ARP with 16-byte protocol addresses", flip(request, 19, 16), "L2_UNSUPPORTED"],
    ["IPv6 version 4", flip(ns, 14, 0x40), "L2_UNSUPPORTED"],
    ["IPv6 payload length past the frame", flip(ns, 19, 0x21), "L2_TRUNCATED"],
    ["IPv6 with a byte after the payload", Uint8Array.from([...ns, 0]), "L2_TRAILING_BYTES"],
    ["NS with a bad checksum", flip(ns, 57, 0x71), "L2_CHECKSUM"],
    ["NS with option length 0", resum(flip(ns, 79, 0)), "L2_BAD_LENGTH"],
    ["NS with option length 2 (past the end)", resum(flip(ns, 79, 2)), "L2_TRUNCATED"],
    ["NS with code 1 (RFC 4861 §7.1.1)", resum(flip(ns, 55, 1)), "L2_INVALID_FIELD"],
  ];
  it.each(rows)("%s", (_n, bytes, code) => {
    expect(codeOf(() => parseFrame(bytes))).toBe(code);
  });

  it("every truncation of every golden fails with an L2Error, never anything else", () => {
    for (const g of [G.ARP_REQUEST_ARPING, G.NS_KERNEL, G.NA_KERNEL, G.NS_DAD_KERNEL]) {
      const bytes = unhex(g);
      for (let n = 0; n < bytes.length; n++) {
        const code = codeOf(() => parseFrame(bytes.subarray(0, n)));
        // 14..41 of an ARP frame is truncated ARP; IPv6 cuts are truncation too.
        expect(code, `${n} bytes`).toBeDefined();
      }
    }
  });
});

describe("fuzzing: whatever parses re-encodes and re-parses", () => {
  const goldens = [G.ARP_REQUEST_ARPING, G.ARP_REPLY_KERNEL, G.NS_KERNEL, G.NA_KERNEL, G.NS_DAD_KERNEL, G.ECHO_REQUEST_KERNEL].map(unhex);
  expect(goldens.length).toBeGreaterThan(0);
  const mutated = fc
    .tuple(fc.constantFrom(...goldens), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: 130 }))
    .map(([g, edits, cut]) => {
      const b = Uint8Array.from(g);
      for (const [at, v] of edits) b[at % b.length] = v;
      return b.subarray(0, Math.min(b.length, cut + 14));
    });
  const input = fc.oneof(mutated, fc.uint8Array({ maxLength: 120 }));

  it("parseFrame throws only L2Error", () => {
    fc.assert(
      fc.property(input, (bytes) => {
        try {
          parseFrame(bytes, { verifyChecksum: false });
        } catch (e) {
          if (!(e instanceof L2Error)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("each layer's decode re-encodes to a value that decodes equal", () => {
    fc.assert(
      fc.property(input, (bytes) => {
        const eth = tryDecode(() => decodeEthernet(new Reader(bytes, l2ReadErrors)));
        if (eth === undefined) return;
        expect(hex(encodeWith(ethernet, eth))).toBe(hex(bytes));
        const arpValue = tryDecode(() => decodeArp(new Reader(eth.payload, l2ReadErrors)));
        if (arpValue !== undefined) expect(decodeArp(new Reader(encodeWith(arp, arpValue), l2ReadErrors))).toEqual(arpValue);
        const ip = tryDecode(() => decodeIpv6(new Reader(eth.payload, l2ReadErrors)));
        if (ip !== undefined) expect(decodeIpv6(new Reader(encodeWith(ipv6, ip), l2ReadErrors))).toEqual(ip);
        const msg = ip === undefined ? undefined : tryDecode(() => decodeIcmpv6(new Reader(ip.payload, l2ReadErrors)));
        if (msg !== undefined) expect(decodeIcmpv6(new Reader(encodeWith(icmpv6, msg), l2ReadErrors))).toEqual(msg);
      }),
      { numRuns: 3000 },
    );
  });
});

/** Recomputes the ICMPv6 checksum of an untagged IPv6 frame after an edit, so the edit is what gets tested. */
function resum(frame: Uint8Array): Uint8Array {
  const ip = decodeIpv6(new Reader(frame, l2ReadErrors, 14));
  const msg = frame.subarray(54, 54 + ip.payload.length);
  msg[2] = msg[3] = 0;
  const sum = upperLayerChecksum(ip, 58, msg);
  msg[2] = sum >> 8;
  msg[3] = sum & 0xff;
  return frame;
}

function tryDecode<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof L2Error) return undefined;
    throw e;
  }
}

function encodeWith<T>(codec: { encode: (w: Writer, v: T) => void; sizeOf: (v: T) => number }, v: T): Uint8Array {
  const w = Writer.alloc(codec.sizeOf(v), l2WriteErrors);
  codec.encode(w, v);
  return w.bytes;
}
