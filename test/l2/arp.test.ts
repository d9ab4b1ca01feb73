// ARP end to end: `ironlb l2 probe` inside a speaker namespace, the Linux
// kernel and iputils in observer namespaces as the oracles. An owned IP is
// answered with our MAC and nothing else is; a takeover moves an observer's
// neighbour entry to our MAC through the gratuitous ARP alone; of two
// interfaces only the selected one answers.
import { expect, it } from "vitest";
import { serviceV4 } from "../lib/addresses.ts";
import { arping, neighbourMac, ping } from "../lib/probes.ts";
import { describeLab } from "../lib/suite.ts";
import { startCapture } from "../lib/tcpdump.ts";
import { waitFor } from "../lib/wait-for.ts";
import { startL2Probe, warmUp } from "./support/run-ts.ts";

describeLab("L2 ARP (real kernel on both sides)", { root: true, binaries: ["ip", "arping", "ping", "tcpdump"] }, (lab) => {
  it("warms the transpile cache", { timeout: 180_000 }, async () => {
    await warmUp();
  });

  it("arping gets our MAC for an owned IPv4 and no answer for another", async () => {
    const [speaker, observer] = [await lab.namespace("arp-spk"), await lab.namespace("arp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV4(10);
    const probe = startL2Probe(speaker, link.a.ifname, [vip]);
    await probe.waitFor("announcing", (e) => e.event === "announcing");

    const owned = await arping(observer, { ifname: link.b.ifname, ip: vip, count: 2, deadline: 3 });
    expect(owned.macs).toEqual([link.a.mac]);
    const other = await arping(observer, { ifname: link.b.ifname, ip: serviceV4(11), count: 1, deadline: 1 });
    expect(other.replies).toEqual([]);

    await probe.waitFor("the request events", () => probe.of("request").length >= 2);
    expect(probe.of("request").map((e) => [e["ip"], e["from"], e["result"]])).toContainEqual([vip, link.b.mac, "replied"]);
    expect(probe.of("request").every((e) => e["ip"] === vip)).toBe(true);
    expect(probe.of("announcing")[0]).toMatchObject({ ip: vip, interfaces: [link.a.ifname], probed: true });

    const exit = await probe.proc.stop();
    expect(exit.code).toBe(0);
    const [stopped] = probe.of("stopped");
    expect(stopped).toMatchObject({ signal: "SIGTERM" });
    expect((stopped?.["counters"] as Record<string, unknown>[])[0]).toMatchObject({ ip: vip, probesSent: 3, conflicts: 0 });
  });

  it("after a takeover the observer's entry moves to our MAC from the gratuitous ARP alone", async () => {
    const [observer, old, speaker] = [await lab.namespace("arp-obs"), await lab.namespace("arp-old"), await lab.namespace("arp-spk")];
    const seg = await lab.segment([observer, old, speaker]);
    const [obs, oldEnd, spk] = seg.members as [(typeof seg.members)[number], (typeof seg.members)[number], (typeof seg.members)[number]];
    const vip = serviceV4(20);
    // The old owner holds the VIP; the observer talks to it, so its kernel has an entry.
    await old.addAddress(oldEnd.ifname, `${vip}/32`);
    await observer.addRoute(`${vip}/32`, { dev: obs.ifname });
    expect((await ping(observer, { ip: vip, count: 1 })).received).toBe(1);
    expect(await neighbourMac(observer, vip)).toBe(oldEnd.mac);

    // The old owner dies; the new one takes over without probing (failover).
    await old.removeAddress(oldEnd.ifname, `${vip}/32`);
    const capture = await startCapture(observer, { ifname: obs.ifname, filter: `arp and ether src ${obs.mac}` });
    const probe = startL2Probe(speaker, spk.ifname, [vip], { conflictCheck: false });
    await probe.waitFor("the first gratuitous round", (e) => e.event === "gratuitous");
    await waitFor(async () => (await neighbourMac(observer, vip)) === spk.mac, { what: `the observer's entry for ${vip} to become ${spk.mac}`, timeout: 10_000 });
    // The observer never asked: the entry moved because of the announcement.
    expect(await capture.stop()).toEqual([]);
    expect(probe.of("request")).toEqual([]);
    expect(probe.of("announcing")[0]).toMatchObject({ probed: false });
  });

  it("of two interfaces only the selected one answers", async () => {
    const [speaker, observer] = [await lab.namespace("arp-spk"), await lab.namespace("arp-obs")];
    const one = await lab.veth(speaker, observer);
    const two = await lab.veth(speaker, observer);
    const vip = serviceV4(30);
    const probe = startL2Probe(speaker, one.a.ifname, [vip], { conflictCheck: false });
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    expect((await arping(observer, { ifname: one.b.ifname, ip: vip, count: 1, deadline: 2 })).macs).toEqual([one.a.mac]);
    expect((await arping(observer, { ifname: two.b.ifname, ip: vip, count: 2, deadline: 2 })).replies).toEqual([]);
    expect(probe.of("interfaces")[0]).toMatchObject({ arp: [one.a.ifname] });
    expect(probe.of("request").every((e) => e["interface"] === one.a.ifname)).toBe(true);
  });
});
