// fast-check generators for the membership wire types: canonical endpoints,
// member names as Kubernetes spells node names (and some UTF-8), every message.
import fc from "fast-check";
import { endpoint, type Endpoint } from "../endpoint.ts";
import type { MemberState, Message, PushPullEntry } from "./messages.ts";

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(":"));

export const arbEndpoint: fc.Arbitrary<Endpoint> = fc
  .tuple(fc.oneof(v4, v6), fc.nat(65535))
  .map(([a, p]) => endpoint(a, p));

export const arbName: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 253),
);

export const arbIncarnation = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 1_700_000_000_000, max: 2_000_000_000_000 }));
const seq = fc.nat(0xffff_ffff);
const state = fc.constantFrom<MemberState>("alive", "suspect", "dead", "left");

export const arbEntry: fc.Arbitrary<PushPullEntry> = fc.record({ name: arbName, incarnation: arbIncarnation, state, address: arbEndpoint });

export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  seq.map((s) => ({ type: "ping" as const, seq: s })),
  seq.map((s) => ({ type: "ack" as const, seq: s })),
  seq.map((s) => ({ type: "nack" as const, seq: s })),
  fc.record({ type: fc.constant("pingReq" as const), seq, nack: fc.boolean(), target: arbName, targetAddress: arbEndpoint }),
  fc.record({ type: fc.constant("alive" as const), incarnation: arbIncarnation, name: arbName, address: arbEndpoint }),
  fc.record({ type: fc.constant("suspect" as const), incarnation: arbIncarnation, name: arbName, from: arbName }),
  fc.record({ type: fc.constant("dead" as const), incarnation: arbIncarnation, name: arbName, from: arbName }),
  fc
    .tuple(fc.boolean(), fc.array(arbEntry, { maxLength: 8 }), fc.integer({ min: 1, max: 255 }))
    .chain(([reply, entries, parts]) => fc.nat(parts - 1).map((part) => ({ type: "pushPull" as const, reply, part, parts, entries }))),
  fc.record({
    type: fc.constant("unknown" as const),
    code: fc.oneof(fc.constant(0), fc.integer({ min: 9, max: 255 })),
    body: fc.uint8Array({ maxLength: 40 }),
  }),
);
