// Membership over real UDP on 127.0.0.1: several members in this process on
// their own ports, and one in a child process that is SIGKILLed (the crash
// the speaker must survive) or SIGTERMed (a graceful leave). Asserts only
// correctness and generous bounds: timing numbers come from
// `npm run bench -- membership`, not from tests. Waits poll with a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { realClock } from "@ironlb/kube";
import { createMembership, type Membership, type MembershipEvent } from "@ironlb/speaker";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeTs, warm } from "../lib/ts/node-ts.ts";

const secret = randomBytes(16);
const children: ChildProcess[] = [];
const members: Membership[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const m of members.splice(0)) await m.stop();
});

async function member(name: string): Promise<{ ml: Membership; events: (MembershipEvent & { seen: number })[] }> {
  const ml = createMembership({ name, bind: { address: "127.0.0.1", port: 0 }, keys: [secret], clock: realClock });
  members.push(ml);
  const events: (MembershipEvent & { seen: number })[] = [];
  for (const type of ["memberJoined", "memberAlive", "memberSuspect", "memberDead", "memberLeft", "packetRejected"] as const) {
    ml.on(type, (e) => events.push({ ...e, seen: performance.now() }));
  }
  await ml.start();
  return { ml, events };
}

async function until<T>(fn: () => T | undefined | false, what: string, timeout = 10_000): Promise<T> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const addr = (ml: Membership) => `127.0.0.1:${ml.advertised?.port}`;
const sees = (ml: Membership, names: readonly string[]) => [...ml.aliveNames()].sort().join() === [...names].sort().join();
const stateOf = (ml: Membership, name: string) => ml.members().find((m) => m.name === name)?.state;

interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly lines: string[];
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = path.resolve(here, "../..");

// Transpile what the child loads once, here, so each child starts in
// milliseconds instead of loading the TypeScript compiler itself.
beforeAll(async () => {
  const sources = (dir: string) =>
    readdirSync(path.join(repo, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".fixtures.ts"))
      .map((f) => path.join(repo, dir, f));
  await warm([...sources("packages/speaker/src/membership"), ...sources("packages/core/src/ip"), ...sources("packages/core/src/wire"), path.join(here, "member-child.ts")]);
}, 60_000);


async function child(name: string, seeds: readonly string[]): Promise<Child> {
  const proc = spawn(
    process.execPath,
    nodeTs(`${here}member-child.ts`, ["--name", name, "--secret", secret.toString("hex"), "--seeds", seeds.join(",")]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(proc);
  const lines: string[] = [];
  let err = "";
  let buf = "";
  proc.stdout?.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    lines.push(...parts);
  });
  proc.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((r) => proc.on("exit", (code, signal) => r(signal ?? code)));
  const ready = await until(
    () => {
      if (proc.exitCode !== null) throw new Error(`child ${name} exited ${proc.exitCode}: ${err}`);
      const l = lines.find((x) => x.startsWith('{"ready"'));
      return l === undefined ? undefined : (JSON.parse(l) as { ready: number });
    },
    `child ${name} to start`,
    20_000,
  );
  return { proc, port: ready.ready, lines, exited };
}

describe("membership over UDP on 127.0.0.1", () => {
  it("four in-process members converge; a stopped one is declared dead, a leaving one left, by all others", async () => {
    const nodes = await Promise.all(["u0", "u1", "u2", "u3"].map(member));
    const [a, b, c, d] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    for (const n of [b, c, d]) n.ml.join([addr(a.ml)]);
    await until(() => nodes.every((n) => sees(n.ml, ["u0", "u1", "u2", "u3"])), "convergence");

    const t0 = performance.now();
    await d.ml.stop(); // a crash as far as the others can tell: no goodbye
    await until(() => [a, b, c].every((n) => stateOf(n.ml, "u3") === "dead"), "u3 dead everywhere", 5_000);
    expect(performance.now() - t0).toBeLessThan(5_000);

    const t1 = performance.now();
    await c.ml.leave();
    await until(() => [a, b].every((n) => stateOf(n.ml, "u2") === "left"), "u2 left everywhere", 2_000);
    const handover = Math.max(...[a, b].map((n) => n.events.find((e) => e.type === "memberLeft")!.seen)) - t1;
    expect(handover).toBeLessThan(1_000);
    expect([a, b].flatMap((n) => n.events.filter((e) => e.type === "memberDead" && e.name !== "u3"))).toEqual([]);
    expect(a.ml.counters().rejected).toEqual(Object.fromEntries(Object.keys(a.ml.counters().rejected).map((k) => [k, 0])));
  });

  it("a member in a child process is declared dead by every other member after SIGKILL (3 kills)", async () => {
    const a = await member("p0");
    const b = await member("p1");
    b.ml.join([addr(a.ml)]);
    await until(() => sees(a.ml, ["p0", "p1"]) && sees(b.ml, ["p0", "p1"]), "p0 and p1 to converge");
    for (let i = 1; i <= 3; i++) {
      const name = `victim-${i}`;
      const c = await child(name, [addr(a.ml), addr(b.ml)]);
      await until(() => sees(a.ml, ["p0", "p1", name]) && sees(b.ml, ["p0", "p1", name]), `${name} to join`);
      const t0 = performance.now();
      c.proc.kill("SIGKILL");
      await until(() => stateOf(a.ml, name) === "dead" && stateOf(b.ml, name) === "dead", `${name} dead at p0 and p1`, 5_000);
      const detected = performance.now() - t0;
      expect(await c.exited).toBe("SIGKILL");
      expect(detected).toBeLessThan(5_000);
      expect(sees(a.ml, ["p0", "p1"]) && sees(b.ml, ["p0", "p1"])).toBe(true);
    }
    // The survivors never suspected each other.
    expect([...a.events, ...b.events].filter((e) => (e.type === "memberSuspect" || e.type === "memberDead") && !e.name.startsWith("victim"))).toEqual([]);
  });

  it("a child that gets SIGTERM leaves, and the others drop it at once", async () => {
    const a = await member("q0");
    const c = await child("polite", [addr(a.ml)]);
    await until(() => sees(a.ml, ["q0", "polite"]), "polite to join");
    const t0 = performance.now();
    c.proc.kill("SIGTERM");
    await until(() => stateOf(a.ml, "polite") === "left", "polite left at q0", 3_000);
    expect(a.events.find((e) => e.type === "memberLeft")!.seen - t0).toBeLessThan(1_000);
    expect(await c.exited).toBe(0);
    expect(a.events.filter((e) => e.type === "memberDead")).toEqual([]);
  });
});
