import { describe, expect, test } from "vitest";
import { nodeObject } from "./decision.fixtures.ts";
import { nodeChangeMatters, nodeState } from "./nodes.ts";

describe("nodeState", () => {
  test("reads NetworkUnavailable=True only, the exclude label by presence, InternalIP first", () => {
    const n = nodeState({
      metadata: { name: "n1", labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" } },
      status: {
        conditions: [{ type: "NetworkUnavailable", status: "True" }],
        addresses: [
          { type: "Hostname", address: "n1" },
          { type: "ExternalIP", address: "192.0.2.1" },
          { type: "InternalIP", address: "10.0.0.1" },
        ],
      },
    });
    expect(n).toEqual({ name: "n1", labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" }, networkUnavailable: true, excludedFromBalancers: true, addresses: ["10.0.0.1", "192.0.2.1"] });
    expect(nodeState(nodeObject("n2", { networkUnavailable: false })).networkUnavailable).toBe(false);
    expect(nodeState({ status: { conditions: [{ type: "NetworkUnavailable", status: "Unknown" }] } }).networkUnavailable).toBe(false);
  });
});

describe("nodeChangeMatters", () => {
  const base = nodeState(nodeObject("n1", { labels: { zone: "a" } }));
  test.each([
    { desc: "same", after: nodeState(nodeObject("n1", { labels: { zone: "a" } })), want: false },
    { desc: "NetworkUnavailable", after: nodeState(nodeObject("n1", { labels: { zone: "a" }, networkUnavailable: true })), want: true },
    { desc: "exclude label", after: nodeState(nodeObject("n1", { labels: { zone: "a", "node.kubernetes.io/exclude-from-external-load-balancers": "" } })), want: true },
    { desc: "a label value", after: nodeState(nodeObject("n1", { labels: { zone: "b" } })), want: true },
    { desc: "an address", after: nodeState(nodeObject("n1", { labels: { zone: "a" }, address: "10.0.0.9" })), want: true },
    { desc: "deleted", after: undefined, want: true },
  ])("$desc -> $want", ({ after, want }) => {
    expect(nodeChangeMatters(base, after)).toBe(want);
  });
});
