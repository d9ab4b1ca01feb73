// The announcer over in-memory segments with a fake clock: probing, takeover
// announcements and their schedule, answering, conflicts, withdrawal,
// interface selection and rescans, membership reference counts, errors.
import { formatIp, type IpAddress } from "@ironlb/core/ip";
import { RawsockError } from "@ironlb/rawsock";
import { MemorySegment } from "@ironlb/rawsock/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { ArpOperation } from "./arp.ts";
import { arpFrame, icmpv6Frame, type ParsedFrame } from "./frames.ts";
import { FakeHost, ip, peer } from "./host.fixtures.ts";
import { BROADCAST_MAC, ipv6MulticastMac, solicitedNodeGroup, ZERO_MAC } from "./mac.ts";
import { gratuitousArp } from "./outgoing.ts";
import type { KernelArpPort, KernelArpResponder } from "./kernel-arp.ts";

const VIP = ip("198.51.100.10");
const VIP6 = ip("2001:db8::10");
const CLIENT = "02:00:00:00:00:cc";
const FOREIGN = "02:00:00:00:00:f0";

function arpRequest(target = VIP, dst = BROADCAST_MAC, from = CLIENT): Uint8Array {
  return arpFrame({
    ethernetDestination: dst,
    ethernetSource: from,
    arp: { operation: ArpOperation.Request, senderMac: from, senderIp: ip("198.51.100.99"), targetMac: ZERO_MAC, targetIp: target },
  });
}

function neighborSolicitation(target = VIP6): Uint8Array {
  const group = solicitedNodeGroup(target);
  return icmpv6Frame({
    ethernetDestination: ipv6MulticastMac(group),
    ethernetSource: CLIENT,
    source: ip("2001:db8::99"),
    destination: group,
    message: { type: "neighbor-solicitation", target, options: [{ type: "source-lla", mac: CLIENT }] },
  });
}

function arpOf(frames: ParsedFrame[]) {
  return frames.flatMap((f) => (f.kind === "arp" ? [f.arp] : []));
}

let host: FakeHost;
let seg: MemorySegment;

beforeEach(() => {
  host = new FakeHost();
  seg = new MemorySegment();
  host.addInterface("eth0", { segment: seg });
});

