// Graceful leave and coming back: the speaker calls leave() on SIGTERM after
// withdrawing its announcements, so the others must drop it at once (one
// datagram, not a timeout); a member that starts again outranks its "left".
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Node } from "./cluster.fixtures.ts";
import { defaultConfig } from "./config.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function three(seed: number): Promise<[Cluster, Node, Node, Node]> {
  const c = (cluster = new Cluster({ seed }));
  const nodes = [c.add(), c.add(), c.add()] as const;
  await c.startAll();
  await c.until(() => c.converged(), 5_000);
  return [c, ...nodes];
}

describe("leave", () => {
  it("every member drops the leaver after one network hop (1 ms here), not after a timeout", async () => {
    const [c, a, b, x] = await three(31);
    const t0 = c.clock.now();
    let resolved = false;
    const done = x.membership.leave().then(() => (resolved = true));
    expect(x.membership.aliveNames().has(x.name)).toBe(false);
    await c.advance(1);
    for (const n of [a, b]) {
      expect(c.stateOf(n, x.name)).toBe("left");
      expect(c.view(n)).toEqual([a.name, b.name]);
      const ev = n.events.find((e) => e.type === "memberLeft");
      expect(ev).toMatchObject({ type: "memberLeft", name: x.name, reason: "leave", at: t0 + 1 });
    }
    expect(resolved).toBe(false); // retransmissions still to go
    await c.advance((defaultConfig.leaveRetransmits - 1) * defaultConfig.leaveInterval);
    await done;
    expect(resolved).toBe(true);
    // Nobody declared it dead afterwards, and the survivors stay converged.
    await c.advance(3_000);
    expect([a, b].flatMap((n) => n.events.filter((e) => e.type === "memberDead"))).toEqual([]);
    expect(c.converged([a, b])).toBe(true);
  });

  it("the retransmissions carry the leave through loss", async () => {
    const [c, a, b, x] = await three(32);
    // Lose the first copy to everyone.
    let dropped = 0;
    c.net.setFilter((d) => d.from.address === x.at.address && dropped++ < 2);
    void x.membership.leave();
    await c.advance(defaultConfig.leaveInterval + 1);
    expect(c.stateOf(a, x.name)).toBe("left");
    expect(c.stateOf(b, x.name)).toBe("left");
  });

  it("a left member stops answering, so one that missed every copy still declares it dead", async () => {
    const [c, a, b, x] = await three(33);
    c.net.setFilter((d) => d.from.address === x.at.address && d.to.address === b.at.address);
    await Promise.all([x.membership.leave(), c.advance(defaultConfig.leaveRetransmits * defaultConfig.leaveInterval)]);
    expect(c.stateOf(a, x.name)).toBe("left");
    // b hears of the leave from a's gossip, or finds x silent: either way x is gone for b.
    await c.until(() => !b.membership.aliveNames().has(x.name), 2_000, 5);
    c.net.setFilter(undefined);
  });

  it("start() after leave() rejoins with a higher incarnation", async () => {
    const [c, a, b, x] = await three(34);
    const before = x.membership.members()[0]!.incarnation;
    await Promise.all([x.membership.leave(), c.advance(100)]);
    await c.advance(1_000);
    await x.membership.start();
    await c.until(() => c.converged(), 1_000, 1);
    const after = x.membership.members()[0]!.incarnation;
    expect(after).toBeGreaterThan(before);
    for (const n of [a, b]) {
      expect(n.events.find((e) => e.type === "memberJoined" && e.name === x.name && e.reason === "rejoined")).toMatchObject({ incarnation: after });
    }
  });

  it("a fresh process with the same name (after a crash) rejoins above its previous life", async () => {
    const [c, a, b, x] = await three(35);
    await c.kill(x);
    await c.until(() => c.stateOf(a, x.name) === "dead" && c.stateOf(b, x.name) === "dead", 2_000, 5);
    await c.advance(1_000);
    await c.restart(x);
    await c.until(() => c.converged(), 2_000, 5);
    expect(a.events.filter((e) => e.type === "memberJoined" && e.name === x.name).map((e) => e.type === "memberJoined" && e.reason)).toEqual(["new", "rejoined"]);
  });

  it("leave() before start() and after leave() is a no-op", async () => {
    const c = (cluster = new Cluster({ seed: 36 }));
    const a = c.add();
    await a.membership.leave();
    await a.membership.start();
    const p = a.membership.leave();
    await c.advance(100);
    await p;
    await a.membership.leave();
    expect(a.membership.aliveNames().size).toBe(0);
  });
});
