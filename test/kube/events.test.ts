// The Event recorder against kube-sim through the real client: aggregation of
// repeats, the per-object spam filter, and the bounded (LRU) memory of both.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createClients, EventRecorder } from "@ironlb/kube";
import { FakeClock } from "@ironlb/kube/testing";
import { createKubeSim, type KubeObject, type KubeSim } from "@ironlb/kube-sim";

let sim: KubeSim;
let dir: string;
let clock: FakeClock;

beforeEach(async () => {
  sim = await createKubeSim();
  dir = mkdtempSync(join(tmpdir(), "ironlb-events-"));
  writeFileSync(join(dir, "kubeconfig"), sim.kubeconfig());
  clock = new FakeClock();
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function recorder(options: { cacheEntries?: number; queueLength?: number; onDropped?: (e: { reason: string; message: string }) => void } = {}): EventRecorder {
  const clients = createClients({ kubeconfig: join(dir, "kubeconfig") });
  return new EventRecorder({ api: clients.core, rest: clients.rest, clock, component: "ironlb-controller", host: "test", ...options });
}

const service = (name: string) => ({ kind: "Service", apiVersion: "v1", namespace: "default", name, uid: `uid-${name}` });

function events(name?: string): KubeObject[] {
  return sim.store.list("events", { namespace: "default" }).filter((e) => name === undefined || (e["involvedObject"] as { name: string }).name === name);
}

describe("EventRecorder", () => {
  test("a repeat inside the aggregation window bumps count and lastTimestamp of the one Event", async () => {
    const r = recorder();
    r.record(service("web"), "Normal", "IPAllocated", "Assigned IP [192.0.2.1]");
    await clock.advance(1000);
    r.record(service("web"), "Normal", "IPAllocated", "Assigned IP [192.0.2.1]");
    await r.flush();
    const list = events("web");
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ reason: "IPAllocated", count: 2, type: "Normal", source: { component: "ironlb-controller" } });
    expect(Date.parse(String(list[0]?.["lastTimestamp"])) - Date.parse(String(list[0]?.["firstTimestamp"]))).toBe(1000);
  });

  test("one object gets 25 Events at most in a burst; other objects are not held back", async () => {
    const r = recorder();
    for (let i = 0; i < 30; i++) r.record(service("flappy"), "Warning", "AllocationFailed", `attempt ${i}`);
    r.record(service("calm"), "Normal", "IPAllocated", "Assigned IP [192.0.2.2]");
    await r.flush();
    expect(events("flappy")).toHaveLength(25);
    expect(events("calm")).toHaveLength(1);
    // One token comes back every 5 minutes.
    await clock.advance(5 * 60_000);
    r.record(service("flappy"), "Warning", "AllocationFailed", "attempt 30");
    r.record(service("flappy"), "Warning", "AllocationFailed", "attempt 31");
    await r.flush();
    expect(events("flappy")).toHaveLength(26);
  });

  test("memory is bounded: the least recently seen object is forgotten first", async () => {
    const r = recorder({ cacheEntries: 3 });
    for (const name of ["a", "b", "c"]) r.record(service(name), "Normal", "IPAllocated", "x");
    // "a" is used again, so "b" is now the oldest; "d" pushes it out.
    r.record(service("a"), "Normal", "IPAllocated", "x");
    r.record(service("d"), "Normal", "IPAllocated", "x");
    r.record(service("b"), "Normal", "IPAllocated", "x");
    r.record(service("a"), "Normal", "IPAllocated", "x");
    await r.flush();
    // "b" was forgotten: its repeat is a new Event. "a" was remembered: one Event, count 3.
    expect(events("b")).toHaveLength(2);
    expect(events("a")).toHaveLength(1);
    expect(events("a")[0]?.["count"]).toBe(3);
  });

  test("at most queueLength Events wait; a larger burst drops the rest and reports each dropped one", async () => {
    const dropped: string[] = [];
    const r = recorder({ queueLength: 10, onDropped: (e) => dropped.push(e.message) });
    // One turn of the event loop: nothing is written before all 15 are recorded.
    for (let i = 0; i < 15; i++) r.record(service(`svc-${i}`), "Normal", "IPAllocated", `Assigned IP ["192.0.2.${i}"]`);
    await r.flush();
    expect(events().map((e) => (e["involvedObject"] as { name: string }).name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${i}`).sort());
    expect(dropped).toEqual(Array.from({ length: 5 }, (_, i) => `Assigned IP ["192.0.2.${i + 10}"]`));
    // Once the queue has drained there is room again.
    r.record(service("late"), "Normal", "IPAllocated", "Assigned IP [\"192.0.2.99\"]");
    await r.flush();
    expect(events("late")).toHaveLength(1);
    expect(dropped).toHaveLength(5);
  });

  test("a dropped Event spends none of its object's 25 spam-filter tokens", async () => {
    let dropped = 0;
    const r = recorder({ queueLength: 10, onDropped: () => dropped++ });
    for (let i = 0; i < 30; i++) r.record(service("busy"), "Warning", "AllocationFailed", `attempt ${i}`);
    await r.flush();
    expect(dropped).toBe(20);
    expect(events("busy")).toHaveLength(10);
    // 15 tokens are left, not 0: the next burst sends 10 again (the queue's length), then 5 more.
    for (let i = 30; i < 40; i++) r.record(service("busy"), "Warning", "AllocationFailed", `attempt ${i}`);
    await r.flush();
    for (let i = 40; i < 50; i++) r.record(service("busy"), "Warning", "AllocationFailed", `attempt ${i}`);
    await r.flush();
    expect(events("busy")).toHaveLength(25);
    expect(dropped).toBe(20);
  });
});