describe("IPv4 takeover with a conflict probe", () => {
  it("probes three times from 0.0.0.0, answers nothing meanwhile, then announces and answers", async () => {
    const observer = peer(seg);
    const a = host.start();
    a.announce([{ ip: VIP }]);
    expect(host.eventsOf("probing")).toEqual([{ type: "probing", ip: "198.51.100.10", interfaces: ["eth0"] }]);
    observer.send(arpRequest());
    await seg.settled();
    expect(host.eventsOf("request").map((e) => e.result)).toEqual(["not-announced"]);

    // random() = 0.5: first probe after 10 ms, then 45 ms apart, then 100 ms of listening.
    host.clock.advance(10);
    host.clock.advance(45);
    host.clock.advance(45);
    const probes = arpOf(host.sent("eth0", "arp"));
    expect(probes).toHaveLength(3);
    for (const p of probes) expect(p).toMatchObject({ operation: ArpOperation.Request, senderIp: ip("0.0.0.0"), targetMac: ZERO_MAC, targetIp: VIP });
    expect(host.eventsOf("announcing")).toHaveLength(0);
    host.clock.advance(99);
    expect(host.eventsOf("announcing")).toHaveLength(0);
    host.clock.advance(1);
    expect(host.eventsOf("announcing")).toEqual([{ type: "announcing", ip: "198.51.100.10", interfaces: ["eth0"], probed: true }]);

    observer.send(arpRequest());
    await seg.settled();
    const replies = observer.frames().flatMap((f) => (f.kind === "arp" && f.arp.operation === ArpOperation.Reply && f.arp.targetMac === CLIENT ? [f] : []));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ ethernet: { destination: CLIENT, source: "02:00:00:00:00:02" }, arp: { senderIp: VIP, senderMac: "02:00:00:00:00:02" } });
    expect(a.status()).toEqual([
      { ip: "198.51.100.10", state: "announcing", interfaces: ["eth0"], counters: { requestsReceived: 2, responsesSent: 1, gratuitousSent: 2, probesSent: 3, conflicts: 0 } },
    ]);
  });

  it("announces with a gratuitous request and reply at once, then every 1.1 s while under 5 s", () => {
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP }]);
    const round = (n: number) => arpOf(host.sent("eth0", "arp")).length / 2 === n;
    expect(round(1)).toBe(true);
    const [request, reply] = arpOf(host.sent("eth0", "arp"));
    expect(request).toEqual({ operation: 1, senderMac: "02:00:00:00:00:02", senderIp: VIP, targetMac: ZERO_MAC, targetIp: VIP });
    expect(reply).toEqual({ operation: 2, senderMac: "02:00:00:00:00:02", senderIp: VIP, targetMac: BROADCAST_MAC, targetIp: VIP });
    for (const f of host.conn("eth0", "arp")?.sentFrames ?? []) expect(f.length).toBe(60);
    host.clock.advance(1099);
    expect(round(1)).toBe(true);
    host.clock.advance(1);
    expect(round(2)).toBe(true);
    host.clock.advance(3300);
    expect(round(5)).toBe(true);
    host.clock.advance(10_000);
    expect(round(5)).toBe(true);
    expect(host.eventsOf("gratuitous").map((e) => e.round)).toEqual([1, 2, 3, 4, 5]);
    expect(a.status()[0]?.counters.gratuitousSent).toBe(10);
    expect(host.clock.pending).toBe(0);
  });

  it("takes over at once with conflictCheck: skip", () => {
    const a = host.start();
    a.announce([{ ip: VIP, conflictCheck: "skip" }]);
    expect(host.eventsOf("announcing")).toEqual([{ type: "announcing", ip: "198.51.100.10", interfaces: ["eth0"], probed: false }]);
    expect(a.status()[0]?.counters.probesSent).toBe(0);
  });

  it("announcing the same set again sends nothing new (MetalLB would restart its burst)", () => {
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP }]);
    host.clock.advance(500);
    a.announce([{ ip: VIP }]);
    host.clock.advance(10_000);
    expect(a.status()[0]?.counters.gratuitousSent).toBe(10);
  });
});

