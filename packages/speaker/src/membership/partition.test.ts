// Network partitions, handled as MetalLB documents it (index.ts has the
// reasoning): each side declares the other dead and goes on with the members
// it can reach (split brain), and after the heal both sides merge back.
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Node } from "./cluster.fixtures.ts";
import { defaultConfig } from "./config.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe("partition and heal", () => {
  it("3 | 2: each side keeps only what it can reach, then all five converge after the heal", async () => {
    const c = (cluster = new Cluster({ seed: 21 }));
    for (let i = 0; i < 5; i++) c.add();
    await c.startAll();
    await c.until(() => c.converged(), 5_000);
    const left = c.nodes.slice(0, 3);
    const right = c.nodes.slice(3);

    c.net.partition(
      left.map((n) => n.at),
      right.map((n) => n.at),
    );
    await c.until(() => c.converged(left) && c.converged(right), 3_000, 5);
    // Split brain, as documented: both sides believe they are the cluster.
    expect(c.view(left[0] as Node)).toEqual(left.map((n) => n.name).sort());
    expect(c.view(right[0] as Node)).toEqual(right.map((n) => n.name).sort());
    for (const n of left) for (const r of right) expect(c.stateOf(n, r.name)).toBe("dead");
    for (const n of right) for (const l of left) expect(c.stateOf(n, l.name)).toBe("dead");

    c.net.heal();
    const healed = await c.until(() => c.converged(), 3 * defaultConfig.rejoinInterval, 10);
    // The rejoin round (every rejoinInterval) crosses the former cut; one exchange is enough.
    expect(healed).toBeLessThanOrEqual(defaultConfig.rejoinInterval + 500);
    // Everyone came back by refuting the verdict of the other side.
    for (const n of c.nodes) expect(n.membership.counters().refutations).toBeGreaterThan(0);
    const rejoined = left[0]!.events.flatMap((e) => (e.type === "memberJoined" && e.reason === "rejoined" ? [e.name] : []));
    expect(rejoined.sort()).toEqual(right.map((n) => n.name).sort());
  });

  it("a single isolated member (1 | 2) comes back, and nobody it cannot reach is trusted meanwhile", async () => {
    const c = (cluster = new Cluster({ seed: 22 }));
    const [a, b, x] = [c.add(), c.add(), c.add()];
    await c.startAll();
    await c.until(() => c.converged(), 5_000);
    c.net.partition([a.at, b.at], [x.at]);
    await c.until(() => c.converged([a, b]) && c.converged([x]), 3_000, 5);
    expect(c.view(x)).toEqual([x.name]);
    // Stay partitioned past several rejoin rounds: nothing flaps while the cut lasts.
    const before = a.events.length;
    await c.advance(5 * defaultConfig.rejoinInterval);
    expect(a.events.slice(before).filter((e) => e.type !== "packetRejected")).toEqual([]);
    c.net.heal();
    await c.until(() => c.converged(), 3 * defaultConfig.rejoinInterval, 10);
  });

  it("a healing side's 'dead' verdicts are only suspicions here: a member we reach ourselves survives them", async () => {
    // a and b see each other; x thinks both dead (it was cut off). When x's
    // state reaches a, a must not kill b on x's word.
    const c = (cluster = new Cluster({ seed: 23 }));
    const [a, b, x] = [c.add(), c.add(), c.add()];
    await c.startAll();
    await c.until(() => c.converged(), 5_000);
    c.net.partition([a.at, b.at], [x.at]);
    await c.until(() => c.stateOf(x, a.name) === "dead" && c.stateOf(x, b.name) === "dead", 3_000, 5);
    c.net.heal();
    await c.until(() => c.converged(), 3 * defaultConfig.rejoinInterval, 10);
    const deathsOfB = a.events.filter((e) => e.type === "memberDead" && e.name === b.name);
    expect(deathsOfB).toEqual([]);
  });
});
