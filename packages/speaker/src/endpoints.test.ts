import { describe, expect, test } from "vitest";
import { slice, type EpSpec } from "./decision.fixtures.ts";
import { endpointCanServe, summarizeEndpoints } from "./endpoints.ts";

describe("endpointCanServe (MetalLB's EndpointCanServe)", () => {
  test.each([
    { c: undefined, want: true },
    { c: {}, want: true },
    { c: { ready: null }, want: true },
    { c: { ready: true }, want: true },
    { c: { ready: false }, want: false },
    { c: { ready: false, serving: true, terminating: true }, want: true },
    { c: { ready: false, serving: false, terminating: true }, want: false },
    { c: { ready: false, serving: null }, want: false },
  ])("$c -> $want", ({ c, want }) => {
    expect(endpointCanServe(c)).toBe(want);
  });
});

describe("summarizeEndpoints", () => {
  const rows: readonly { desc: string; slices: EpSpec[][]; want: { anyServing: boolean; servingNodes: string[]; anyHealthy: boolean; healthyNodes: string[] } }[] = [
    { desc: "no slices", slices: [], want: { anyServing: false, servingNodes: [], anyHealthy: false, healthyNodes: [] } },
    { desc: "an empty slice", slices: [[]], want: { anyServing: false, servingNodes: [], anyHealthy: false, healthyNodes: [] } },
    { desc: "ready on two nodes", slices: [[{ node: "a" }, { node: "b" }]], want: { anyServing: true, servingNodes: ["a", "b"], anyHealthy: true, healthyNodes: ["a", "b"] } },
    { desc: "an endpoint without a node serves but is on no node", slices: [[{}]], want: { anyServing: true, servingNodes: [], anyHealthy: true, healthyNodes: [] } },
    { desc: "unready only", slices: [[{ node: "a", ready: false }]], want: { anyServing: false, servingNodes: [], anyHealthy: false, healthyNodes: [] } },
    {
      desc: "an address unready in a second slice: layer 2 still counts the node, BGP does not",
      slices: [[{ node: "a", address: "10.244.0.9" }], [{ node: "a", address: "10.244.0.9", ready: false }]],
      want: { anyServing: true, servingNodes: ["a"], anyHealthy: false, healthyNodes: [] },
    },
    {
      desc: "one healthy and one unhealthy address on a node: the node is healthy",
      slices: [[{ node: "a", address: "10.244.0.1" }, { node: "a", address: "10.244.0.2", ready: false }]],
      want: { anyServing: true, servingNodes: ["a"], anyHealthy: true, healthyNodes: ["a"] },
    },
  ];
  test.each(rows)("$desc", ({ slices, want }) => {
    const s = summarizeEndpoints(slices.map((eps, i) => slice(eps, `s${i}`)));
    expect({ anyServing: s.anyServing, servingNodes: [...s.servingNodes].sort(), anyHealthy: s.anyHealthy, healthyNodes: [...s.healthyNodes].sort() }).toEqual(want);
  });
});
