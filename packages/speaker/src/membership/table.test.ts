import { describe, expect, it } from "vitest";
import { endpoint } from "./endpoint.ts";
import { seededRandom } from "./fake-network.ts";
import { MemberTable } from "./table.ts";

const at1 = endpoint("10.99.0.1", 7946);
const at2 = endpoint("10.99.0.2", 7946);
const bounds = () => ({ min: 300, max: 900, k: 2 });

type Step =
  | { desc: string; op: "alive"; inc: number; address?: typeof at1; want: string | undefined }
  | { desc: string; op: "suspect"; inc: number; from: string; want: string | undefined }
  | { desc: string; op: "dead"; inc: number; from: string; want: string | undefined };

// One member "x", news arriving in this order; after each step the state and
// incarnation must be as given. The order-independence of SWIM's rules is the
// point: stale news (lower incarnation) never changes anything.
const steps: readonly (Step & { state: string; inc2: number })[] = [
  { desc: "first news: joins", op: "alive", inc: 5, want: "new", state: "alive", inc2: 5 },
  { desc: "same alive again: nothing", op: "alive", inc: 5, want: undefined, state: "alive", inc2: 5 },
  { desc: "older suspect: ignored", op: "suspect", inc: 4, from: "a", want: undefined, state: "alive", inc2: 5 },
  { desc: "suspect at the current incarnation", op: "suspect", inc: 5, from: "a", want: "suspected", state: "suspect", inc2: 5 },
  { desc: "the same suspecter again: not a confirmation", op: "suspect", inc: 5, from: "a", want: undefined, state: "suspect", inc2: 5 },
  { desc: "another member confirms", op: "suspect", inc: 5, from: "b", want: "confirmed", state: "suspect", inc2: 5 },
  { desc: "alive at the same incarnation cannot clear it", op: "alive", inc: 5, want: undefined, state: "suspect", inc2: 5 },
  { desc: "refuted with a higher incarnation", op: "alive", inc: 6, want: "refuted", state: "alive", inc2: 6 },
  { desc: "a delayed dead about the old incarnation: ignored", op: "dead", inc: 5, from: "a", want: undefined, state: "alive", inc2: 6 },
  { desc: "declared dead at the current incarnation", op: "dead", inc: 6, from: "a", want: "dead", state: "dead", inc2: 6 },
  { desc: "dead again: nothing", op: "dead", inc: 6, from: "b", want: undefined, state: "dead", inc2: 6 },
  { desc: "suspect of a dead member: ignored", op: "suspect", inc: 6, from: "b", want: undefined, state: "dead", inc2: 6 },
  { desc: "alive at the dead incarnation: still dead", op: "alive", inc: 6, want: undefined, state: "dead", inc2: 6 },
  { desc: "it left (dead from itself): dead becomes left", op: "dead", inc: 6, from: "x", want: "left", state: "left", inc2: 6 },
  { desc: "a replayed dead from someone: left stays left", op: "dead", inc: 6, from: "a", want: undefined, state: "left", inc2: 6 },
  { desc: "back with a higher incarnation on a new address", op: "alive", inc: 9, address: at2, want: "rejoined", state: "alive", inc2: 9 },
  { desc: "the replayed leave of its previous life: ignored", op: "dead", inc: 6, from: "x", want: undefined, state: "alive", inc2: 9 },
];

describe("MemberTable merge rules", () => {
  it("walks the scenario in order", () => {
    const t = new MemberTable(seededRandom(1));
    for (const s of steps) {
      let got: string | undefined;
      if (s.op === "alive") got = t.alive("x", s.inc, s.address ?? at1, 0);
      else if (s.op === "suspect") got = t.suspect("x", s.inc, s.from, 0, bounds);
      else got = t.dead("x", s.inc, s.from, 0)?.kind;
      expect(got, s.desc).toBe(s.want);
      const m = t.get("x");
      expect({ state: m?.state, inc: m?.incarnation }, s.desc).toEqual({ state: s.state, inc: s.inc2 });
    }
    expect(t.get("x")?.address).toEqual(at2);
  });

  it("news about an unknown member other than alive is ignored", () => {
    const t = new MemberTable(seededRandom(1));
    expect(t.suspect("y", 1, "a", 0, bounds)).toBeUndefined();
    expect(t.dead("y", 1, "a", 0)).toBeUndefined();
    expect(t.snapshot()).toEqual([]);
  });

  it("a death reports when the suspicion started", () => {
    const t = new MemberTable(seededRandom(1));
    t.alive("x", 1, at1, 0);
    t.suspect("x", 1, "a", 1000, bounds);
    expect(t.dead("x", 1, "a", 1300)).toEqual({ kind: "dead", suspectedAt: 1000 });
  });

  it("probes every live member once per round, skipping the dead", () => {
    const t = new MemberTable(seededRandom(3));
    for (const n of ["a", "b", "c", "d"]) t.alive(n, 1, at1, 0);
    t.dead("c", 1, "z", 0);
    const round = () => [0, 1, 2].map(() => t.nextProbeTarget()?.name);
    const first = round();
    expect([...first].sort()).toEqual(["a", "b", "d"]);
    expect(round()).toEqual(first); // fixed order: the gap between two probes of one member is n - 1
  });

  it("reaps dead and left members after the given time, not live ones", () => {
    const t = new MemberTable(seededRandom(1));
    t.alive("a", 1, at1, 0);
    t.alive("b", 1, at1, 0);
    t.dead("b", 1, "a", 10);
    t.reap(11);
    expect(t.snapshot().map((m) => m.name)).toEqual(["a"]);
  });
});
