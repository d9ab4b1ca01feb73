import { describe, expect, test } from "vitest";
import { FakeClock } from "./fake-clock.ts";
import { REPROCESS_ALL, WorkQueue, type SyncState } from "./workqueue.ts";

function harness(verdicts: Record<string, SyncState[]> = {}) {
  const clock = new FakeClock();
  const runs: { key: string; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const q = new WorkQueue(
    async (key) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      runs.push({ key, at: clock.now() });
      await Promise.resolve();
      inFlight--;
      return verdicts[key]?.shift() ?? "ok";
    },
    { clock, baseDelayMs: 10, maxDelayMs: 80 },
  );
  return { clock, q, runs, maxInFlight: () => maxInFlight };
}

describe("WorkQueue", () => {
  test("a waiting key queued twice runs once; keys run in arrival order", async () => {
    const { q, runs, clock } = harness();
    q.add("a"); // starts at once
    q.add("b");
    q.add("c");
    q.add("b"); // still waiting: deduplicated
    await clock.advance(0);
    await q.idle();
    expect(runs.map((r) => r.key)).toEqual(["a", "b", "c"]);
  });

  test("a key added while running runs again afterwards, never concurrently", async () => {
    const clock = new FakeClock();
    const runs: string[] = [];
    let release: () => void = () => {};
    let inFlight = 0;
    let maxInFlight = 0;
    const q = new WorkQueue(
      (key) =>
        new Promise<SyncState>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          runs.push(key);
          release = () => {
            inFlight--;
            resolve("ok");
          };
        }),
      { clock },
    );
    q.add("a");
    await clock.advance(0);
    q.add("a"); // while the first run is in progress
    release();
    await clock.advance(0);
    release();
    await clock.advance(0);
    await q.idle();
    expect(runs).toEqual(["a", "a"]);
    expect(maxInFlight).toBe(1);
  });

  test("retry backs off exponentially per key and resets on success", async () => {
    const { q, runs, clock } = harness({ a: ["retry", "retry", "retry", "retry", "retry", "ok"] });
    q.add("a");
    await clock.advance(1000);
    const times = runs.filter((r) => r.key === "a").map((r) => r.at - runs[0]!.at);
    // base 10 ms doubling, capped at 80 ms: 0, 10, 30, 70, 150, 230
    expect(times).toEqual([0, 10, 30, 70, 150, 230]);
  });

  test("reprocess-all queues the REPROCESS_ALL key once", async () => {
    const { q, runs, clock } = harness({ a: ["reprocess-all"], b: ["reprocess-all"] });
    q.add("a");
    q.add("b");
    await clock.advance(0);
    await q.idle();
    expect(runs.map((r) => r.key)).toEqual(["a", "b", REPROCESS_ALL]);
  });

  test("give-up drops the key; a thrown handler is retried and reported", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let calls = 0;
    const q = new WorkQueue(
      () => {
        calls++;
        if (calls === 1) throw new Error("bug");
        return "give-up";
      },
      { clock, baseDelayMs: 5, onHandlerError: (_k, e) => errors.push(e) },
    );
    q.add("x");
    await clock.advance(100);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await clock.advance(1000);
    expect(calls).toBe(2);
  });

  test("stop cancels delayed retries", async () => {
    const { q, runs, clock } = harness({ a: ["retry", "retry"] });
    q.add("a");
    await clock.advance(0);
    q.stop();
    await clock.advance(1000);
    expect(runs).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  test("concurrency runs different keys side by side, never one key twice, and an exclusive key alone", async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const pending = new Map<string, () => void>();
    let inFlight = 0;
    let maxInFlight = 0;
    const q = new WorkQueue(
      (key) =>
        new Promise<SyncState>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          log.push(`start ${key}`);
          pending.set(key, () => {
            inFlight--;
            log.push(`end ${key}`);
            pending.delete(key);
            resolve("ok");
          });
        }),
      { clock, concurrency: 3 },
    );
    for (const k of ["a", "b", "c", "d", REPROCESS_ALL, "e"]) q.add(k);
    await clock.advance(0);
    expect([...pending.keys()]).toEqual(["a", "b", "c"]);
    q.add("a"); // running: runs again later, not beside itself
    pending.get("a")?.();
    await clock.advance(0);
    expect([...pending.keys()].sort()).toEqual(["b", "c", "d"]);
    for (const k of ["b", "c", "d"]) pending.get(k)?.();
    await clock.advance(0);
    // REPROCESS_ALL was next in line: it runs alone.
    expect([...pending.keys()]).toEqual([REPROCESS_ALL]);
    pending.get(REPROCESS_ALL)?.();
    await clock.advance(0);
    expect([...pending.keys()].sort()).toEqual(["a", "e"]);
    for (const k of ["a", "e"]) pending.get(k)?.();
    await clock.advance(0);
    await q.idle();
    expect(maxInFlight).toBe(3);
    expect(log.filter((l) => l === "start a")).toHaveLength(2);
    const i = log.indexOf(`start ${REPROCESS_ALL}`);
    expect(log.slice(0, i).filter((l) => l.startsWith("start")).length).toBe(log.slice(0, i).filter((l) => l.startsWith("end")).length);
  });

  test("idle resolves after stop once the running handler returns", async () => {
    const clock = new FakeClock();
    let release: () => void = () => {};
    const q = new WorkQueue(() => new Promise<SyncState>((r) => (release = () => r("ok"))), { clock });
    q.add("a");
    await clock.advance(0);
    const idle = q.idle();
    q.stop();
    release();
    await clock.advance(0);
    await expect(idle).resolves.toBeUndefined();
  });
});