describe("conflicts", () => {
  it("a reply to the probe refuses the IP, with the foreign MAC, and probes again later", async () => {
    const other = peer(seg, FOREIGN);
    other.onFrame((f) => {
      const frame = f.data;
      // The other host owns the VIP and answers probes for it, as a kernel does.
      if (frame[12] === 0x08 && frame[13] === 0x06 && frame[21] === 1 && frame[28] === 0) {
        other.send(
          arpFrame({
            ethernetDestination: BROADCAST_MAC,
            ethernetSource: FOREIGN,
            arp: { operation: ArpOperation.Reply, senderMac: FOREIGN, senderIp: VIP, targetMac: "02:00:00:00:00:02", targetIp: ip("0.0.0.0") },
          }),
        );
      }
    });
    const a = host.start({ conflictRetryMs: 5000 });
    a.announce([{ ip: VIP }]);
    host.clock.advance(10);
    await seg.settled();
    expect(host.eventsOf("conflict")).toEqual([
      { type: "conflict", ip: "198.51.100.10", interface: "eth0", foreignMac: FOREIGN, evidence: "arp-reply", phase: "probing", defended: false },
    ]);
    expect(host.eventsOf("refused")).toEqual([{ type: "refused", ip: "198.51.100.10", interface: "eth0", foreignMac: FOREIGN, retryInMs: 5000 }]);
    host.clock.advance(1000);
    expect(host.eventsOf("announcing")).toHaveLength(0);
    expect(arpOf(host.sent("eth0", "arp"))).toHaveLength(1);

    const client = peer(seg);
    client.send(arpRequest());
    await seg.settled();
    expect(host.eventsOf("request").at(-1)?.result).toBe("not-announced");

    // The other host goes away; the retry probes clear and the IP is announced.
    other.close();
    host.clock.advance(4000);
    host.clock.advance(200);
    expect(host.eventsOf("announcing")).toEqual([{ type: "announcing", ip: "198.51.100.10", interfaces: ["eth0"], probed: true }]);
    expect(a.status()[0]?.counters.conflicts).toBe(1);
  });

  it("another host probing for the same IP at the same time is a conflict (RFC 5227 §2.1.1)", async () => {
    const other = peer(seg, FOREIGN);
    const a = host.start();
    a.announce([{ ip: VIP }]);
    other.send(arpFrame({ ethernetDestination: BROADCAST_MAC, ethernetSource: FOREIGN, arp: { operation: 1, senderMac: FOREIGN, senderIp: ip("0.0.0.0"), targetMac: ZERO_MAC, targetIp: VIP } }));
    await seg.settled();
    expect(host.eventsOf("refused")).toHaveLength(1);
    expect(host.eventsOf("conflict")[0]?.evidence).toBe("arp-probe");
  });

  it("a foreign gratuitous ARP while announcing is reported and defended once per interval", async () => {
    const other = peer(seg, FOREIGN);
    const a = host.start({ probe: false, defendIntervalMs: 10_000 });
    a.announce([{ ip: VIP }]);
    host.clock.advance(6000);
    const before = a.status()[0]?.counters.gratuitousSent;
    const [garpReq] = gratuitousArp(VIP, FOREIGN);
    other.send(garpReq);
    await seg.settled();
    other.send(garpReq);
    await seg.settled();
    expect(host.eventsOf("conflict")).toEqual([
      { type: "conflict", ip: "198.51.100.10", interface: "eth0", foreignMac: FOREIGN, evidence: "arp-request", phase: "announcing", defended: true },
      { type: "conflict", ip: "198.51.100.10", interface: "eth0", foreignMac: FOREIGN, evidence: "arp-request", phase: "announcing", defended: false },
    ]);
    expect(a.status()[0]?.counters).toMatchObject({ conflicts: 2, gratuitousSent: (before ?? 0) + 2 });
    expect(a.status()[0]?.state).toBe("announcing");
    host.clock.advance(10_000);
    other.send(garpReq);
    await seg.settled();
    expect(host.eventsOf("conflict").at(-1)?.defended).toBe(true);
  });

  it("frames from this host's own MACs are never conflicts", async () => {
    const seg2 = new MemorySegment();
    host.addInterface("eth1", { segment: seg2 });
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP, interfaces: ["eth0"] }]);
    // eth1's MAC on eth0's segment, e.g. two ports of this host on one switch.
    const [garp] = gratuitousArp(VIP, "02:00:00:00:00:03");
    peer(seg).send(garp);
    await seg.settled();
    expect(host.eventsOf("conflict")).toHaveLength(0);
  });
});

