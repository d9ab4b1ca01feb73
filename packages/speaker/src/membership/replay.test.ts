import { describe, expect, it } from "vitest";
import { ReplayGuard, type ReplayVerdict } from "./replay.ts";

const T = 1_767_225_600_000;

describe("ReplayGuard", () => {
  // One ordered scenario: each step's verdict depends on the steps before it.
  const steps: readonly [string, { from?: string; session?: number; seq: number; time?: number; now?: number }, ReplayVerdict][] = [
    ["first datagram of a session", { seq: 10 }, "ok"],
    ["the same again", { seq: 10 }, "replayed"],
    ["next", { seq: 11 }, "ok"],
    ["reordered, inside the window", { seq: 5 }, "ok"],
    ["that one again", { seq: 5 }, "replayed"],
    ["a jump ahead", { seq: 100 }, "ok"],
    ["older than 64 behind the highest", { seq: 36 }, "replayed"],
    ["exactly 63 behind, unseen", { seq: 37 }, "ok"],
    ["another session of the same sender starts fresh", { session: 2, seq: 10 }, "ok"],
    ["another sender with the same session number is separate", { from: "n2", seq: 10 }, "ok"],
    ["stamped 61 s in the past", { seq: 200, time: T - 61_000 }, "stale"],
    ["stamped 61 s in the future", { seq: 201, time: T + 61_000 }, "stale"],
    ["stamped 59 s in the past is fine", { seq: 202, time: T - 59_000 }, "ok"],
    ["a stale datagram did not consume its number", { seq: 200 }, "ok"],
  ];

  it("walks the scenario in order", () => {
    const g = new ReplayGuard(60_000);
    for (const [desc, s, want] of steps) {
      const got = g.check({ from: s.from ?? "n1", session: s.session ?? 1, seq: s.seq, time: s.time ?? T }, s.now ?? T);
      expect(got, desc).toBe(want);
    }
  });

  it("forgets a session only when every datagram of it would be stale", () => {
    const g = new ReplayGuard(60_000);
    expect(g.check({ from: "n1", session: 1, seq: 1, time: T }, T)).toBe("ok");
    g.sweep(T + 119_000);
    expect(g.sessions).toBe(1);
    g.sweep(T + 121_000);
    expect(g.sessions).toBe(0);
    // The forgotten session's datagrams are stale by now, so forgetting opened no door.
    expect(g.check({ from: "n1", session: 1, seq: 1, time: T }, T + 121_000)).toBe("stale");
  });

  it("window 0 disables the clock check but not the sequence check", () => {
    const g = new ReplayGuard(0);
    expect(g.check({ from: "n1", session: 1, seq: 1, time: 0 }, T)).toBe("ok");
    expect(g.check({ from: "n1", session: 1, seq: 1, time: 0 }, T)).toBe("replayed");
  });

  it("keeps at most maxSessions, dropping the least recently heard", () => {
    const g = new ReplayGuard(60_000, 3);
    for (let s = 1; s <= 4; s++) g.check({ from: "n1", session: s, seq: 1, time: T }, T);
    expect(g.sessions).toBe(3);
  });
});
