import { Address4, Address6 } from "ip-address";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compareIp, formatIp, ipAdd, ipFromBytes, ipToBytes, isBuggyIp, parseIp, tryParseIp, type IpAddress } from "./address.ts";
import { IpError } from "./errors.ts";

describe("parseIp", () => {
  test.each([
    ["10.1.2.3", "ipv4", 0x0a010203n],
    ["0.0.0.0", "ipv4", 0n],
    ["255.255.255.255", "ipv4", 0xffffffffn],
    ["::", "ipv6", 0n],
    ["::1", "ipv6", 1n],
    ["2001:DB8::1", "ipv6", 0x20010db8000000000000000000000001n],
    ["2001:db8:0:0:0:0:0:1", "ipv6", 0x20010db8000000000000000000000001n],
    ["::ffff:1.2.3.4", "ipv6", 0xffff01020304n],
  ])("%s is %s %s", (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  test.each([
    "", " 10.0.0.1", "10.0.0.1 ", "01.2.3.4", "1.2.3", "256.1.1.1", "1.2.3.4/32", "fe80::1%eth0",
    "1::2::3", "2001:db8::/64", "hello", "1.2.3.4.5", ":::",
  ])("rejects %j with IP_INVALID", (text) => {
    expect(tryParseIp(text)).toBeUndefined();
    try {
      parseIp(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IpError);
      expect((err as IpError).code).toBe("IP_INVALID");
    }
  });
});

describe("IPv4 text", () => {
  // tryParseIp reads dotted quads itself; it must accept exactly what ip-address's Address4 does.
  const viaLibrary = (text: string): bigint | undefined => {
    if (text.length === 0 || /[/%\s]/.test(text)) return undefined;
    try {
      return new Address4(text).bigInt();
    } catch {
      return undefined;
    }
  };
  const fragment = fc.oneof(fc.stringMatching(/^[0-9]{1,4}$/), fc.constantFrom("", "0", "00", "255", "256", "-1", "+1", "1e2", "0x1", " 1", "1 "));
  const candidate = fc.oneof(
    fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(".")),
    fc.string({ unit: fc.constantFrom("0", "1", "2", "5", "9", ".", "x", " "), maxLength: 20 }),
  );

  test("tryParseIp accepts exactly the dotted quads ip-address accepts, with the same value", () => {
    fc.assert(
      fc.property(candidate, (text) => {
        expect(tryParseIp(text)?.value).toBe(viaLibrary(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("formatIp", () => {
  test.each([
    [{ family: "ipv4", value: 0x0a000001n }, "10.0.0.1"],
    [{ family: "ipv6", value: 0n }, "::"],
    [{ family: "ipv6", value: 1n }, "::1"],
    [{ family: "ipv6", value: 0x20010db8000000000000000000000001n }, "2001:db8::1"],
    // RFC 5952 §4.2.2: a single zero group is not shortened.
    [{ family: "ipv6", value: 0x20010db8000000010001000100010001n }, "2001:db8:0:1:1:1:1:1"],
    // RFC 5952 §4.2.3: the first of two equal longest runs is shortened.
    [{ family: "ipv6", value: 0x20010db8000000000001000000000001n }, "2001:db8::1:0:0:1"],
    // RFC 5952 §4.2.1: the longest run wins even when it ends the address.
    [{ family: "ipv6", value: 0x20010db8000000000001000000000000n }, "2001:db8:0:0:1::"],
    // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
    [{ family: "ipv6", value: 0xffff01020304n }, "::ffff:1.2.3.4"],
    [{ family: "ipv6", value: 0x1ffff01020304n }, "::1:ffff:102:304"],
  ] as [IpAddress, string][])("%o is %s", (addr, text) => {
    expect(formatIp(addr)).toBe(text);
  });

  test("IPv6 text agrees with ip-address's RFC 5952 form and round-trips", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 7 }), (v, zeroRun) => {
        // Bias towards zero runs, where the formatting rules are.
        const mask = ((1n << BigInt(16 * (zeroRun + 1))) - 1n) << BigInt(16 * (7 - zeroRun));
        for (const value of [v, v & ~mask]) {
          const text = formatIp({ family: "ipv6", value });
          // ip-address does not apply RFC 5952 §5 to IPv4-mapped addresses; tested below.
          if (value >> 32n !== 0xffffn) expect(text).toBe(Address6.fromBigInt(value).correctForm());
          expect(parseIp(text)).toEqual({ family: "ipv6", value });
        }
      }),
    );
  });

  test("IPv4 text round-trips", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), (value) => {
        expect(parseIp(formatIp({ family: "ipv4", value }))).toEqual({ family: "ipv4", value });
      }),
    );
  });
});

describe("bytes", () => {
  test("network byte order, both directions", () => {
    expect([...ipToBytes(parseIp("10.1.2.3"))]).toEqual([10, 1, 2, 3]);
    expect(formatIp(ipFromBytes(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1])))).toBe("2001:db8::1");
    expect(() => ipFromBytes(new Uint8Array(5))).toThrow(RangeError);
  });
});

describe("order and arithmetic", () => {
  test("IPv4 sorts before IPv6, then by value", () => {
    const sorted = ["::1", "10.0.0.2", "10.0.0.1", "::"].map(parseIp).sort(compareIp).map(formatIp);
    expect(sorted).toEqual(["10.0.0.1", "10.0.0.2", "::", "::1"]);
  });
  test("ipAdd stays inside the family", () => {
    expect(formatIp(ipAdd(parseIp("10.0.0.255"), 1n) as IpAddress)).toBe("10.0.1.0");
    expect(ipAdd(parseIp("255.255.255.255"), 1n)).toBeUndefined();
    expect(ipAdd(parseIp("::"), -1n)).toBeUndefined();
  });
  test.each([
    ["10.0.0.0", true], ["10.0.0.255", true], ["10.0.1.1", false], ["2001:db8::", false], ["2001:db8::ff", false],
  ])("isBuggyIp(%s) = %s", (text, buggy) => {
    expect(isBuggyIp(parseIp(text))).toBe(buggy);
  });
});