describe("IPv6", () => {
  it("joins the solicited-node group, probes with DAD, answers NS and sends unsolicited NAs", async () => {
    const observer = peer(seg);
    const a = host.start();
    a.announce([{ ip: VIP6 }]);
    const ndp = host.conn("eth0", "ndp");
    expect(ndp?.memberships()).toEqual(["33:33:ff:00:00:10"]);
    expect(ndp?.ipv6Groups()).toEqual(["ff0200000000000000000001ff000010"]);
    host.clock.advance(200);
    const sent = host.sent("eth0", "ndp");
    const dad = sent.filter((f) => f.kind === "icmpv6" && f.message.type === "neighbor-solicitation");
    expect(dad).toHaveLength(3);
    for (const f of dad) {
      if (f.kind !== "icmpv6") continue;
      expect(formatIp(f.ipv6.source)).toBe("::");
      expect(formatIp(f.ipv6.destination)).toBe("ff02::1:ff00:10");
      expect(f.ethernet.destination).toBe("33:33:ff:00:00:10");
      expect(f.message).toEqual({ type: "neighbor-solicitation", target: VIP6, options: [] });
    }
    const na = sent.filter((f) => f.kind === "icmpv6" && f.message.type === "neighbor-advertisement");
    expect(na).toHaveLength(1);
    expect(na[0]).toMatchObject({
      ethernet: { destination: "33:33:00:00:00:01" },
      ipv6: { hopLimit: 255 },
      message: { solicited: false, override: true, target: VIP6, options: [{ type: "target-lla", mac: "02:00:00:00:00:02" }] },
    });

    observer.send(neighborSolicitation());
    await seg.settled();
    const answer = observer.frames().find((f) => f.kind === "icmpv6" && f.message.type === "neighbor-advertisement" && f.message.solicited);
    expect(answer).toMatchObject({ ethernet: { destination: CLIENT }, ipv6: { hopLimit: 255 }, message: { override: true, target: VIP6 } });
    if (answer?.kind === "icmpv6") expect(formatIp(answer.ipv6.source)).toBe("fe80::2");
    expect(a.status()[0]?.counters).toMatchObject({ requestsReceived: 1, responsesSent: 1, probesSent: 3, gratuitousSent: 1 });
  });

  it("an NA for the target during DAD refuses the IP", async () => {
    const other = peer(seg, FOREIGN);
    const a = host.start();
    a.announce([{ ip: VIP6 }]);
    other.send(
      icmpv6Frame({
        ethernetDestination: "33:33:00:00:00:01",
        ethernetSource: FOREIGN,
        source: ip("fe80::f0"),
        destination: ip("ff02::1"),
        message: { type: "neighbor-advertisement", router: false, solicited: false, override: true, target: VIP6, options: [{ type: "target-lla", mac: FOREIGN }] },
      }),
    );
    await seg.settled();
    expect(host.eventsOf("refused")).toEqual([{ type: "refused", ip: "2001:db8::10", interface: "eth0", foreignMac: FOREIGN, retryInMs: 10_000 }]);
    // Refused: the group is left.
    expect(host.conn("eth0", "ndp")?.memberships()).toEqual([]);
    expect(a.status()[0]?.state).toBe("refused");
  });

  it("reference-counts a group shared by two IPs and leaves it with the last one", () => {
    const a = host.start({ probe: false });
    const twin = ip("2001:db8:1::10"); // same low 24 bits, same group
    a.announce([{ ip: VIP6 }, { ip: twin }]);
    const ndp = host.conn("eth0", "ndp");
    expect(ndp?.membershipCalls.filter((c) => c.op === "add")).toHaveLength(1);
    a.announce([{ ip: twin }]);
    expect(ndp?.memberships()).toEqual(["33:33:ff:00:00:10"]);
    a.announce([]);
    expect(ndp?.memberships()).toEqual([]);
    expect(host.eventsOf("withdrawn").map((e) => e.ip)).toEqual(["2001:db8::10", "2001:db8:1::10"]);
  });
});

