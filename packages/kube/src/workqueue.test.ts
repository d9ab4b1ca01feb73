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
});
