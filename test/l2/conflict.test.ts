// Conflict detection end to end: a namespace whose kernel really holds the IP
// makes the probe (RFC 5227 ARP probe, RFC 4862 DAD) refuse to announce, with
// a conflict event naming the holder's MAC and a one-line error; a host that
// starts claiming the IP while we announce it is reported; and a host trying
// to configure an announced IPv6 address has its DAD fail on our answer.
import { expect, it } from "vitest";
import { serviceV4, serviceV6 } from "../lib/addresses.ts";
import { describeLab } from "../lib/suite.ts";
import { waitFor } from "../lib/wait-for.ts";
import { startL2Probe, warmUp } from "./support/run-ts.ts";

describeLab("L2 conflict detection (real kernel on both sides)", { root: true, binaries: ["ip", "arping"] }, (lab) => {
  it("warms the transpile cache", { timeout: 180_000 }, async () => {
    await warmUp();
  });

  for (const [family, vip] of [
    ["IPv4", serviceV4(40)],
    ["IPv6", serviceV6(0x40)],
  ] as const) {
    it(`${family}: a host that holds the IP makes the probe refuse, naming its MAC; exit 1 with one line`, async () => {
      const [holder, speaker] = [await lab.namespace("cf-hold"), await lab.namespace("cf-spk")];
      const link = await lab.veth(holder, speaker);
      await holder.addAddress(link.a.ifname, family === "IPv4" ? `${vip}/32` : `${vip}/128`);
      if (family === "IPv6") await speaker.linkLocal(link.b.ifname);
      const probe = startL2Probe(speaker, link.b.ifname, [vip]);
      const exit = await probe.proc.exited;
      expect(exit.code).toBe(1);
      expect(probe.of("conflict")[0]).toMatchObject({
        ip: vip,
        interface: link.b.ifname,
        foreignMac: link.a.mac,
        evidence: family === "IPv4" ? "arp-reply" : "neighbor-advertisement",
        phase: "probing",
      });
      expect(probe.of("refused")).toHaveLength(1);
      expect(probe.of("announcing")).toEqual([]);
      expect(probe.of("gratuitous")).toEqual([]);
      expect(probe.proc.stderr()).toBe(`ironlb: ${vip} is already in use on ${link.b.ifname} by ${link.a.mac}; not announcing\n`);
    });
  }

  it("IPv4: a host that starts claiming the IP while we announce it is reported, and we defend", async () => {
    const [other, speaker] = [await lab.namespace("cf-other"), await lab.namespace("cf-spk")];
    const link = await lab.veth(other, speaker);
    const vip = serviceV4(41);
    const probe = startL2Probe(speaker, link.b.ifname, [vip]);
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    // The other host configures the VIP and announces it (gratuitous ARP request).
    await other.addAddress(link.a.ifname, `${vip}/32`);
    await other.exec("arping", ["-U", "-c", "1", "-w", "1", "-I", link.a.ifname, vip], { allowFailure: true });
    const conflict = await probe.waitFor("a conflict while announcing", (e) => e.event === "conflict");
    expect(conflict).toMatchObject({ ip: vip, foreignMac: link.a.mac, evidence: "arp-request", phase: "announcing", defended: true });
    expect(probe.proc.running).toBe(true);
    await probe.proc.stop();
    expect((probe.of("stopped")[0]?.["counters"] as Record<string, unknown>[])[0]).toMatchObject({ ip: vip, state: "announcing", conflicts: 1 });
  });

  it("IPv6: a host that starts advertising the IP while we announce it is reported", async () => {
    const [other, speaker] = [await lab.namespace("cf-other"), await lab.namespace("cf-spk")];
    const link = await lab.veth(other, speaker);
    const vip = serviceV6(0x41);
    await speaker.linkLocal(link.b.ifname);
    const probe = startL2Probe(speaker, link.b.ifname, [vip]);
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    // The other host configures the VIP; with ndisc_notify its kernel advertises
    // its addresses (unsolicited NA, RFC 4861 §7.2.6) when its MAC changes.
    await other.sysctl({ [`net.ipv6.conf.${link.a.ifname}.ndisc_notify`]: 1 });
    await other.addAddress(link.a.ifname, `${vip}/128`);
    const newMac = "02:00:00:00:41:41";
    await other.setLink(link.a.ifname, { mac: newMac });
    const conflict = await probe.waitFor("a conflict while announcing", (e) => e.event === "conflict");
    expect(conflict).toMatchObject({ ip: vip, foreignMac: newMac, evidence: "neighbor-advertisement", phase: "announcing", defended: true });
  });

  it("IPv6: a host running DAD for an announced IP sees it as a duplicate (our NA defends it)", async () => {
    const [other, speaker] = [await lab.namespace("cf-other"), await lab.namespace("cf-spk")];
    const link = await lab.veth(other, speaker);
    const vip = serviceV6(0x42);
    await speaker.linkLocal(link.b.ifname);
    const probe = startL2Probe(speaker, link.b.ifname, [vip]);
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    await other.sysctl({ [`net.ipv6.conf.${link.a.ifname}.accept_dad`]: 1 });
    await other.ip(["addr", "add", `${vip}/128`, "dev", link.a.ifname]);
    await waitFor(async () => (await other.ip(["-6", "addr", "show", "dev", link.a.ifname])).stdout.includes("dadfailed"), {
      what: `${vip} to fail DAD on the other host`,
      timeout: 10_000,
    });
    expect(probe.of("request").some((e) => e["ip"] === vip && e["result"] === "replied" && e["from"] === link.a.mac)).toBe(true);
  });
});
