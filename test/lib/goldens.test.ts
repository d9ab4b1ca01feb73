// Integrity of the golden corpus the capture script writes (not a decoder:
// the codec's own tests decode the messages): every vector is one whole BGP
// message by its header, every daemon contributed every kind of message, and
// each names the exact daemon version it came from.
import { describe, expect, it } from "vitest";
import { goldens } from "../../packages/bgp/src/testdata/goldens.ts";

const typeByte = { open: 1, update: 2, notification: 3, keepalive: 4, "route-refresh": 5 } as const;
const kinds = ["open-4octet-as", "open-2octet-as", "keepalive", "announce-ipv4", "announce-ipv6", "eor-ipv4", "eor-ipv6", "withdraw-ipv4", "withdraw-ipv6", "notification-6-2", "notification-4-0"];

describe("golden BGP vectors", () => {
  it("are not empty and have unique names", () => {
    expect(goldens.length).toBeGreaterThanOrEqual(kinds.length * 4);
    expect(new Set(goldens.map((g) => g.name)).size).toBe(goldens.length);
  });

  it.each(goldens.map((g) => [g.name, g] as const))("%s is one whole message by its header", (_name, g) => {
    expect(g.hex).toMatch(/^([0-9a-f]{2})+$/);
    const bytes = Buffer.from(g.hex, "hex");
    expect(bytes.subarray(0, 16).every((b) => b === 0xff)).toBe(true);
    expect(bytes.readUInt16BE(16)).toBe(bytes.length);
    expect(bytes[18]).toBe(typeByte[g.type]);
    expect(g.from).toMatch(/^(BIRD|GoBGP|FRR|ExaBGP) \d+\.\d+/);
  });

  it.each(["bird", "gobgp", "frr", "exabgp"])("has every kind of message from %s", (daemon) => {
    const have = goldens.filter((g) => g.name.startsWith(`${daemon}/`)).map((g) => g.name.slice(daemon.length + 1));
    expect(have).toEqual(expect.arrayContaining(kinds));
  });
});