describe("interfaces", () => {
  it("answers only on the selected interface of two", async () => {
    const seg2 = new MemorySegment();
    host.addInterface("eth1", { segment: seg2 });
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP, interfaces: ["eth1"] }]);
    const on0 = peer(seg);
    const on1 = peer(seg2);
    on0.send(arpRequest());
    on1.send(arpRequest());
    await seg.settled();
    await seg2.settled();
    expect(host.eventsOf("request").map((e) => [e.interface, e.result])).toEqual([
      ["eth0", "wrong-interface"],
      ["eth1", "replied"],
    ]);
    expect(arpOf(host.sent("eth0", "arp"))).toHaveLength(0);
    expect(a.drops()["eth0"]).toEqual({ "wrong-interface": 1 });
  });

  it("skips excluded, down, enslaved and NOARP interfaces; NDP needs a link-local address", () => {
    const s = new MemorySegment();
    host.addInterface("veth1234", { segment: s });
    host.addInterface("eth2", { segment: s, up: false });
    host.addInterface("eth3", { segment: s, master: "br0" });
    host.addInterface("eth4", { segment: s, noArp: true });
    host.addInterface("eth5", { segment: s, broadcast: false });
    host.addInterface("eth6", { segment: s, linkLocal: undefined });
    const report = host.start().lastRescan;
    expect(report.arp).toEqual(["eth0", "eth6"]);
    expect(report.ndp).toEqual(["eth0", "eth5"]);
    expect(report.skipped).toEqual([
      { name: "veth1234", reason: "excluded" },
      { name: "eth2", reason: "down" },
      { name: "eth3", reason: "enslaved" },
      { name: "eth4", reason: "no-arp" },
    ]);
  });

  it("with `only`, opens nothing on other interfaces", () => {
    host.addInterface("eth1", { segment: new MemorySegment() });
    const report = host.start({ only: ["eth1"] }).lastRescan;
    expect(report.arp).toEqual(["eth1"]);
    expect(host.conns.map((c) => c.ifname)).toEqual(["eth1", "eth1"]);
  });

  it("reports requested interfaces that do not exist", () => {
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP, interfaces: ["eth9"] }]);
    expect(host.eventsOf("interfaces-missing")).toEqual([{ type: "interfaces-missing", ip: "198.51.100.10", requested: ["eth9"] }]);
  });

  it("a rescan opens new interfaces and announces there; a vanished one is closed", () => {
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP }]);
    const seg2 = new MemorySegment();
    host.addInterface("eth1", { segment: seg2 });
    host.clock.advance(2000);
    expect(arpOf(host.sent("eth1", "arp"))).toHaveLength(0);
    a.rescan();
    expect(arpOf(host.sent("eth1", "arp"))).toHaveLength(2);
    expect(a.status()[0]?.interfaces).toEqual(["eth0", "eth1"]);
    host.interfaces.delete("eth0");
    const eth0 = host.conn("eth0", "arp");
    a.rescan();
    expect(eth0?.closed).toBe(true);
    expect(a.status()[0]?.interfaces).toEqual(["eth1"]);
    expect(host.eventsOf("interfaces").map((e) => e.arp)).toEqual([["eth0"], ["eth0", "eth1"], ["eth1"]]);
  });

  it("rescans periodically when asked to", () => {
    const a = host.start({ probe: false, rescanIntervalMs: 10_000 });
    host.addInterface("eth1", { segment: new MemorySegment() });
    host.clock.advance(9_999);
    expect(a.lastRescan.arp).toEqual(["eth0"]);
    host.clock.advance(1);
    expect(a.lastRescan.arp).toEqual(["eth0", "eth1"]);
    a.close();
    expect(host.clock.pending).toBe(0);
  });

  it("reports connections that cannot be opened, with the rawsock code", () => {
    host.openError = new RawsockError("RAWSOCK_EPERM", "needs CAP_NET_RAW");
    const a = host.start();
    expect(a.lastRescan.errors).toEqual([
      { interface: "eth0", protocol: "arp", code: "RAWSOCK_EPERM", message: "needs CAP_NET_RAW" },
      { interface: "eth0", protocol: "ndp", code: "RAWSOCK_EPERM", message: "needs CAP_NET_RAW" },
    ]);
  });

  it("drops a connection after a fatal error and reopens it on the next rescan", () => {
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP }]);
    const first = host.conn("eth0", "arp");
    first?.failWith(new RawsockError("RAWSOCK_ENODEV", "gone"), true);
    expect(first?.closed).toBe(true);
    expect(a.status()[0]?.interfaces).toEqual([]);
    expect(host.eventsOf("interface-error")).toMatchObject([{ interface: "eth0", protocol: "arp", code: "RAWSOCK_ENODEV", fatal: true }]);
    a.rescan();
    expect(host.conn("eth0", "arp")).not.toBe(first);
    expect(a.status()[0]?.interfaces).toEqual(["eth0"]);
  });
});

