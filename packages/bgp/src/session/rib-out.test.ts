import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatPrefix, type IpFamily, parseIp, parsePrefix, type Prefix } from "@ironlb/core/ip";
import { codecContext } from "../context.ts";
import { decodeMessage } from "../message.ts";
import { prefixBytes } from "../nlri.ts";
import { type AttributeSet, type PeerContext, resolveAttributes } from "./advertisement.ts";
import { RibOut, type WantedRoute } from "./rib-out.ts";

// A model peer applies every UPDATE the RibOut hands over; the laws are about
// what it ends up holding and what it was sent on the way.

const ctx = codecContext({ fourOctetAs: true, extendedMessage: false });
const peer: PeerContext = { localAs: 64512, external: true, codec: ctx, localAddress: parseIp("10.0.0.1"), nextHop: { ipv6: parseIp("2001:db8::1") } };

const universe: Prefix[] = [
  ...Array.from({ length: 24 }, (_, i) => parsePrefix(`198.51.100.${i}/32`)),
  ...Array.from({ length: 24 }, (_, i) => parsePrefix(`2001:db8:1::${i.toString(16)}/128`)),
  parsePrefix("203.0.113.0/24"),
  parsePrefix("2001:db8:2::/48"),
];
const keyOf = (p: Prefix) => `${p.family === "ipv4" ? 4 : 6}/${p.network}/${p.length}`;
const routes = universe.map((prefix) => ({ key: keyOf(prefix), prefix, nlri: prefixBytes(prefix), advertisement: { prefix } }));

const sets = new Map<string, AttributeSet>();
function setFor(family: IpFamily, med: number): AttributeSet {
  const k = `${family}/${med}`;
  let s = sets.get(k);
  if (s === undefined) {
    const r = resolveAttributes({ prefix: family === "ipv4" ? parsePrefix("192.0.2.1/32") : parsePrefix("2001:db8::2/128"), med }, peer);
    if (typeof r === "string") throw new Error(r);
    s = r;
    sets.set(k, s);
  }
  return s;
}

/** What the peer holds: prefix -> MED it was announced with. */
class ModelPeer {
  readonly held = new Map<string, number>();
  readonly violations: string[] = [];
  constructor(readonly maxLength: number) {}

  apply(bytes: Uint8Array, resent: ReadonlySet<IpFamily>): void {
    if (bytes.length > this.maxLength) this.violations.push(`UPDATE of ${bytes.length} bytes over ${this.maxLength}`);
    const m = decodeMessage(bytes, ctx).message;
    if (m.type !== "update") throw new Error(`not an UPDATE: ${m.type}`);
    const withdraw = (p: Prefix) => {
      if (!this.held.delete(formatPrefix(p))) this.violations.push(`withdrew ${formatPrefix(p)}, which the peer did not hold`);
    };
    const med = m.attributes.find((a) => a.type === "med")?.value ?? -1;
    const announce = (p: Prefix) => {
      const k = formatPrefix(p);
      if (this.held.get(k) === med && !resent.has(p.family)) this.violations.push(`re-announced ${k} unchanged`);
      this.held.set(k, med);
    };
    m.withdrawn.forEach(withdraw);
    m.nlri.forEach(announce);
    for (const a of m.attributes) {
      if (a.type === "mp-reach") a.nlri.forEach(announce);
      if (a.type === "mp-unreach") a.withdrawn.forEach(withdraw);
    }
  }
}

type Step = { readonly plan: readonly (readonly [number, number])[]; readonly resend: readonly IpFamily[] } | { readonly drain: number };

const planStep = fc.record({
  plan: fc.uniqueArray(fc.tuple(fc.nat(universe.length - 1), fc.integer({ min: 0, max: 2 })), { selector: (t) => t[0], maxLength: universe.length }),
  resend: fc.subarray(["ipv4", "ipv6"] as IpFamily[]),
});
const step: fc.Arbitrary<Step> = fc.oneof(planStep, fc.record({ drain: fc.nat(6) }), fc.constant({ plan: [], resend: [] }));

