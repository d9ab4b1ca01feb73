// @ironlb/rawsock's AF_PACKET connection against the real kernel: a driver
// process (support/packet-tool.ts) inside one namespace, a peer namespace on
// the other end of a veth sending frames with its own tools and capturing with
// tcpdump. Packet types, own frames ignored, link-layer and IPv6 group
// membership as the kernel reports it, the NDP socket filter, a clean exit
// after close(), and the error without CAP_NET_RAW.
import { expect, it } from "vitest";
import { describeLab } from "../lib/suite.ts";
import { startCapture } from "../lib/tcpdump.ts";
import type { Namespace } from "../lib/netns.ts";
import { waitFor } from "../lib/wait-for.ts";
import { cliMain, JsonLines, nodeTs, packetTool, repoRoot, warmUp } from "./support/run-ts.ts";

function tool(ns: Namespace, ifname: string, ethertype: string, extra: string[] = [], wrap: string[] = []): JsonLines {
  const argv = [...nodeTs(packetTool, [ifname, ethertype, ...extra])];
  const proc = wrap.length === 0 ? ns.spawn(process.execPath, argv, { cwd: repoRoot, stdin: true }) : ns.spawn(wrap[0] as string, [...wrap.slice(1), process.execPath, ...argv], { cwd: repoRoot, stdin: true });
  return new JsonLines(proc);
}

function command(t: JsonLines, cmd: object): void {
  t.proc.write(JSON.stringify(cmd) + "\n");
}

const mac = (m: string) => m.replace(/:/g, "");
// An ARP request frame (42 bytes), from `src` (198.51.100.201) to `dst`, asking for 203.0.113.77.
const arpFrame = (dst: string, src: string) => `${mac(dst)}${mac(src)}08060001080006040001${mac(src)}c63364c9000000000000cb00714d`;

