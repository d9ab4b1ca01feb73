// Bounded fuzzing of the whole receive path (framer + decoder): random and
// mutated frames must either decode or throw BgpWireError, never anything
// else, never hang; and whatever decodes must re-encode and re-decode to the
// same value. `npm run bench -- bgp` runs the same properties much longer.
// Crashers found here become rows of the malformed tables.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { message } from "./arbitraries.fixtures.ts";
import { codecContext } from "./context.ts";
import { BgpWireError } from "./errors.ts";
import { createFramer } from "./framer.ts";
import { decodeMessage, encodeMessage } from "./message.ts";

const contexts = [codecContext({ fourOctetAs: true, extendedMessage: false }), codecContext({ fourOctetAs: false, extendedMessage: false })];
const RUNS = Number(process.env["BGP_FUZZ_RUNS"] ?? 1500);

function checkFrame(frame: Uint8Array, ctx: (typeof contexts)[number]): void {
  let decoded;
  try {
    decoded = decodeMessage(frame, ctx);
  } catch (err) {
    if (!(err instanceof BgpWireError)) throw err;
    return;
  }
  const again = decodeMessage(encodeMessage(decoded.message, ctx), ctx);
  expect(again.message).toEqual(decoded.message);
}

/** A frame with a valid header around arbitrary bytes, so the body decoders are reached. */
const framed = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 300 })).map(([type, body]) => {
  const f = new Uint8Array(19 + body.length).fill(0xff, 0, 16);
  f[16] = f.length >> 8;
  f[17] = f.length & 0xff;
  f[18] = type;
  f.set(body, 19);
  return f;
});

describe("fuzz", () => {
  test.each(contexts.map((c, i) => [i === 0 ? "4-octet" : "2-octet", c] as const))("random framed bodies (%s session)", (_name, ctx) => {
    fc.assert(fc.property(framed, (f) => checkFrame(f, ctx)), { numRuns: RUNS });
  });

  test("valid messages with random byte flips", () => {
    const ctx = contexts[0] as (typeof contexts)[number];
    const mutated = fc
      .tuple(message(ctx), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([m, flips]) => {
        const bytes = encodeMessage(m, ctx).slice();
        for (const [at, v] of flips) {
          const i = 19 + (at % Math.max(1, bytes.length - 19));
          if (i < bytes.length) bytes[i] = v;
        }
        return bytes;
      });
    fc.assert(fc.property(mutated, (f) => checkFrame(f, ctx)), { numRuns: RUNS });
  });

  test("the framer never throws anything but BgpWireError on a random stream", () => {
    const stream = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 });
    fc.assert(
      fc.property(stream, fc.boolean(), (chunks, extendedMessage) => {
        const f = createFramer({ extendedMessage });
        try {
          for (const c of chunks) f.push(c);
        } catch (err) {
          expect(err).toBeInstanceOf(BgpWireError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
