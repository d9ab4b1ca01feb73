// The driver over real loopback sockets with plain net (no socket options):
// two speakers in one process, one passive with a listener, one active.
import net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { parseIp, type Prefix } from "@ironlb/core/ip";
import type { SessionEvent } from "../session/events.ts";
import { BgpSpeaker } from "./speaker.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function waitUntil<T>(fn: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pair() {
  const eventsB: SessionEvent[] = [];
  const b = new BgpSpeaker({ listen: { address: "127.0.0.1", port: 0 }, onEvent: (_p, e) => eventsB.push(e) });
  await b.listen();
  const port = b.listenAddress?.port as number;
  const a = new BgpSpeaker({ listen: false });
  cleanups.push(() => a.close(), () => b.close());
  const pb = await b.addPeer({ address: "127.0.0.1", localAs: 64513, peerAs: 64512, routerId: parseIp("10.0.0.2"), mode: "passive", holdTime: 9 });
  const pa = await a.addPeer({ address: "127.0.0.1", port, localAs: 64512, peerAs: 64513, routerId: parseIp("10.0.0.1"), mode: "active", holdTime: 9, reconnectInitialMs: 100, nextHop: { ipv6: parseIp("2001:db8::1") } });
  return { a, b, pa, pb, port, eventsB };
}

describe("BgpSpeaker over loopback", () => {
  test("an active and a passive peer reach Established and exchange 2000 routes, then withdraw them", async () => {
    const { pa, pb } = await pair();
    await Promise.all([pa.waitFor("Established", 10_000), pb.waitFor("Established", 10_000)]);
    const routes = Array.from({ length: 1000 }, (_, i) => ({ prefix: { family: "ipv4", network: 0xc6120000n + BigInt(i), length: 32 } as Prefix }));
    const routes6 = Array.from({ length: 1000 }, (_, i) => ({ prefix: { family: "ipv6", network: (0x20010db8n << 96n) + BigInt(i), length: 128 } as Prefix }));
    pa.setAdvertisements([...routes, ...routes6]);
    await waitUntil(() => pb.counters().prefixesReceived.ipv4 === 1000 && pb.counters().prefixesReceived.ipv6 === 1000, "2000 routes at b");
    expect(pa.counters()).toMatchObject({ prefixesAdvertised: 2000, prefixesPending: 0 });
    pa.setAdvertisements([]);
    await waitUntil(() => pb.counters().prefixesReceived.ipv4 === 0 && pb.counters().prefixesReceived.ipv6 === 0, "withdrawals at b");
  });

  test("stopping sends Cease with the shutdown message; the other side reconnects when it comes back", async () => {
    const { pa, pb, eventsB } = await pair();
    await pb.waitFor("Established", 10_000);
    pa.stop({ message: "draining node" });
    await waitUntil(() => eventsB.find((e) => e.type === "notificationReceived"), "NOTIFICATION at b");
    expect(eventsB.find((e) => e.type === "notificationReceived")).toMatchObject({ code: 6, subcode: 2, message: "draining node" });
    pa.start();
    await pb.waitFor("Established", 10_000);
  });

  test("the listener closes connections from addresses that are not configured peers", async () => {
    const { port } = await pair();
    const s = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    const closed = await new Promise<boolean>((resolve) => {
      s.on("close", () => resolve(true));
      s.on("error", () => undefined);
      setTimeout(() => resolve(false), 5000);
    });
    expect(closed).toBe(true);
  });
});
