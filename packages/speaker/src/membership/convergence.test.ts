// Convergence at 3, 10 and 50 members: every member joins through one seed and
// all views agree within a bound, with no false suspicion on the way; at 50 a
// death still reaches everyone quickly through piggybacked gossip.
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Node } from "./cluster.fixtures.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe("convergence", () => {
  it.each([
    [3, 500],
    [10, 1_000],
    [50, 2_000],
  ])("%d members joining through one seed agree within %d ms", async (n, bound) => {
    const c = (cluster = new Cluster({ seed: n }));
    for (let i = 0; i < n; i++) c.add();
    await c.startAll();
    const t = await c.until(() => c.converged(), bound, 5);
    expect(t).toBeLessThanOrEqual(bound);
    // Settle, then check nothing was ever suspected: joining is not a failure.
    await c.advance(5_000);
    expect(c.converged()).toBe(true);
    expect(c.nodes.flatMap((x) => x.events.filter((e) => e.type === "memberSuspect" || e.type === "memberDead"))).toEqual([]);
    // Every member has every other at the same incarnation.
    const incs = new Set(c.nodes.flatMap((x) => x.membership.members().map((m) => `${m.name}@${m.incarnation}`)));
    expect(incs.size).toBe(n);
  });

  it("50 members: a death reaches all 49 others within 1.5 s, and traffic stays bounded", async () => {
    const c = (cluster = new Cluster({ seed: 77 }));
    for (let i = 0; i < 50; i++) c.add();
    await c.startAll();
    await c.until(() => c.converged(), 2_000, 5);
    await c.advance(3_000);
    const x = c.nodes[17] as Node;
    const others = c.nodes.filter((n) => n !== x);
    const sentBefore = c.net.stats.sent;
    const t0 = c.clock.now();
    await c.kill(x);
    const t = await c.until(() => others.every((o) => c.stateOf(o, x.name) === "dead"), 1_500, 5);
    expect(t).toBeLessThanOrEqual(1_500);
    // Steady state is one probe (ping + ack) per member per interval; news rides
    // on that and on a few gossip rounds, so the death costs well under 10x it.
    const perSecond = ((c.net.stats.sent - sentBefore) / (c.clock.now() - t0)) * 1000;
    expect(perSecond).toBeLessThan(10 * 50 * 2 * 5);
  });
});
