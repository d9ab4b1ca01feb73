// Failure detection end to end through the driver, on the fake network and a
// fake clock: a crashed member is declared dead by every other member within
// the bound the defaults promise, and a member that is merely slow refutes
// its suspicion instead of being declared dead.
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Node } from "./cluster.fixtures.ts";
import { defaultConfig } from "./config.ts";
import { suspicionBounds } from "./suspicion.ts";

/**
 * Worst case from a crash to "dead" everywhere, for n members on a LAN: the
 * next probe of the dead member comes within n - 1 rounds (fixed probe order),
 * its round ends one interval later with a suspicion, then the longest
 * suspicion timeout, plus a few network hops (1 ms each here).
 */
function detectionBound(n: number): number {
  const p = defaultConfig.probeInterval;
  return (n - 1) * p + p + suspicionBounds(defaultConfig, n).max + 10;
}

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function converged(n: number, seed: number): Promise<Cluster> {
  const c = (cluster = new Cluster({ seed }));
  for (let i = 0; i < n; i++) c.add();
  await c.startAll();
  await c.until(() => c.converged(), 5_000);
  return c;
}

const deaths = (node: Node) => node.events.filter((e) => e.type === "memberDead");

describe("failure detection", () => {
  it("3 members: a crashed member is dead everywhere within the bound (20 runs, random crash times)", async () => {
    const bound = detectionBound(3);
    expect(bound).toBe(910);
    const times: number[] = [];
    let nacks = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const c = await converged(3, seed);
      await c.advance(Math.floor(((seed * 7919) % 1000) + 500)); // crash at an arbitrary phase of the probe rounds
      const [a, b, x] = c.nodes as [Node, Node, Node];
      await c.kill(x);
      const t = await c.until(() => c.stateOf(a, x.name) === "dead" && c.stateOf(b, x.name) === "dead", bound, 1);
      times.push(t);
      expect(c.view(a)).toEqual([a.name, b.name]);
      expect(c.view(b)).toEqual([a.name, b.name]);
      // The event says when it was declared and since when it was suspected.
      const dead = deaths(a)[0];
      expect(dead).toMatchObject({ type: "memberDead", name: x.name });
      expect(dead?.type === "memberDead" && dead.suspectedAt !== undefined && dead.suspectedAt < dead.at).toBe(true);
      nacks += a.membership.counters().nacksReceived + b.membership.counters().nacksReceived;
      await c.stopAll();
    }
    expect(Math.max(...times)).toBeLessThanOrEqual(bound);
    // The survivor asked to probe the dead member answered "no ack" (Lifeguard nack), so nobody's health suffered.
    expect(nacks).toBeGreaterThan(0);
  });

  it("10 members: dead everywhere within the bound, with confirmations shortening the suspicion", async () => {
    const c = await converged(10, 7);
    const x = c.nodes[4] as Node;
    await c.kill(x);
    const others = c.nodes.filter((n) => n !== x);
    const t = await c.until(() => others.every((o) => c.stateOf(o, x.name) === "dead"), detectionBound(10), 1);
    expect(t).toBeLessThanOrEqual(detectionBound(10));
    expect(others.every((o) => !o.membership.aliveNames().has(x.name))).toBe(true);
  });

  it("a slow member (every datagram it sends delayed 250 ms) is suspected, refutes, and is never declared dead", async () => {
    const c = await converged(3, 3);
    const [a, b, x] = c.nodes as [Node, Node, Node];
    const startIncarnation = x.membership.members()[0]?.incarnation ?? -1;
    c.net.setDelay((from) => (from.address === x.at.address ? 250 : 1));
    await c.advance(5_000);
    c.net.setDelay(1);
    await c.advance(2_000);
    const suspected = [a, b].flatMap((n) => n.events.filter((e) => e.type === "memberSuspect" && e.name === x.name));
    const refuted = [a, b].flatMap((n) => n.events.filter((e) => e.type === "memberAlive" && e.name === x.name));
    expect(suspected.length).toBeGreaterThan(0);
    expect(refuted.length).toBeGreaterThan(0);
    expect(x.membership.counters().refutations).toBeGreaterThan(0);
    expect([...deaths(a), ...deaths(b)]).toEqual([]);
    expect(c.converged()).toBe(true);
    // Each refutation raised its incarnation by one, and the others know the latest.
    const own = x.membership.members()[0]?.incarnation;
    expect(a.membership.members().find((m) => m.name === x.name)?.incarnation).toBe(own);
    expect(own).toBe(startIncarnation + x.membership.counters().refutations);
  });

  it("a member that stalls for 300 ms (nothing in or out) comes back without being declared dead", async () => {
    const c = await converged(3, 11);
    const [a, b, x] = c.nodes as [Node, Node, Node];
    const until = c.clock.now() + 300;
    // Datagrams to and from x during the stall arrive when it ends, as a paused process reads its socket buffer.
    c.net.setDelay((from, to) => ((from.address === x.at.address || to.address === x.at.address) && c.clock.now() < until ? until - c.clock.now() + 1 : 1));
    await c.advance(3_000);
    expect([...deaths(a), ...deaths(b)]).toEqual([]);
    expect(c.converged()).toBe(true);
  });

  it("no false deaths in 60 s of steady state with 5% datagram loss (10 members)", async () => {
    const c = await converged(10, 5);
    c.net.setLoss(0.05);
    await c.advance(60_000);
    expect(c.nodes.flatMap(deaths)).toEqual([]);
    expect(c.converged()).toBe(true);
    // The loss was real: probes went indirect and suspicions were raised and refuted.
    const total = c.nodes.map((n) => n.membership.counters()).reduce((s, k) => ({ indirect: s.indirect + k.indirectProbes, refutations: s.refutations + k.refutations }), { indirect: 0, refutations: 0 });
    expect(total.indirect).toBeGreaterThan(0);
  });

  it("a member whose own sending is broken slows its probing (Lifeguard local health) instead of probing at full rate", async () => {
    const c = await converged(4, 13);
    const x = c.nodes[0] as Node;
    c.net.setFilter((d) => d.from.address === x.at.address);
    await c.advance(2_000); // no acks and no nacks from its helpers: its score climbs to the cap
    const before = x.membership.counters().probes;
    await c.advance(10_000);
    const probes = x.membership.counters().probes - before;
    // Healthy: one probe per 200 ms (50 in 10 s); at the cap (awarenessMax 4): one per 800 ms.
    expect(probes).toBeLessThanOrEqual(Math.ceil(10_000 / (defaultConfig.probeInterval * defaultConfig.awarenessMax)) + 1);
    expect(x.membership.counters().nacksReceived).toBe(0);
  });

  it("a member with no one to ask (2 members) still detects the death of the other", async () => {
    const c = await converged(2, 9);
    const [a, x] = c.nodes as [Node, Node];
    await c.kill(x);
    await c.until(() => c.stateOf(a, x.name) === "dead", 2 * detectionBound(2), 1);
    expect(c.view(a)).toEqual([a.name]);
  });
});
