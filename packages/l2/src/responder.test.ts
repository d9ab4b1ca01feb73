// The responder's decisions as tables: one row per frame shape, with the
// ownership the announcer would report, and the exact verdict or drop reason.
import { formatIp, parseIp, type IpAddress } from "@ironlb/core/ip";
import { describe, expect, it } from "vitest";
import { ArpOperation } from "./arp.ts";
import { unhex } from "./codec-laws.fixtures.ts";
import { arpFrame, icmpv6Frame, parseFrame, type ParsedFrame } from "./frames.ts";
import * as G from "./goldens.fixtures.ts";
import { BROADCAST_MAC, solicitedNodeGroup, ipv6MulticastMac, ZERO_MAC } from "./mac.ts";
import type { NdpOption } from "./ndp.ts";
import { answerArp, answerNdp, parseFailureReason, type Ownership, type PortView } from "./responder.ts";

const PORT: PortView = { ifname: "eth0", ifindex: 2, mac: "02:00:00:00:00:aa", linkLocal: parseIp("fe80::aa") };
const CLIENT = "02:00:00:00:00:cc";
const VIP4 = parseIp("198.51.100.10");
const VIP6 = parseIp("2001:db8::10");
const CLIENT4 = parseIp("198.51.100.99");
const CLIENT6 = parseIp("2001:db8::99");

const owner =
  (o: Ownership) =>
  (_ip: IpAddress, _p: PortView): Ownership =>
    o;

function arpReq(p: { op?: number; dst?: string; target?: IpAddress; sender?: IpAddress } = {}): ParsedFrame {
  return parseFrame(
    arpFrame({
      ethernetDestination: p.dst ?? BROADCAST_MAC,
      ethernetSource: CLIENT,
      arp: { operation: p.op ?? ArpOperation.Request, senderMac: CLIENT, senderIp: p.sender ?? CLIENT4, targetMac: ZERO_MAC, targetIp: p.target ?? VIP4 },
    }),
  );
}

function ns(p: { hop?: number; src?: IpAddress; dst?: IpAddress; ethDst?: string; target?: IpAddress; options?: NdpOption[] } = {}): ParsedFrame {
  const target = p.target ?? VIP6;
  const group = solicitedNodeGroup(target);
  return parseFrame(
    icmpv6Frame({
      ethernetDestination: p.ethDst ?? ipv6MulticastMac(p.dst ?? group),
      ethernetSource: CLIENT,
      source: p.src ?? CLIENT6,
      destination: p.dst ?? group,
      hopLimit: p.hop ?? 255,
      message: { type: "neighbor-solicitation", target, options: p.options ?? [{ type: "source-lla", mac: CLIENT }] },
    }),
  );
}

describe("answerArp", () => {
  const rows: [string, ParsedFrame, Ownership, string][] = [
    ["broadcast request for an owned IP", arpReq(), "here", "reply"],
    ["request to our MAC (unicast refresh)", arpReq({ dst: PORT.mac }), "here", "reply"],
    ["ARP probe (sender 0.0.0.0) for an owned IP: defended", arpReq({ sender: parseIp("0.0.0.0") }), "here", "reply"],
    ["request to another host's MAC", arpReq({ dst: "02:00:00:00:00:dd" }), "here", "eth-destination"],
    ["an ARP reply", arpReq({ op: ArpOperation.Reply }), "here", "arp-reply"],
    ["RARP request (op 3)", arpReq({ op: 3 }), "here", "not-request"],
    ["request for an IP we do not announce", arpReq({ target: parseIp("198.51.100.11") }), "unknown", "not-owned"],
    ["request for an IP still probing", arpReq(), "not-ready", "not-announced"],
    ["request for an IP announced on another interface", arpReq(), "other-interface", "wrong-interface"],
    ["IPv6 frame on the ARP path", parseFrame(unhex(G.NS_KERNEL)), "here", "not-arp"],
  ];
  it.each(rows)("%s", (_d, frame, ownership, want) => {
    const v = answerArp(frame, PORT.ifindex, PORT, owner(ownership));
    expect(v.action === "reply" ? "reply" : v.reason).toBe(want);
  });

  it("a frame reported on another ifindex is wrong-interface", () => {
    const v = answerArp(arpReq(), 99, PORT, owner("here"));
    expect(v).toMatchObject({ action: "drop", reason: "wrong-interface" });
  });

  it("the reply says VIP is-at our MAC, unicast to the requester, padded to 60 bytes", () => {
    const v = answerArp(arpReq(), PORT.ifindex, PORT, owner("here"));
    if (v.action !== "reply") throw new Error(v.reason);
    expect(v.frame.length).toBe(60);
    const f = parseFrame(v.frame);
    expect(f).toMatchObject({
      kind: "arp",
      ethernet: { destination: CLIENT, source: PORT.mac },
      arp: { operation: ArpOperation.Reply, senderMac: PORT.mac, senderIp: VIP4, targetMac: CLIENT, targetIp: CLIENT4 },
    });
    expect(v.requester).toBe(CLIENT);
  });

  it("maps parse failures to malformed / unsupported", () => {
    expect(parseFailureReason("arp", captureError(() => parseFrame(unhex(G.ARP_REQUEST_ARPING).subarray(0, 30))))).toBe("malformed");
    const bad = unhex(G.ARP_REQUEST_ARPING);
    bad[15] = 6;
    expect(parseFailureReason("arp", captureError(() => parseFrame(bad)))).toBe("unsupported");
  });
});

