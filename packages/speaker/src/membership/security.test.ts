// Authentication end to end: nobody without the key joins, suspects, kills or
// "leaves" a member; tampered, truncated, misdirected, stale and replayed
// datagrams are dropped with a counted reason and change nothing.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Writer } from "@ironlb/core/wire";
import { Cluster, secret, type Node } from "./cluster.fixtures.ts";
import { endpoint } from "./endpoint.ts";
import type { RejectReason } from "./events.ts";
import { wireWriteErrors } from "./wire/fields.ts";
import { messageCodec, type Message } from "./wire/messages.ts";
import { deriveKey, sealPacket, type PacketHeader } from "./wire/packet.ts";
import type { Datagram } from "./fake-network.ts";

const wrongSecret = new TextEncoder().encode("not-the-cluster-secret");

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function three(seed: number): Promise<[Cluster, Node, Node, Node]> {
  const c = (cluster = new Cluster({ seed }));
  const nodes = [c.add(), c.add(), c.add()] as const;
  await c.startAll();
  await c.until(() => c.converged(), 5_000);
  return [c, ...nodes];
}

function forge(secretBytes: Uint8Array, header: Omit<PacketHeader, "session" | "seq"> & Partial<PacketHeader>, messages: readonly Message[]): Uint8Array {
  const encoded = messages.map((m) => {
    const w = Writer.alloc(messageCodec.sizeOf(m), wireWriteErrors);
    messageCodec.encode(w, m);
    return w.bytes;
  });
  return sealPacket({ session: 777, seq: 1, ...header }, encoded, deriveKey(secretBytes));
}

/** States of everyone as `n` sees them, without timestamps. */
function states(n: Node): string[] {
  return n.membership.members().map((m) => `${m.name}:${m.state}:${m.incarnation}`);
}

function rejected(n: Node): Partial<Record<RejectReason, number>> {
  return Object.fromEntries(Object.entries(n.membership.counters().rejected).filter(([, v]) => v > 0));
}

/** Captures the first datagram matching `pred` from now on. */
function capture(c: Cluster, pred: (d: Datagram) => boolean): { value: Datagram | undefined } {
  const box: { value: Datagram | undefined } = { value: undefined };
  const untap = c.net.tap((d) => {
    if (box.value === undefined && pred(d)) {
      box.value = d;
      untap();
    }
  });
  return box;
}

