// The kernel ARP fast path end to end: `ironlb l2 probe --kernel-arp` in a
// speaker namespace attaches the BPF program (tcx ingress on this kernel);
// arping and tcpdump in an observer namespace are the oracles. The kernel
// answers for the announced IP (user space never sees those requests, its
// counters still count them) and for nothing else; a claim on the IP still
// reaches user space and is reported; and a speaker killed with SIGKILL stops
// answering at once, because the program goes with the process's BPF link.
import { expect, it } from "vitest";
import { serviceV4 } from "../lib/addresses.ts";
import { arping } from "../lib/probes.ts";
import { describeLab } from "../lib/suite.ts";
import { startCapture } from "../lib/tcpdump.ts";
import { startL2Probe, warmUp } from "./support/run-ts.ts";

describeLab("L2 ARP answered in the kernel by a BPF program (real kernel on both sides)", { root: true, binaries: ["ip", "arping", "tcpdump", "setpriv"] }, (lab) => {
  it("warms the transpile cache", { timeout: 180_000 }, async () => {
    await warmUp();
  });

  it("the program answers arping with our MAC, user space sees none of it, the counters count it", async () => {
    const [speaker, observer] = [await lab.namespace("karp-spk"), await lab.namespace("karp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV4(60);
    const probe = startL2Probe(speaker, link.a.ifname, [vip], { kernelArp: true });
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    expect(probe.of("kernel-arp")).toMatchObject([{ interface: link.a.ifname, hook: "tcx" }]);

    const capture = await startCapture(observer, { ifname: link.b.ifname, filter: "arp" });
    const owned = await arping(observer, { ifname: link.b.ifname, ip: vip, count: 3, deadline: 3 });
    expect(owned.macs).toEqual([link.a.mac]);
    const other = await arping(observer, { ifname: link.b.ifname, ip: serviceV4(61), count: 1, deadline: 1 });
    expect(other.replies).toEqual([]);
    const packets = await capture.stop();
    // Replies to the observer (the gratuitous ones of the takeover go to broadcast).
    const replies = packets.filter((p) => p.text.includes("Reply") && !p.text.includes("> ff:ff:ff:ff:ff:ff"));
    expect(replies.length).toBeGreaterThanOrEqual(2);
    for (const r of replies) expect(r.text).toBe(`${link.a.mac} > ${link.b.mac}, ethertype ARP (0x0806), length 42: Reply ${vip} is-at ${link.a.mac}, length 28`);

    // The unanswered request for the other IP went on to user space and was dropped there.
    expect(probe.of("request").filter((e) => e["ip"] === vip)).toEqual([]);
    await probe.proc.stop();
    const counters = (probe.of("stopped")[0]?.["counters"] as Record<string, number>[])[0];
    expect(counters).toMatchObject({ ip: vip, state: "announcing" });
    expect(counters?.["responsesSent"]).toBe(replies.length);
    expect(counters?.["requestsReceived"]).toBe(replies.length);
    expect(probe.of("kernel-answered").reduce((n, e) => n + Number(e["answered"]), 0)).toBe(replies.length);
    // Stopped: the program is gone with the process, nothing answers.
    expect((await arping(observer, { ifname: link.b.ifname, ip: vip, count: 1, deadline: 1 })).replies).toEqual([]);
  });

  it("a host claiming the IP is still seen and reported: the program passes a request from an announced IP to user space", async () => {
    const [speaker, other] = [await lab.namespace("karp-spk"), await lab.namespace("karp-other")];
    const link = await lab.veth(speaker, other);
    const vip = serviceV4(62);
    const probe = startL2Probe(speaker, link.a.ifname, [vip], { kernelArp: true });
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    await other.addAddress(link.b.ifname, `${vip}/32`);
    await other.exec("arping", ["-U", "-c", "1", "-w", "1", "-I", link.b.ifname, vip], { allowFailure: true });
    const conflict = await probe.waitFor("a conflict while announcing", (e) => e.event === "conflict");
    expect(conflict).toMatchObject({ ip: vip, foreignMac: link.b.mac, evidence: "arp-request", phase: "announcing", defended: true });
    await probe.proc.stop();
  });

  it("SIGKILL: the program goes with the process, nothing answers for the IP any more", async () => {
    const [speaker, observer] = [await lab.namespace("karp-spk"), await lab.namespace("karp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV4(63);
    const probe = startL2Probe(speaker, link.a.ifname, [vip], { kernelArp: true, conflictCheck: false });
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    expect((await arping(observer, { ifname: link.b.ifname, ip: vip, count: 1, deadline: 2 })).macs).toEqual([link.a.mac]);
    probe.proc.killNow();
    await probe.proc.exited;
    expect((await arping(observer, { ifname: link.b.ifname, ip: vip, count: 2, deadline: 2 })).replies).toEqual([]);
  });

  it("the generic XDP fallback (kernels before 6.6) answers the same way and goes with the process too", async () => {
    const [speaker, observer] = [await lab.namespace("karp-spk"), await lab.namespace("karp-obs")];
    const link = await lab.veth(speaker, observer);
    const vip = serviceV4(65);
    const probe = startL2Probe(speaker, link.a.ifname, [vip], { kernelArp: "xdp", conflictCheck: false });
    await probe.waitFor("announcing", (e) => e.event === "announcing");
    expect(probe.of("kernel-arp")).toMatchObject([{ interface: link.a.ifname, hook: "xdp" }]);
    expect((await speaker.ip(["-d", "link", "show", "dev", link.a.ifname])).stdout).toMatch(/prog\/xdp id \d+/);
    expect((await arping(observer, { ifname: link.b.ifname, ip: vip, count: 2, deadline: 2 })).macs).toEqual([link.a.mac]);
    expect((await arping(observer, { ifname: link.b.ifname, ip: serviceV4(66), count: 1, deadline: 1 })).replies).toEqual([]);
    await probe.waitFor("the kernel's answers counted", () => probe.of("kernel-answered").length > 0);
    expect(probe.of("request").filter((e) => e["ip"] === vip)).toEqual([]);
    probe.proc.killNow();
    await probe.proc.exited;
    expect((await speaker.ip(["-d", "link", "show", "dev", link.a.ifname])).stdout).not.toMatch(/prog\/xdp/);
    expect((await arping(observer, { ifname: link.b.ifname, ip: vip, count: 1, deadline: 1 })).replies).toEqual([]);
  });

  it("without the privilege to load it, --kernel-arp exits 1 with one line saying what is missing", async () => {
    const [speaker, observer] = [await lab.namespace("karp-spk"), await lab.namespace("karp-obs")];
    const link = await lab.veth(speaker, observer);
    // Without CAP_BPF and CAP_SYS_ADMIN: packet sockets open, bpf(2) is refused.
    const drop = "-bpf,-sys_admin,-perfmon";
    const probe = startL2Probe(speaker, link.a.ifname, [serviceV4(64)], { kernelArp: true, wrapper: ["setpriv", `--inh-caps=${drop}`, `--bounding-set=${drop}`, "--"] });
    const exit = await probe.proc.exited;
    expect(exit.code).toBe(1);
    expect(probe.proc.stderr()).toMatch(new RegExp(`^ironlb: --kernel-arp: cannot attach the kernel ARP responder to ${link.a.ifname}: create a BPF map: bpf failed with EPERM \\(needs CAP_BPF and CAP_NET_ADMIN \\(or CAP_SYS_ADMIN\\)[^\\n]*\\n$`));
  });
});