describe("answerNdp", () => {
  const rows: [string, ParsedFrame, Ownership, string][] = [
    ["multicast NS with a source link-layer option", ns(), "here", "reply"],
    ["unicast NS (unreachability probe) with the option", ns({ dst: VIP6, ethDst: PORT.mac }), "here", "reply"],
    ["unicast NS without the option: answered to the Ethernet source", ns({ dst: VIP6, ethDst: PORT.mac, options: [] }), "here", "reply"],
    ["multicast NS without the option (RFC 4861 §7.2.2 MUST)", ns({ options: [] }), "here", "no-source-lla"],
    ["DAD probe from ::", ns({ src: parseIp("::"), options: [] }), "here", "reply"],
    ["DAD probe carrying a source link-layer option", ns({ src: parseIp("::") }), "here", "malformed"],
    ["unicast DAD probe", ns({ src: parseIp("::"), dst: VIP6, ethDst: PORT.mac, options: [] }), "here", "malformed"],
    ["hop limit 64 (forwarded)", ns({ hop: 64 }), "here", "hop-limit"],
    ["multicast target", ns({ target: parseIp("ff02::1"), dst: solicitedNodeGroup(parseIp("ff02::1")) }), "here", "malformed"],
    ["to the wrong solicited-node group", ns({ dst: solicitedNodeGroup(parseIp("2001:db8::77")) }), "here", "ip-destination"],
    ["to another host's MAC", ns({ dst: VIP6, ethDst: "02:00:00:00:00:dd" }), "here", "eth-destination"],
    ["to broadcast", ns({ ethDst: BROADCAST_MAC }), "here", "eth-destination"],
    ["for an IP we do not announce", ns({ target: parseIp("2001:db8::11") }), "unknown", "not-owned"],
    ["for an IP still probing", ns(), "not-ready", "not-announced"],
    ["for an IP announced elsewhere", ns(), "other-interface", "wrong-interface"],
    ["an NA", parseFrame(unhex(G.NA_KERNEL)), "here", "not-solicitation"],
    ["an echo request", parseFrame(unhex(G.ECHO_REQUEST_KERNEL)), "here", "not-solicitation"],
    ["an ARP frame", arpReq(), "here", "not-icmpv6"],
  ];
  it.each(rows)("%s", (_d, frame, ownership, want) => {
    const v = answerNdp(frame, PORT.ifindex, PORT, owner(ownership));
    expect(v.action === "reply" ? "reply" : v.reason).toBe(want);
  });

  it("no link-local address: no answer", () => {
    const v = answerNdp(ns(), PORT.ifindex, { ...PORT, linkLocal: undefined }, owner("here"));
    expect(v).toMatchObject({ action: "drop", reason: "no-link-local" });
  });

  it("answers with a solicited NA from the link-local address, hop limit 255, S=1 O=1, target link-layer option", () => {
    const v = answerNdp(ns(), PORT.ifindex, PORT, owner("here"));
    if (v.action !== "reply") throw new Error(v.reason);
    const f = parseFrame(v.frame);
    if (f.kind !== "icmpv6") throw new Error("not ICMPv6");
    expect(f.ethernet).toMatchObject({ destination: CLIENT, source: PORT.mac });
    expect(formatIp(f.ipv6.source)).toBe("fe80::aa");
    expect(formatIp(f.ipv6.destination)).toBe(formatIp(CLIENT6));
    expect(f.ipv6.hopLimit).toBe(255);
    expect(f.message).toEqual({ type: "neighbor-advertisement", router: false, solicited: true, override: true, target: VIP6, options: [{ type: "target-lla", mac: PORT.mac }] });
  });

  it("solicitedOverride: false gives MetalLB's O=0", () => {
    const v = answerNdp(ns(), PORT.ifindex, PORT, owner("here"), { solicitedOverride: false });
    if (v.action !== "reply") throw new Error(v.reason);
    expect(parseFrame(v.frame)).toMatchObject({ message: { solicited: true, override: false } });
  });

  it("answers a DAD probe to all-nodes with S=0 O=1 (RFC 4861 §7.2.4)", () => {
    const v = answerNdp(ns({ src: parseIp("::"), options: [] }), PORT.ifindex, PORT, owner("here"), { solicitedOverride: false });
    if (v.action !== "reply") throw new Error(v.reason);
    const f = parseFrame(v.frame);
    expect(f).toMatchObject({ ethernet: { destination: "33:33:00:00:00:01" }, message: { solicited: false, override: true } });
    if (f.kind === "icmpv6") expect(formatIp(f.ipv6.destination)).toBe("ff02::1");
  });

  it("answers the kernel's own NS (golden) when it owns the target", () => {
    const frame = parseFrame(unhex(G.NS_KERNEL));
    const port = { ...PORT, mac: "02:00:00:00:aa:01" };
    const v = answerNdp(frame, port.ifindex, port, owner("here"));
    expect(v).toMatchObject({ action: "reply", requester: "02:00:00:00:bb:02" });
  });

  it("maps a bad checksum to bad-checksum", () => {
    const bad = unhex(G.NS_KERNEL);
    bad[57] = (bad[57] ?? 0) ^ 1;
    expect(parseFailureReason("ndp", captureError(() => parseFrame(bad)))).toBe("bad-checksum");
  });
});

function captureError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}