describe("authentication", () => {
  it("a member with the wrong key cannot join: every datagram it sends is dropped as bad-mac", async () => {
    const [c, a, b, x] = await three(41);
    const outsider = c.add("intruder", [wrongSecret]);
    await outsider.membership.start();
    outsider.membership.join([a.at, b.at, x.at]);
    await c.advance(5_000);
    for (const n of [a, b, x]) expect(c.view(n)).toEqual([a.name, b.name, x.name]);
    expect(c.view(outsider)).toEqual(["intruder"]);
    expect(rejected(a)["bad-mac"]).toBeGreaterThan(0);
    expect(a.events.find((e) => e.type === "packetRejected")).toMatchObject({ reason: "bad-mac", source: "192.0.2.4:7946" });
  });

  it("a forged suspicion, death or leave without the key changes nothing", async () => {
    const [c, a, b, x] = await three(42);
    const before = states(a);
    const time = c.clock.now();
    const forgeries: Message[][] = [
      [{ type: "suspect", name: x.name, incarnation: 2 ** 50, from: b.name }],
      [{ type: "dead", name: x.name, incarnation: 2 ** 50, from: b.name }],
      [{ type: "dead", name: x.name, incarnation: 2 ** 50, from: x.name }],
      [{ type: "alive", name: "ghost", incarnation: 1, address: endpoint("192.0.2.99", 7946) }],
    ];
    for (const ms of forgeries) c.net.inject(b.at, a.at, forge(wrongSecret, { time, from: b.name, to: a.name }, ms));
    await c.advance(5);
    expect(states(a)).toEqual(before);
    expect(rejected(a)).toEqual({ "bad-mac": 4 });
    expect(a.events.filter((e) => e.type !== "packetRejected" && e.at >= time)).toEqual([]);
  });

  it("tampered and truncated captures are dropped", async () => {
    const [c, a, b] = await three(43);
    const got = capture(c, (d) => d.from.address === b.at.address && d.to.address === a.at.address);
    await c.until(() => got.value !== undefined, 1_000, 1);
    const bytes = got.value!.bytes;
    const before = states(a);
    const base = a.membership.counters().rejected;
    for (let i = 0; i < bytes.length; i += 7) {
      const t = bytes.slice();
      t[i] = (t[i] as number) ^ 0x40;
      c.net.inject(b.at, a.at, t);
    }
    for (let n = 0; n < bytes.length; n += 5) c.net.inject(b.at, a.at, bytes.subarray(0, n));
    await c.advance(2);
    expect(states(a)).toEqual(before);
    const after = a.membership.counters().rejected;
    const newly = (r: RejectReason) => after[r] - base[r];
    expect(newly("bad-mac") + newly("bad-magic") + newly("bad-version") + newly("too-short")).toBe(Math.ceil(bytes.length / 7) + Math.ceil(bytes.length / 5));
    expect(newly("too-short")).toBeGreaterThan(0);
    expect(newly("bad-mac")).toBeGreaterThan(0);
  });

  it("a replayed leave is refused: same receiver 'replayed', another receiver 'misdirected', later 'stale'", async () => {
    const [c, a, b, x] = await three(44);
    const leave = capture(c, (d) => d.from.address === x.at.address && d.to.address === a.at.address);
    await Promise.all([x.membership.leave(), c.advance(100)]);
    expect(c.stateOf(a, x.name)).toBe("left");
    await x.membership.start();
    await c.until(() => c.converged(), 2_000, 5);
    const captured = leave.value!.bytes;

    c.net.inject(x.at, a.at, captured);
    c.net.inject(x.at, b.at, captured);
    await c.advance(2);
    expect(rejected(a)).toMatchObject({ replayed: 1 });
    expect(rejected(b)).toMatchObject({ misdirected: 1 });
    expect(c.converged()).toBe(true);

    await c.advance(2 * a.membership.config.replayWindow + 1_000);
    c.net.inject(x.at, a.at, captured);
    await c.advance(2);
    expect(rejected(a)).toMatchObject({ replayed: 1, stale: 1 });
    expect(c.converged()).toBe(true);
  });

  it("a replay that reaches a receiver with no memory of it is outranked by the incarnation", async () => {
    const [c, a, , x] = await three(45);
    const leave = capture(c, (d) => d.from.address === x.at.address && d.to.address === a.at.address);
    await Promise.all([x.membership.leave(), c.advance(100)]);
    await x.membership.start();
    // a restarts: a fresh process has an empty replay table.
    await c.restart(a);
    await c.until(() => c.converged(), 2_000, 5);
    c.net.inject(x.at, a.at, leave.value!.bytes);
    await c.advance(2);
    expect(rejected(a)).toEqual({}); // the envelope was fine: signed, fresh, never seen by this process
    expect(c.stateOf(a, x.name)).toBe("alive"); // but x's incarnation is above its previous life's leave
    expect(c.converged()).toBe(true);
  });

  it("authentic but undecodable datagrams are 'malformed', a datagram in our own name is 'self'", async () => {
    const [c, a, b] = await three(46);
    const before = states(a);
    const time = c.clock.now();
    c.net.inject(b.at, a.at, sealPacket({ session: 1, seq: 1, time, from: b.name, to: a.name }, [Uint8Array.from([5, 0, 200, 1])], deriveKey(secret)));
    c.net.inject(b.at, a.at, forge(secret, { time, from: a.name, to: a.name }, [{ type: "ping", seq: 1 }]));
    await c.advance(2);
    expect(rejected(a)).toEqual({ malformed: 1, self: 1 });
    expect(states(a)).toEqual(before);
  });

  it("fuzz: arbitrary datagrams from anywhere never crash a member nor change its view", async () => {
    const [c, a, b, x] = await three(47);
    const before = c.view(a);
    let sent = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(255), fc.boolean(), (bytes, host, magic) => {
        if (magic && bytes.length >= 4) bytes.set([0x49, 0x4c, 1, 0]);
        c.net.inject(endpoint(`198.51.100.${host}`, 7946), a.at, bytes);
        sent++;
      }),
      { numRuns: 2000 },
    );
    await c.advance(5);
    const total = Object.values(a.membership.counters().rejected).reduce((s, v) => s + v, 0);
    expect(total).toBe(sent);
    expect(c.view(a)).toEqual(before);
    expect(c.converged([a, b, x])).toBe(true);
  });

  it("key rotation: members signing with different keys of a shared list interoperate", async () => {
    const k1 = new TextEncoder().encode("old-key");
    const k2 = new TextEncoder().encode("new-key");
    const c = (cluster = new Cluster({ seed: 48 }));
    // Mid-rotation: one member still signs with the old key, one already with the new, both accept both.
    const a = c.add("old-first", [k1, k2]);
    const b = c.add("new-first", [k2, k1]);
    await c.startAll();
    await c.until(() => c.converged(), 3_000);
    expect(rejected(a)).toEqual({});
    expect(rejected(b)).toEqual({});
    // One that dropped the old key too early cannot read the old signer.
    const d = c.add("new-only", [k2]);
    await d.membership.start();
    d.membership.join([a.at]);
    await c.advance(3_000);
    expect(rejected(d)["bad-mac"]).toBeGreaterThan(0);
  });
});
