// Interface facts from /sys/class/net, checked against loopback, which every
// network namespace has (no root needed).
import { describe, expect, it } from "vitest";
import { RawsockError } from "./errors.ts";
import { interfaceFacts, interfaceIndex, listInterfaces } from "./interfaces.ts";

describe("interface facts", () => {
  it("reports loopback as up, loopback, not broadcast, no MAC", () => {
    const lo = interfaceFacts("lo");
    expect(lo.index).toBe(1);
    expect(lo.flags.up).toBe(true);
    expect(lo.flags.loopback).toBe(true);
    expect(lo.flags.broadcast).toBe(false);
    expect(lo.flags.running).toBe(true);
    expect(lo.master).toBeUndefined();
    expect(interfaceIndex("lo")).toBe(1);
    expect(listInterfaces().map((i) => i.name)).toContain("lo");
  });

  it.each([
    ["nosuchif0", "RAWSOCK_ENODEV"],
    ["../etc", "RAWSOCK_INVALID_ARGUMENT"],
    ["", "RAWSOCK_INVALID_ARGUMENT"],
    ["abcdefghijklmnop", "RAWSOCK_INVALID_ARGUMENT"],
  ])("%j -> %s", (name, code) => {
    expect(() => interfaceFacts(name)).toThrow(RawsockError);
    try {
      interfaceIndex(name);
    } catch (e) {
      expect((e as RawsockError).code).toBe(code);
    }
  });
});
