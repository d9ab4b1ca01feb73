// The namespace harness against the real kernel: links, segments, addresses,
// link cuts, captures, probes, tracked processes, cleanup and the stale sweep.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import type { LabError } from "./errors.ts";
import { run } from "./exec.ts";
import { Lab } from "./netns.ts";
import { pidAlive, sweepStale } from "./names.ts";
import { arping, neighbourMac, ping } from "./probes.ts";
import { describeLab } from "./suite.ts";
import { startCapture } from "./tcpdump.ts";
import { waitFor } from "./wait-for.ts";

async function netnsList(): Promise<string[]> {
  const r = await run("ip", ["-j", "netns", "list"]);
  return r.stdout.trim() === "" ? [] : (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name);
}

describeLab("lab harness: namespaces", { root: true, binaries: ["ip", "tcpdump", "arping", "ping", "sysctl"] }, (lab) => {
  it("connects two namespaces with a veth pair in both families", async () => {
    const [a, b] = [await lab.namespace("a"), await lab.namespace("b")];
    const link = await lab.veth(a, b);
    expect(link.a.host?.v4).toMatch(/^10\.99\.\d+\.1$/);
    expect(link.b.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(await ping(a, { ip: link.b.host?.v4 ?? "" })).toMatchObject({ received: 1 });
    expect(await ping(a, { ip: link.b.host?.v6 ?? "" })).toMatchObject({ received: 1 });
    // DAD is off, so the link-local address is there without waiting a second.
    const ll = await b.linkLocal(link.b.ifname);
    expect(ll).toMatch(/^fe80::/);
    expect(await ping(a, { ip: ll, ifname: link.a.ifname })).toMatchObject({ received: 1 });
  });

  it("builds a bridged segment where arping sees each member's MAC and a cut port goes silent", async () => {
    const members = [await lab.namespace("m1"), await lab.namespace("m2"), await lab.namespace("m3")];
    const seg = await lab.segment(members);
    expect(seg.members.map((m) => m.host?.v4.split(".")[3])).toEqual(["1", "2", "3"]);
    const [m1, m2, m3] = seg.members;
    if (m1 === undefined || m2 === undefined || m3 === undefined) throw new Error("segment lost a member");
    const seen = await arping(m1.ns, { ifname: m1.ifname, ip: m2.host?.v4 ?? "" });
    expect(seen.macs).toEqual([m2.mac]);
    // arping bypasses the kernel's ARP table; ping goes through it.
    expect((await ping(m1.ns, { ip: m2.host?.v4 ?? "" })).received).toBe(1);
    expect(await neighbourMac(m1.ns, m2.host?.v4 ?? "")).toBe(m2.mac);

    await seg.setPort(m3, false);
    expect((await arping(m1.ns, { ifname: m1.ifname, ip: m3.host?.v4 ?? "", count: 1, deadline: 1 })).replies).toEqual([]);
    await seg.setPort(m3, true);
    await waitFor(async () => (await ping(m1.ns, { ip: m3.host?.v6 ?? "", deadline: 1 })).received === 1, { what: "m3 reachable over IPv6 after the port came back" });

    // A member that joins late gets the next host address.
    const late = await seg.add(await lab.namespace("m4"));
    expect(late.host?.v4.split(".")[3]).toBe("4");
  });

  it("sets sysctls, MACs and link state, and captures what crosses a link", async () => {
    const [a, b] = [await lab.namespace("cap-a"), await lab.namespace("cap-b")];
    const link = await lab.veth(a, b);
    await b.sysctl({ [`net.ipv4.conf.${link.b.ifname}.arp_accept`]: 1 });
    expect(await b.readSysctl(`net.ipv4.conf.${link.b.ifname}.arp_accept`)).toBe("1");
    await a.setLink(link.a.ifname, { mac: "02:00:5e:10:00:01" });
    expect((await a.link(link.a.ifname)).mac).toBe("02:00:5e:10:00:01");

    const cap = await startCapture(b, { ifname: link.b.ifname, filter: "icmp" });
    await ping(a, { ip: link.b.host?.v4 ?? "", count: 1 });
    const echo = await cap.waitForPacket(/ICMP echo request/);
    expect(echo.text).toContain("02:00:5e:10:00:01");
    const all = await cap.stop();
    expect(all.length).toBeGreaterThanOrEqual(1);

    await a.setLink(link.a.ifname, { up: false });
    expect((await a.link(link.a.ifname)).up).toBe(false);
    expect((await ping(a, { ip: link.b.host?.v4 ?? "", deadline: 1 })).received).toBe(0);
    // keep_addr_on_down: the IPv6 address survives the cut.
    expect((await a.link(link.a.ifname)).addresses.some((x) => x.address === link.a.host?.v6)).toBe(true);
  });

  it("tracks spawned processes and kills them, and everything else in its namespaces, on cleanup", async () => {
    const own = new Lab({ tag: "inner" });
    const ns = await own.namespace("procs");
    const sleeper = ns.spawn("sleep", ["300"]);
    // A process the lab did not start itself (a daemon that forked away).
    await ns.exec("sh", ["-c", "sleep 300 >/dev/null 2>&1 & echo $!"]);
    const stray = await waitFor(async () => (await ns.pids()).find((p) => p !== sleeper.pid), { what: "the stray sleep" });
    expect(await netnsList()).toContain(ns.name);
    await Promise.all([own.cleanup(), own.cleanup()]);
    expect(sleeper.exitInfo?.signal).toBe("SIGTERM");
    expect(pidAlive(stray)).toBe(false);
    expect(await netnsList()).not.toContain(ns.name);
    await expect(own.namespace("again")).rejects.toMatchObject({ code: "LAB_CLEANED_UP" } satisfies Partial<LabError>);
    await own.cleanup(); // idempotent
  });

  it("cleans up synchronously, as the exit and signal handlers do", async () => {
    const own = new Lab();
    const ns = await own.namespace("sync");
    const p = ns.spawn("sleep", ["300"]);
    own.cleanupSync();
    await p.exited;
    expect(p.exitInfo?.signal).toBe("SIGKILL");
    expect(await netnsList()).not.toContain(ns.name);
  });

  it("sweeps only stale leftovers of this harness", async () => {
    // A pid that certainly no longer exists: a child that already exited.
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    const stale = `ilb-${dead}-1-stale`;
    const alive = `ilb-1-999999-alive`; // pid 1 always exists
    const foreign = `ironlb-test-foreign-${process.pid}`;
    try {
      for (const n of [stale, alive, foreign]) await run("ip", ["netns", "add", n]);
      const report = sweepStale();
      expect(report.namespaces).toContain(stale);
      const left = await netnsList();
      expect(left).not.toContain(stale);
      expect(left).toContain(alive);
      expect(left).toContain(foreign);
    } finally {
      for (const n of [stale, alive, foreign]) await run("ip", ["netns", "del", n], { allowFailure: true });
    }
  });
});
