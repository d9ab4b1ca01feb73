// The API around joining and configuration: seeds, rejoin of absent seeds,
// validation errors with stable codes, lifecycle misuse.
import { FakeClock } from "@ironlb/kube/testing";
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, secret } from "./cluster.fixtures.ts";
import { defaultConfig } from "./config.ts";
import { endpoint } from "./endpoint.ts";
import { MembershipError } from "./errors.ts";
import { FakeNetwork } from "./fake-network.ts";
import { createMembership, type MembershipOptions } from "./membership.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof MembershipError ? err.code : `not a MembershipError: ${String(err)}`;
  }
  return undefined;
}

describe("join and seeds", () => {
  it("a seed that is not up yet is retried every rejoinInterval, and found when it comes up", async () => {
    const c = (cluster = new Cluster({ seed: 51 }));
    const [a, b] = [c.add(), c.add()];
    await a.membership.start();
    a.membership.join([b.at]); // b's speaker has not started yet
    let toB = 0;
    c.net.setFilter((d) => (d.to.address === b.at.address && toB++, false));
    await c.advance(3 * defaultConfig.rejoinInterval + 10);
    expect(toB).toBe(3); // one push-pull per rejoin round (after the one at join()); nothing answers yet
    await b.membership.start(); // b knows no one: a must find it
    await c.until(() => c.converged(), defaultConfig.rejoinInterval + 100);
  });

  it("replaceSeeds forgets seeds that left the list", async () => {
    const c = (cluster = new Cluster({ seed: 52 }));
    const a = c.add();
    await a.membership.start();
    const gone = endpoint("192.0.2.200", 7946);
    const other = endpoint("192.0.2.201", 7946);
    a.membership.join([gone]);
    const sentTo = (e: typeof gone) => {
      let n = 0;
      c.net.setFilter((d) => (d.to.address === e.address && n++, false));
      return () => n;
    };
    let count = sentTo(gone);
    await c.advance(2 * defaultConfig.rejoinInterval);
    expect(count()).toBe(2);
    a.membership.join([other], { replaceSeeds: true });
    count = sentTo(gone);
    await c.advance(2 * defaultConfig.rejoinInterval);
    expect(count()).toBe(0);
  });

  it("join() before start() only records the seeds; start() contacts them", async () => {
    const c = (cluster = new Cluster({ seed: 53 }));
    const [a, b] = [c.add(), c.add()];
    await b.membership.start();
    a.membership.join([`${b.at.address}:${b.at.port}`]);
    await c.advance(10);
    expect(c.view(b)).toEqual([b.name]);
    await a.membership.start();
    await c.until(() => c.converged(), 100, 1);
  });

  it("joining its own address is ignored", async () => {
    const c = (cluster = new Cluster({ seed: 54 }));
    const a = c.add();
    await a.membership.start();
    a.membership.join([a.at]);
    await c.advance(3 * defaultConfig.rejoinInterval);
    expect(a.membership.counters().rejected.self).toBe(0);
    expect(c.net.stats.sent).toBe(0);
  });

  it("bad addresses are a MEMBERSHIP_BAD_ADDRESS at the call", async () => {
    const c = (cluster = new Cluster({ seed: 55 }));
    const a = c.add();
    expect(code(() => a.membership.join(["speaker-0.example"]))).toBe("MEMBERSHIP_BAD_ADDRESS");
    expect(code(() => a.membership.join([{ address: "10.0.0.1", port: 70_000 }]))).toBe("MEMBERSHIP_BAD_ADDRESS");
  });
});

describe("createMembership validation", () => {
  const clock = new FakeClock();
  const base: MembershipOptions = { name: "n1", bind: { address: "192.0.2.1" }, keys: [secret], clock };
  it.each<[string, Partial<MembershipOptions>, string]>([
    ["empty name", { name: "" }, "MEMBERSHIP_BAD_NAME"],
    ["name over 253 bytes", { name: "n".repeat(254) }, "MEMBERSHIP_BAD_NAME"],
    ["no key", { keys: [] }, "MEMBERSHIP_NO_KEY"],
    ["an empty key", { keys: [new Uint8Array(0)] }, "MEMBERSHIP_NO_KEY"],
    ["wildcard bind without advertise", { bind: { address: "0.0.0.0" } }, "MEMBERSHIP_NO_ADVERTISE"],
    ["IPv6 wildcard without advertise", { bind: { address: "::" } }, "MEMBERSHIP_NO_ADVERTISE"],
    ["bind is not an IP", { bind: { address: "node-1" } }, "MEMBERSHIP_BAD_ADDRESS"],
    ["advertise port out of range", { advertise: { address: "192.0.2.1", port: -1 } }, "MEMBERSHIP_BAD_ADDRESS"],
    ["probe timeout not below the interval", { config: { probeTimeout: 500, probeInterval: 500 } }, "MEMBERSHIP_BAD_CONFIG"],
  ])("%s -> %s", (_desc, over, want) => {
    expect(code(() => createMembership({ ...base, ...over }))).toBe(want);
  });

  it("a wildcard bind with an advertise address is fine, and advertises that", async () => {
    const net = new FakeNetwork({ clock });
    const ml = createMembership({ ...base, bind: { address: "0.0.0.0" }, advertise: { address: "192.0.2.9", port: 7000 }, transport: net.attach(endpoint("192.0.2.9", 7000)) });
    await ml.start();
    expect(ml.advertised).toEqual({ address: "192.0.2.9", port: 7000 });
    expect(ml.members()[0]).toMatchObject({ name: "n1", address: "192.0.2.9", port: 7000, state: "alive" });
    await ml.stop();
  });

  it("start() after stop() is MEMBERSHIP_STOPPED; the counters are a snapshot", async () => {
    const net = new FakeNetwork({ clock });
    const ml = createMembership({ ...base, transport: net.attach(endpoint("192.0.2.1", 7946)) });
    await ml.start();
    const snap = ml.counters();
    snap.probes = 999;
    expect(ml.counters().probes).not.toBe(999);
    await ml.stop();
    await expect(ml.start()).rejects.toMatchObject({ code: "MEMBERSHIP_STOPPED" });
    expect(ml.aliveNames().size).toBe(0);
  });
});
