import { formatIp, parseIp } from "@ironlb/core/ip";
import { describe, expect, it } from "vitest";
import { L2Error } from "./errors.ts";
import { ipv6MulticastMac, isGroupMac, macFromBytes, macToBytes, parseMac, solicitedNodeGroup } from "./mac.ts";

describe("MAC addresses and IPv6 multicast mappings", () => {
  it("parse, format and round-trip", () => {
    expect(parseMac("02:AB:cd:00:00:01")).toBe("02:ab:cd:00:00:01");
    expect(macFromBytes(macToBytes("02:ab:cd:00:00:01"))).toBe("02:ab:cd:00:00:01");
    for (const bad of ["02:ab:cd:00:00", "02-ab-cd-00-00-01", "02:ab:cd:00:00:0g", ""]) expect(() => parseMac(bad)).toThrow(L2Error);
    expect(isGroupMac("33:33:00:00:00:01")).toBe(true);
    expect(isGroupMac("02:00:00:00:00:01")).toBe(false);
  });

  it("solicited-node group (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7)", () => {
    const g = solicitedNodeGroup(parseIp("2001:db8::abcd:1234"));
    expect(formatIp(g)).toBe("ff02::1:ffcd:1234");
    expect(ipv6MulticastMac(g)).toBe("33:33:ff:cd:12:34");
    expect(ipv6MulticastMac(parseIp("ff02::1"))).toBe("33:33:00:00:00:01");
    expect(() => solicitedNodeGroup(parseIp("10.0.0.1"))).toThrow(L2Error);
  });
});
