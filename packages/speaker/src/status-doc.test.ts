import { describe, expect, test } from "vitest";
import { MAX_DOC_BYTES, parseStatus, serializeStatus } from "./status-doc.ts";

const sessions = new Map([["tor", { address: "10.99.0.1:179", state: "up" as const, since: "2026-01-01T00:00:00.000Z" }]]);

describe("status document", () => {
  test("byte-identical for equal content in any insertion order, and parsed back", () => {
    const a = serializeStatus({ node: "n1", layer2: new Map([["ns/b", ["198.51.100.2"]], ["ns/a", ["198.51.100.1"]]]), bgp: new Map(), sessions });
    const b = serializeStatus({ node: "n1", layer2: new Map([["ns/a", ["198.51.100.1"]], ["ns/b", ["198.51.100.2"]]]), bgp: new Map(), sessions });
    expect(a).toBe(b);
    expect(parseStatus(a)).toEqual({ v: 1, node: "n1", layer2: { "ns/a": ["198.51.100.1"], "ns/b": ["198.51.100.2"] }, bgp: {}, sessions: Object.fromEntries(sessions) });
  });

  test("too many Services: counts instead of lists, still under the cap", () => {
    const bgp = new Map(Array.from({ length: 20_000 }, (_, i) => [`namespace-${i}/service-${i}`, [`203.0.${i >> 8}.${i & 255}`]] as const));
    const text = serializeStatus({ node: "n1", layer2: new Map(), bgp, sessions });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_DOC_BYTES);
    expect(parseStatus(text)).toMatchObject({ bgp: {}, truncated: { layer2: 0, bgp: 20_000 }, sessions: { tor: { state: "up" } } });
  });

  test.each([undefined, "", "not json", "[]", '{"v":2,"node":"n","layer2":{},"bgp":{},"sessions":{}}', '{"v":1,"node":"n"}'])("unusable annotation %j -> undefined", (text) => {
    expect(parseStatus(text)).toBeUndefined();
  });
});