describeLab("rawsock packet connection (real kernel)", { root: true, binaries: ["ip", "arping", "ping", "tcpdump", "setpriv"] }, (lab) => {
  it("warms the transpile cache", { timeout: 180_000 }, async () => {
    await warmUp();
  });

  it("reports broadcast, to-us and to-others frames by packet type and never its own", async () => {
    const [host, peerNs] = [await lab.namespace("pc-host"), await lab.namespace("pc-peer")];
    const link = await lab.veth(host, peerNs, { subnet: false });
    const ours = tool(host, link.a.ifname, "0x0806");
    const theirs = tool(peerNs, link.b.ifname, "0x0806");
    await ours.waitFor("ready", (e) => e.event === "ready");
    await theirs.waitFor("ready", (e) => e.event === "ready");
    const capture = await startCapture(peerNs, { ifname: link.b.ifname, filter: "arp" });

    const own = arpFrame("ff:ff:ff:ff:ff:ff", link.a.mac);
    command(ours, { op: "send", hex: own });
    await capture.waitForPacket((p) => p.text.startsWith(`${link.a.mac} > ff:ff:ff:ff:ff:ff`));

    for (const dst of ["ff:ff:ff:ff:ff:ff", link.a.mac, "02:00:00:00:00:99"]) command(theirs, { op: "send", hex: arpFrame(dst, link.b.mac) });
    await ours.waitFor("three frames from the peer", () => ours.of("frame").length >= 3);
    const frames = ours.of("frame");
    expect(frames.map((f) => f["packetType"])).toEqual(["broadcast", "host", "otherhost"]);
    expect(frames.every((f) => f["ifindex"] === ours.of("ready")[0]?.["ifindex"])).toBe(true);
    expect(frames.some((f) => f["hex"] === own)).toBe(false);
    // The kernel's own ARP (none here: no addresses) and our frame are the only other traffic.
    expect((await capture.stop()).length).toBeGreaterThanOrEqual(4);
  });

  it("joins link-layer and IPv6 groups as the kernel reports them, and leaves them", async () => {
    const [host, peerNs] = [await lab.namespace("pc-host"), await lab.namespace("pc-peer")];
    const link = await lab.veth(host, peerNs, { subnet: false });
    const t = tool(host, link.a.ifname, "0x86dd");
    await t.waitFor("ready", (e) => e.event === "ready");
    const maddr = async () => (await host.ip(["maddr", "show", "dev", link.a.ifname])).stdout;
    command(t, { op: "join", mac: "3333ff000010", group: "ff0200000000000000000001ff000010" });
    await t.waitFor("join", (e) => e.event === "done" && e["op"] === "join");
    // Joined twice, left once: still a member (joins are counted).
    command(t, { op: "join", mac: "3333ff000010", group: "ff0200000000000000000001ff000010" });
    command(t, { op: "leave", mac: "3333ff000010", group: "ff0200000000000000000001ff000010" });
    await t.waitFor("leave", (e) => e.event === "done" && e["op"] === "leave");
    const joined = await maddr();
    expect(joined).toMatch(/link\s+33:33:ff:00:00:10/);
    expect(joined).toMatch(/inet6 ff02::1:ff00:10/);
    command(t, { op: "leave", mac: "3333ff000010", group: "ff0200000000000000000001ff000010" });
    await waitFor(async () => !/ff02::1:ff00:10|33:33:ff:00:00:10/.test(await maddr()), { what: "the groups to be left", timeout: 5_000 });
    command(t, { op: "leave", mac: "3333ff000010" });
    await t.waitFor("a failed leave", (e) => e.event === "failed" && e["op"] === "leave");
    expect(t.of("failed")[0]?.["code"]).toBe("RAWSOCK_EADDRNOTAVAIL");
  });

  it("with the NDP filter receives Neighbor Solicitations but no other IPv6", async () => {
    const [host, peerNs] = [await lab.namespace("pc-host"), await lab.namespace("pc-peer")];
    const link = await lab.veth(host, peerNs);
    const t = tool(host, link.a.ifname, "0x86dd", ["--ndp-filter"]);
    await t.waitFor("ready", (e) => e.event === "ready");
    // The peer resolves the host's address (NS in, NA out) and pings it (echo in, reply out).
    const host6 = link.a.host?.v6 ?? "";
    await peerNs.exec("ping", ["-6", "-c", "2", "-i", "0.2", "-w", "3", host6], { allowFailure: true });
    await t.waitFor("a Neighbor Solicitation", (e) => e.event === "frame" && String(e["hex"]).slice(108, 110) === "87");
    for (const f of t.of("frame")) {
      const hex = String(f["hex"]);
      expect(hex.slice(24, 28)).toBe("86dd");
      expect(hex.slice(40, 42)).toBe("3a");
      expect(["87", "88"]).toContain(hex.slice(108, 110));
    }
  });

  it("after close() the process exits by itself", async () => {
    const [host, peerNs] = [await lab.namespace("pc-host"), await lab.namespace("pc-peer")];
    const link = await lab.veth(host, peerNs, { subnet: false });
    const t = tool(host, link.a.ifname, "0x0806");
    await t.waitFor("ready", (e) => e.event === "ready");
    command(t, { op: "close" });
    const exit = await Promise.race([t.proc.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 5_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(t.of("closed")).toHaveLength(1);
  });

  it("without CAP_NET_RAW fails with RAWSOCK_EPERM naming the capability; the CLI exits 1 saying so", async () => {
    const [host, peerNs] = [await lab.namespace("pc-host"), await lab.namespace("pc-peer")];
    const link = await lab.veth(host, peerNs, { subnet: false });
    const drop = ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--"];
    const t = tool(host, link.a.ifname, "0x0806", [], drop);
    const exit = await t.proc.exited;
    expect(exit.code).toBe(2);
    expect(t.of("error")[0]).toMatchObject({ code: "RAWSOCK_EPERM", fatal: true });
    expect(String(t.of("error")[0]?.["message"])).toMatch(/CAP_NET_RAW/);

    const cli = host.spawn(drop[0] as string, [...drop.slice(1), process.execPath, ...nodeTs(cliMain, ["l2", "probe", "--interface", link.a.ifname, "--ip", "198.51.100.10"])], { cwd: repoRoot });
    const cliExit = await cli.exited;
    expect(cliExit.code).toBe(1);
    expect(cli.stderr().trim().split("\n")).toHaveLength(1);
    expect(cli.stderr()).toMatch(/^ironlb: l2 probe needs CAP_NET_RAW/);
  });
});