function wantedOf(plan: readonly (readonly [number, number])[]): Map<string, WantedRoute> {
  const wanted = new Map<string, WantedRoute>();
  for (const [i, med] of plan) {
    const route = routes[i];
    if (route === undefined) throw new Error("index");
    wanted.set(route.key, { route, set: setFor(route.prefix.family, med) });
  }
  return wanted;
}

describe("RibOut", () => {
  test("after any interleaving of plans and partial sends, the peer ends up with exactly the last plan, and nothing sent was redundant", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.constantFrom(4096, 160), (steps, maxLength) => {
        const rib = new RibOut();
        const model = new ModelPeer(maxLength);
        let last = new Map<string, WantedRoute>();
        let lastMeds = new Map<string, number>();
        let resent = new Set<IpFamily>();
        const send = (limit: number) => {
          for (let i = 0; i < limit; i++) {
            const u = rib.next(maxLength);
            if (u === undefined) return;
            model.apply(u.bytes, resent);
            expect(rib.advertised).toBe(model.held.size);
          }
        };
        for (const s of steps) {
          if ("drain" in s) send(s.drain);
          else {
            last = wantedOf(s.plan);
            lastMeds = new Map(s.plan.map(([i, med]) => [formatPrefix(universe[i] as Prefix), med]));
            resent = new Set(s.resend);
            rib.plan(last, resent);
            expect(rib.advertised).toBe(model.held.size);
          }
        }
        send(Number.POSITIVE_INFINITY);
        expect(model.violations).toEqual([]);
        expect(rib.pending).toBe(0);
        expect(new Map([...model.held].sort())).toEqual(new Map([...lastMeds].sort()));
        expect(rib.advertised).toBe(last.size);
      }),
      { numRuns: 300 },
    );
  });

  test("withdrawing a whole family leaves the other family alone and packs the withdrawals", () => {
    const rib = new RibOut();
    const model = new ModelPeer(4096);
    rib.plan(wantedOf(universe.map((_, i) => [i, 0] as const)));
    for (let u = rib.next(4096); u !== undefined; u = rib.next(4096)) model.apply(u.bytes, new Set());
    const v6 = universe.flatMap((p, i) => (p.family === "ipv6" ? [[i, 0] as const] : []));
    rib.plan(wantedOf(v6));
    expect(rib.pending).toBe(25);
    const update = rib.next(4096);
    expect(update).toMatchObject({ withdrawn: 25, announced: 0 });
    model.apply(update?.bytes ?? new Uint8Array(), new Set());
    expect(rib.next(4096)).toBeUndefined();
    expect([...model.held.keys()].sort()).toEqual(universe.filter((p) => p.family === "ipv6").map(formatPrefix).sort());
    expect(model.violations).toEqual([]);
  });

  test("a withdrawal planned but not yet sent is taken back by the next plan: the peer never loses the route", () => {
    const rib = new RibOut();
    const model = new ModelPeer(160);
    const all = wantedOf(universe.map((_, i) => [i, 1] as const));
    rib.plan(all);
    for (let u = rib.next(160); u !== undefined; u = rib.next(160)) model.apply(u.bytes, new Set());
    rib.plan(new Map());
    const first = rib.next(160);
    expect(first?.withdrawn).toBeGreaterThan(0);
    model.apply(first?.bytes ?? new Uint8Array(), new Set());
    const gone = universe.length - model.held.size;
    rib.plan(all);
    expect(rib.pending).toBe(gone);
    expect(rib.advertised).toBe(model.held.size);
    for (let u = rib.next(160); u !== undefined; u = rib.next(160)) model.apply(u.bytes, new Set());
    expect(model.held.size).toBe(universe.length);
    expect(model.violations).toEqual([]);
  });
});
