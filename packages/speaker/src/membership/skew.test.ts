// Clock skew beyond the replay window (swim.ts "Clock skew"): every datagram
// is "stale" both ways, so SWIM declares the other side dead. Without more, a
// lone skewed speaker would elect itself owner of every layer 2 IP. Authentic
// stale datagrams still prove their sender is up: every node reports the
// same reachable set (alive + skewed), so the election stays consistent.
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Node } from "./cluster.fixtures.ts";
import type { Datagram } from "./fake-network.ts";
import { defaultConfig } from "./config.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const reachable = (n: Node): string[] => [...new Set([...n.membership.aliveNames(), ...n.membership.skewedMembers().keys()])].sort();

describe("clock skew beyond the replay window", () => {
  it("the skewed member is dead to SWIM but reachable, on every node alike; a fixed clock brings it back", async () => {
    const c = (cluster = new Cluster({ seed: 5 }));
    for (let i = 0; i < 3; i++) c.add();
    await c.startAll();
    await c.until(() => c.converged(), 5_000);
    const [a, b, skewed] = c.nodes as [Node, Node, Node];

    c.setClockOffset(skewed, 2 * defaultConfig.replayWindow);
    await c.until(() => c.stateOf(a, skewed.name) === "dead" && c.stateOf(skewed, a.name) === "dead" && c.stateOf(skewed, b.name) === "dead", 5_000);
    // SWIM alone splits: the skewed node sees only itself.
    expect(c.view(skewed)).toEqual([skewed.name]);
    // Reachability does not: all three see all three.
    for (const n of c.nodes) expect(reachable(n)).toEqual(c.nodes.map((x) => x.name).sort());
    const offset = a.membership.skewedMembers().get(skewed.name) ?? 0;
    expect(Math.abs(offset - 2 * defaultConfig.replayWindow)).toBeLessThan(1_000);
    expect(a.events).toContainEqual(expect.objectContaining({ type: "memberClockSkew", name: skewed.name }));
    expect(skewed.events).toContainEqual(expect.objectContaining({ type: "memberClockSkew", name: a.name }));
    // The stale datagrams changed nothing else: no news from the skewed node was taken.
    expect(a.membership.counters().rejected.stale).toBeGreaterThan(0);

    c.setClockOffset(skewed, 0);
    await c.until(() => c.converged(), 3 * defaultConfig.rejoinInterval);
    for (const n of c.nodes) expect(n.membership.skewedMembers().size).toBe(0);
    expect(a.events).toContainEqual(expect.objectContaining({ type: "memberClockSkewEnded", name: skewed.name, reason: "in-sync" }));
  });

  it("a skewed member that really dies stops being reachable after skewReachability", async () => {
    const c = (cluster = new Cluster({ seed: 6 }));
    for (let i = 0; i < 3; i++) c.add();
    await c.startAll();
    await c.until(() => c.converged(), 5_000);
    const [a, b, skewed] = c.nodes as [Node, Node, Node];
    // Forward: a backward step would also freeze the skewed node's own timers
    // (deadlines are on the same wall clock), a separate, documented limitation.
    c.setClockOffset(skewed, 3 * defaultConfig.replayWindow);
    await c.until(() => a.membership.skewedMembers().has(skewed.name) && b.membership.skewedMembers().has(skewed.name), 5_000);
    let captured: Datagram | undefined;
    const untap = c.net.tap((d) => {
      if (captured === undefined && d.from.address === skewed.at.address && d.to.address === a.at.address) captured = d;
    });
    await c.until(() => captured !== undefined, 2_000);
    untap();
    await c.kill(skewed);
    // Someone replays the captured datagram every 100 ms: it is authentic but
    // older than what the live node sent, so it proves nothing.
    let replays = 0;
    const replay = (): void => {
      c.net.inject(skewed.at, a.at, (captured as Datagram).bytes);
      replays++;
      c.clock.setTimer(100, replay);
    };
    c.clock.setTimer(100, replay);
    const gone = await c.until(() => !a.membership.skewedMembers().has(skewed.name) && !b.membership.skewedMembers().has(skewed.name), 10_000);
    expect(gone).toBeLessThanOrEqual(defaultConfig.skewReachability + 1_000);
    expect(replays).toBeGreaterThan(10);
    expect(reachable(a)).toEqual([a.name, b.name].sort());
    expect(a.events).toContainEqual(expect.objectContaining({ type: "memberClockSkewEnded", name: skewed.name, reason: "expired" }));
  });
});
