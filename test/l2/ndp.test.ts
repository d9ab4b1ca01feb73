// NDP end to end: `ironlb l2 probe` in a speaker namespace answers Neighbor
// Solicitations from an observer's kernel, so `ping -6` to the VIP resolves
// through our NA (the speaker's kernel holds the VIP on lo, as kube-proxy
// IPVS holds it on kube-ipvs0, so the echo is answered; the kernel itself does
// not answer NS on another interface, which the test checks first); and a
// takeover's unsolicited NA moves an observer's entry to our MAC without the
// observer asking (accept_untracked_na=1 and forwarding=1 on the observer,
// lab.md).
import { expect, it } from "vitest";
import { serviceV6 } from "../lib/addresses.ts";
import { neighbourMac, neighbours, ping } from "../lib/probes.ts";
import { describeLab } from "../lib/suite.ts";
import { startCapture } from "../lib/tcpdump.ts";
import { waitFor } from "../lib/wait-for.ts";
import { startL2Probe, warmUp } from "./support/run-ts.ts";

describeLab("L2 NDP (real kernel on both sides)", { root: true, binaries: ["ip", "ping", "tcpdump"] }, (lab) => {
  it("warms the transpile cache", { timeout: 180_000 }, async () => {
    await warmUp();
  });

  it("ping -6 from an observer resolves the VIP through our Neighbor Advertisement", async () => {
    const [speaker, observer] = [await lab.namespace("ndp-spk"), await lab.namespace("ndp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV6(0x10);
    await speaker.addAddress("lo", `${vip}/128`);
    await observer.addRoute(`${vip}/128`, { dev: link.b.ifname });

    // Without the responder nobody answers: the speaker's kernel keeps lo's address to itself.
    expect((await ping(observer, { ip: vip, count: 1, deadline: 2 })).received).toBe(0);
    expect(await neighbourMac(observer, vip)).toBeUndefined();

    const probe = startL2Probe(speaker, link.a.ifname, [vip]);
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    await speaker.ip(["-6", "neigh", "flush", "dev", link.a.ifname]);
    await observer.ip(["-6", "neigh", "flush", "dev", link.b.ifname]);
    const capture = await startCapture(observer, { ifname: link.b.ifname, filter: "icmp6 and ip6[40] == 136", extraArgs: ["-v"] });
    expect((await ping(observer, { ip: vip, count: 2, deadline: 4 })).received).toBeGreaterThan(0);
    expect(await neighbourMac(observer, vip)).toBe(link.a.mac);

    const na = await capture.waitForPacket((p) => p.text.includes(`tgt is ${vip}`) && p.text.includes("Flags [solicited, override]"));
    // From the speaker's link-local address, with hop limit 255 (RFC 4861 §7.1.2) and our MAC as target link-layer address.
    expect(na.text).toMatch(/hlim 255/);
    expect(na.text).toMatch(new RegExp(`${link.a.mac} > ${link.b.mac}`));
    expect(na.text).toMatch(/fe80::\S+ > fd00:/);
    // tcpdump calls option 2 "destination link-address"; it also checks our checksum.
    expect(na.text).toMatch(new RegExp(`destination link-address option \\(2\\), length 8 \\(1\\): ${link.a.mac}`));
    expect(na.text).toMatch(/icmp6 sum ok/);
    await capture.stop();
    expect(probe.of("request").some((e) => e["ip"] === vip && e["result"] === "replied" && e["from"] === link.b.mac)).toBe(true);
    expect(probe.of("announcing")[0]).toMatchObject({ probed: true });
  });

  it("an unsolicited NA at takeover moves the observer's entry to our MAC without the observer asking", async () => {
    const [observer, old, speaker] = [await lab.namespace("ndp-obs"), await lab.namespace("ndp-old"), await lab.namespace("ndp-spk")];
    const seg = await lab.segment([observer, old, speaker]);
    const [obs, oldEnd, spk] = seg.members as [(typeof seg.members)[number], (typeof seg.members)[number], (typeof seg.members)[number]];
    const vip = serviceV6(0x20);
    await observer.sysctl({ [`net.ipv6.conf.${obs.ifname}.accept_untracked_na`]: 1, [`net.ipv6.conf.${obs.ifname}.forwarding`]: 1 });
    await old.addAddress(oldEnd.ifname, `${vip}/128`);
    await observer.addRoute(`${vip}/128`, { dev: obs.ifname });
    expect((await ping(observer, { ip: vip, count: 1 })).received).toBe(1);
    expect(await neighbourMac(observer, vip)).toBe(oldEnd.mac);

    await old.removeAddress(oldEnd.ifname, `${vip}/128`);
    const capture = await startCapture(observer, { ifname: obs.ifname, filter: `icmp6 and ether src ${obs.mac}` });
    await speaker.linkLocal(spk.ifname);
    const probe = startL2Probe(speaker, spk.ifname, [vip], { conflictCheck: false });
    await probe.waitFor("the first unsolicited NA", (e) => e.event === "gratuitous" && e["protocol"] === "ndp");
    await waitFor(async () => (await neighbourMac(observer, vip)) === spk.mac, { what: `the observer's entry for ${vip} to become ${spk.mac}`, timeout: 10_000 });
    // The observer sent no Neighbor Solicitation (nor anything else) meanwhile.
    expect(await capture.stop()).toEqual([]);
    const entry = (await neighbours(observer, { family: "ipv6" })).find((n) => n.ip === vip);
    expect(entry?.state).toContain("STALE");
  });

  it("an unsolicited NA creates the entry on an observer that never saw the VIP", async () => {
    const [speaker, observer] = [await lab.namespace("ndp-spk"), await lab.namespace("ndp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV6(0x30);
    await observer.sysctl({ [`net.ipv6.conf.${link.b.ifname}.accept_untracked_na`]: 1, [`net.ipv6.conf.${link.b.ifname}.forwarding`]: 1 });
    startL2Probe(speaker, link.a.ifname, [vip], { conflictCheck: false });
    await waitFor(async () => (await neighbourMac(observer, vip)) === link.a.mac, { what: `an entry for ${vip} on the observer`, timeout: 10_000 });
  });
});