describe("withdrawal and close", () => {
  it("a withdrawn IP is no longer answered nor announced", async () => {
    const observer = peer(seg);
    const a = host.start({ probe: false });
    a.announce([{ ip: VIP }]);
    a.announce([]);
    host.clock.advance(10_000);
    expect(a.status()).toEqual([]);
    expect(arpOf(host.sent("eth0", "arp"))).toHaveLength(2);
    observer.send(arpRequest());
    await seg.settled();
    expect(a.drops()["eth0"]).toEqual({ "not-owned": 1 });
  });

  it("close() closes every connection and cancels every timer", () => {
    const a = host.start();
    a.announce([{ ip: VIP }, { ip: VIP6 }]);
    a.close();
    expect(host.conns.every((c) => c.conn.closed)).toBe(true);
    expect(host.clock.pending).toBe(0);
    expect(() => a.announce([])).toThrow();
  });
});

describe("kernel ARP fast path (an injected responder per ARP interface)", () => {
  /** A stand-in for the XDP responder: which IPs it answers for, and counts a test sets. */
  class FakeKernel implements KernelArpResponder {
    readonly hook = "tcx";
    readonly ips = new Set<string>();
    readonly counts = new Map<string, number>();
    closed = false;
    constructor(readonly port: KernelArpPort) {}
    add(a: IpAddress): void {
      this.ips.add(formatIp(a));
    }
    remove(a: IpAddress): number {
      this.ips.delete(formatIp(a));
      const n = this.counts.get(formatIp(a)) ?? 0;
      this.counts.delete(formatIp(a));
      return n;
    }
    answered(a: IpAddress): number {
      return this.counts.get(formatIp(a)) ?? 0;
    }
    close(): void {
      this.closed = true;
    }
  }
  let kernels: FakeKernel[];
  const factory = (port: KernelArpPort) => {
    const k = new FakeKernel(port);
    kernels.push(k);
    return k;
  };
  const kernelOf = (ifname: string) => kernels.filter((k) => k.port.ifname === ifname && !k.closed).at(-1);
  const ipsOf = (ifname: string) => [...(kernelOf(ifname)?.ips ?? [])].sort();

  beforeEach(() => {
    kernels = [];
  });

  it("gets an IPv4 address only once it is announced (not while probing), never an IPv6 one, and loses it on withdrawal", () => {
    const a = host.start({ kernelArp: factory });
    expect(kernels.map((k) => k.port)).toEqual([{ ifname: "eth0", ifindex: 2, mac: "02:00:00:00:00:02" }]);
    expect(host.eventsOf("kernel-arp")).toEqual([{ type: "kernel-arp", interface: "eth0", hook: "tcx" }]);
    a.announce([{ ip: VIP }, { ip: VIP6 }]);
    expect(ipsOf("eth0")).toEqual([]);
    host.clock.advance(200);
    expect(host.eventsOf("announcing").map((e) => e.ip).sort()).toEqual(["198.51.100.10", "2001:db8::10"]);
    expect(ipsOf("eth0")).toEqual(["198.51.100.10"]);
    a.announce([{ ip: VIP6 }]);
    expect(ipsOf("eth0")).toEqual([]);
  });

  it("counts what the kernel answered into the IP's counters, also after the IP left that interface", async () => {
    host.addInterface("eth1", { segment: new MemorySegment() });
    const a = host.start({ kernelArp: factory, probe: false });
    a.announce([{ ip: VIP, interfaces: ["eth0"] }]);
    kernelOf("eth0")?.counts.set("198.51.100.10", 5);
    expect(a.status()[0]?.counters).toMatchObject({ requestsReceived: 5, responsesSent: 5 });
    // Requests the kernel passes on (here all of them: nothing answers in memory) are answered and counted in user space, on top.
    peer(seg).send(arpRequest());
    await seg.settled();
    expect(a.status()[0]?.counters).toMatchObject({ requestsReceived: 6, responsesSent: 6 });
    a.announce([{ ip: VIP, interfaces: ["eth1"] }]);
    expect(ipsOf("eth0")).toEqual([]);
    expect(ipsOf("eth1")).toEqual(["198.51.100.10"]);
    kernelOf("eth1")?.counts.set("198.51.100.10", 2);
    expect(a.status()[0]?.counters).toMatchObject({ requestsReceived: 8, responsesSent: 8 });
  });

  it("reports what the kernel answered as deltas, once, and what is left when the IP is withdrawn", () => {
    const a = host.start({ kernelArp: factory, probe: false });
    a.announce([{ ip: VIP }]);
    const answered = () => host.eventsOf("kernel-answered").map((e) => [e.ip, e.answered]);
    a.reportKernelAnswers();
    expect(answered()).toEqual([]);
    kernelOf("eth0")?.counts.set("198.51.100.10", 3);
    a.reportKernelAnswers();
    a.reportKernelAnswers();
    expect(answered()).toEqual([["198.51.100.10", 3]]);
    kernelOf("eth0")?.counts.set("198.51.100.10", 7);
    a.announce([]);
    expect(answered()).toEqual([
      ["198.51.100.10", 3],
      ["198.51.100.10", 4],
    ]);
    expect(host.events.map((e) => e.type).slice(-2)).toEqual(["kernel-answered", "withdrawn"]);
  });

  it("never hands over an IP refused after a conflict probe; a claim while announcing leaves the kernel answering", async () => {
    const a = host.start({ kernelArp: factory, conflictRetryMs: 0 });
    a.announce([{ ip: VIP }, { ip: ip("198.51.100.11") }]);
    host.clock.advance(10);
    peer(seg, FOREIGN).send(gratuitousArp(VIP, FOREIGN)[1]);
    await seg.settled();
    host.clock.advance(500);
    expect(a.status().map((s) => [s.ip, s.state])).toEqual([
      ["198.51.100.10", "refused"],
      ["198.51.100.11", "announcing"],
    ]);
    expect(ipsOf("eth0")).toEqual(["198.51.100.11"]);
    peer(seg, FOREIGN).send(gratuitousArp(ip("198.51.100.11"), FOREIGN)[1]);
    await seg.settled();
    expect(host.eventsOf("conflict").map((e) => [e.ip, e.phase])).toEqual([
      ["198.51.100.10", "probing"],
      ["198.51.100.11", "announcing"],
    ]);
    expect(ipsOf("eth0")).toEqual(["198.51.100.11"]);
  });

  it("falls back to user space on an interface where the responder cannot be opened, and says why", async () => {
    const a = host.start({
      probe: false,
      kernelArp: () => {
        throw new RawsockError("RAWSOCK_EPERM", "create a BPF map: bpf failed with EPERM");
      },
    });
    expect(host.eventsOf("interface-error")).toEqual([
      { type: "interface-error", interface: "eth0", protocol: "arp", code: "RAWSOCK_EPERM", message: "kernel ARP responder: create a BPF map: bpf failed with EPERM", fatal: false },
    ]);
    a.announce([{ ip: VIP }]);
    const observer = peer(seg);
    observer.send(arpRequest());
    await seg.settled();
    expect(observer.frames().filter((f) => f.kind === "arp" && f.arp.operation === ArpOperation.Reply && f.arp.targetMac === CLIENT)).toHaveLength(1);
  });

  it("closes the responders with the interface and with the announcer", () => {
    const a = host.start({ kernelArp: factory, probe: false });
    const first = kernelOf("eth0");
    host.interfaces.delete("eth0");
    a.rescan();
    expect(first?.closed).toBe(true);
    host.addInterface("eth0", { segment: seg });
    a.rescan();
    expect(kernelOf("eth0")).not.toBe(first);
    a.close();
    expect(kernels.every((k) => k.closed)).toBe(true);
  });
});
