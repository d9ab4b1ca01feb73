// `ironlb bgp probe` through the built executable over loopback: the probe
// listens (--passive) and an in-process speaker connects to it, announces,
// and sees the probe's routes; SIGTERM makes the probe send Cease with its
// RFC 9003 message and exit 0. Bad arguments: one line, exit 1.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { BgpSpeaker } from "@ironlb/bgp/node";
import { parseIp, parsePrefix } from "@ironlb/core/ip";
import type { SessionEvent } from "@ironlb/bgp";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const main = join(root, "packages/cli/dist/main.js");

beforeAll(() => {
  const built = join(root, "packages/cli/dist/commands/bgp-probe.js");
  const sources = [join(root, "packages/cli/src/commands/bgp-probe.ts"), join(root, "packages/bgp/src/session/session.ts"), join(root, "packages/bgp/src/node/peer.ts")];
  if (!existsSync(built) || sources.some((s) => statSync(s).mtimeMs > statSync(built).mtimeMs)) {
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], { cwd: root, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc -b packages/cli failed:\n${tsc.stdout}${tsc.stderr}`);
  }
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function lines(child: ChildProcess): { all: Record<string, unknown>[]; wait: (pred: (l: Record<string, unknown>) => boolean, what: string) => Promise<Record<string, unknown>> } {
  const all: Record<string, unknown>[] = [];
  let buf = "";
  child.stdout?.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      all.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  const wait = async (pred: (l: Record<string, unknown>) => boolean, what: string) => {
    const end = Date.now() + 15_000;
    for (;;) {
      const hit = all.find(pred);
      if (hit !== undefined) return hit;
      if (Date.now() > end) throw new Error(`probe never printed ${what}; got ${JSON.stringify(all)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { all, wait };
}

describe("ironlb bgp probe", () => {
  test("holds a session, announces, prints JSON lines, and sends Cease on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [main, "bgp", "probe", "--passive", "--port", String(port), "--source", "127.0.0.1", "--local-as", "64512", "--peer", "127.0.0.1", "--peer-as", "64513", "--hold-time", "9", "--announce", "198.51.100.7/32,2001:db8::7/128", "--next-hop", "2001:db8::1", "--communities", "64512:100", "--large-communities", "64512:1:2"], { cwd: root });
    cleanups.push(() => child.kill("SIGKILL"));
    const out = lines(child);
    const events: SessionEvent[] = [];
    const router = new BgpSpeaker({ listen: false, onEvent: (_p, e) => events.push(e) });
    cleanups.push(() => router.close());
    // The probe may not listen yet: the router retries with a short backoff.
    const peer = await router.addPeer({ address: "127.0.0.1", port, localAs: 64513, peerAs: 64512, routerId: parseIp("10.9.9.9"), mode: "active", reconnectInitialMs: 100, connectRetryTime: 1 });
    await peer.waitFor("Established", 15_000);
    await out.wait((l) => l["event"] === "stateChanged" && l["to"] === "Established", "Established");
    const caps = await out.wait((l) => l["event"] === "peerCapabilities", "peerCapabilities");
    expect(caps["capabilities"]).toContainEqual(expect.objectContaining({ name: "four-octet-as", as: 64513 }));
    await out.wait((l) => l["event"] === "endOfRibSent", "endOfRibSent");
    const deadline = Date.now() + 10_000;
    while ((peer.counters().prefixesReceived.ipv4 < 1 || peer.counters().prefixesReceived.ipv6 < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(peer.counters().prefixesReceived).toEqual({ ipv4: 1, ipv6: 1 });
    peer.setAdvertisements([{ prefix: parsePrefix("203.0.113.0/24") }]);
    await out.wait((l) => l["event"] === "routes" && (l["received"] as { ipv4: number }).ipv4 === 1, "received route count");
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out.all.at(-1)).toMatchObject({ event: "stopped", signal: "SIGTERM" });
    expect(out.all).toContainEqual(expect.objectContaining({ event: "notificationSent", code: 6, subcode: 2, message: "ironlb bgp probe stopped (SIGTERM)" }));
    const deadline2 = Date.now() + 5000;
    while (!events.some((e) => e.type === "notificationReceived") && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    expect(events.find((e) => e.type === "notificationReceived")).toMatchObject({ code: 6, subcode: 2, subcodeName: "Administrative Shutdown", message: "ironlb bgp probe stopped (SIGTERM)" });
  });

  test.each([
    [["--local-as", "64512", "--peer", "nope", "--peer-as", "1", "--router-id", "10.0.0.1"], "--peer"],
    [["--local-as", "64512", "--peer", "10.0.0.1", "--peer-as", "1", "--router-id", "10.0.0.1", "--announce", "10.0.0.0/33"], "--announce"],
    [["--local-as", "64512", "--peer", "10.0.0.1", "--peer-as", "1", "--router-id", "10.0.0.1", "--communities", "70000:1"], "--communities"],
    [["--local-as", "64512", "--peer", "10.0.0.1", "--peer-as", "1", "--router-id", "10.0.0.1", "--hold-time", "2"], "holdTime"],
    [["--local-as", "64512", "--peer", "10.0.0.1", "--peer-as", "1"], "--router-id"],
    [["--peer", "10.0.0.1", "--peer-as", "1"], "--local-as"],
  ])("bad arguments %j -> one line naming %s, exit 1", (args, name) => {
    const r = spawnSync(process.execPath, [main, "bgp", "probe", ...args], { cwd: root, encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(name);
    expect(r.stdout).toBe("");
  });
});
