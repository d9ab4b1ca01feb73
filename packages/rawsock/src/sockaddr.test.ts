// Byte layouts built in TypeScript, pinned against the sizes the addon reads
// from the system headers, and the IP text parser against net's own.
import { describe, expect, it } from "vitest";
import { addon } from "./native.ts";
import { intValue, ipv6Mreq, packetMreq, parseAddress, readInt, sockaddrIn, sockaddrLl, TCP_MD5SIG_SIZE, tcpMd5sig, v4Mapped } from "./sockaddr.ts";
import { RawsockError } from "./errors.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("parseAddress", () => {
  it.each([
    ["10.1.2.3", "ipv4", "0a010203", undefined],
    ["::", "ipv6", "0".repeat(32), undefined],
    ["::1", "ipv6", "0".repeat(31) + "1", undefined],
    ["2001:db8::1", "ipv6", "20010db8" + "0".repeat(23) + "1", undefined],
    ["2001:db8:1:2:3:4:5:6", "ipv6", "20010db8000100020003000400050006", undefined],
    ["fe80::1%eth0", "ipv6", "fe80" + "0".repeat(27) + "1", "eth0"],
    ["::ffff:192.0.2.1", "ipv6", "00000000000000000000ffffc0000201", undefined],
    ["1::", "ipv6", "0001" + "0".repeat(28), undefined],
  ])("%s", (text, family, bytes, zone) => {
    const p = parseAddress(text);
    expect(p.family).toBe(family);
    expect(hex(p.bytes)).toBe(bytes);
    expect(p.zone).toBe(zone);
  });

  it.each(["", "1.2.3", "01.2.3.4", "1.2.3.4/32", "::g", "localhost", "1:2:3:4:5:6:7:8:9"])("rejects %j", (text) => {
    expect(() => parseAddress(text)).toThrow(RawsockError);
    try {
      parseAddress(text);
    } catch (e) {
      expect((e as RawsockError).code).toBe("RAWSOCK_INVALID_ARGUMENT");
    }
  });

  it("maps IPv4 into IPv6", () => {
    expect(hex(v4Mapped(Uint8Array.of(127, 0, 0, 1)))).toBe("00000000000000000000ffff7f000001");
  });
});

describe("struct layouts", () => {
  const c = addon().constants;

  it("match the sizes of the system headers", () => {
    expect(sockaddrIn("ipv4", c.AF_INET, new Uint8Array(4), 0).length).toBe(c.sizeof_sockaddr_in);
    expect(sockaddrIn("ipv6", c.AF_INET6, new Uint8Array(16), 0).length).toBe(c.sizeof_sockaddr_in6);
    expect(sockaddrLl(c.AF_PACKET, 0x0806, 1).length).toBe(c.sizeof_sockaddr_ll);
    expect(packetMreq(1, c.PACKET_MR_MULTICAST, new Uint8Array(6)).length).toBe(c.sizeof_packet_mreq);
    expect(ipv6Mreq(new Uint8Array(16), 1).length).toBe(c.sizeof_ipv6_mreq);
    expect(TCP_MD5SIG_SIZE).toBe(c.sizeof_tcp_md5sig);
    expect(c.TCP_MD5SIG_MAXKEYLEN).toBe(80);
  });

  it("sockaddr_in6 puts the port big-endian and the scope id last", () => {
    const b = sockaddrIn("ipv6", 10, parseAddress("fe80::1").bytes, 179, 7);
    expect(hex(b)).toBe("0a00" + "00b3" + "00000000" + "fe80" + "0".repeat(27) + "1" + "07000000");
  });

  it("sockaddr_ll carries the ethertype big-endian and the ifindex in host order", () => {
    expect(hex(sockaddrLl(17, 0x86dd, 3))).toBe("1100" + "86dd" + "03000000" + "0".repeat(24));
  });

  it("tcp_md5sig puts family, address, key length and key at the lab.md offsets", () => {
    const b = tcpMd5sig(2, "ipv4", Uint8Array.of(192, 0, 2, 1), new TextEncoder().encode("abc"));
    expect(b.length).toBe(216);
    expect(hex(b.subarray(0, 8))).toBe("02000000c0000201");
    expect(b[128]).toBe(0);
    expect(b[129]).toBe(0);
    expect(hex(b.subarray(130, 132))).toBe("0300");
    expect(Buffer.from(b.subarray(136, 139)).toString()).toBe("abc");
    const v6 = tcpMd5sig(10, "ipv6", parseAddress("2001:db8::1").bytes, new Uint8Array(0));
    expect(hex(v6.subarray(8, 24))).toBe("20010db8" + "0".repeat(23) + "1");
    expect(hex(v6.subarray(130, 132))).toBe("0000");
  });

  it("ints round-trip", () => {
    expect(readInt(intValue(255))).toBe(255);
    expect(readInt(intValue(-1))).toBe(-1);
  });
});
