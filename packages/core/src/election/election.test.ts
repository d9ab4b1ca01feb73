import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { electionOrder, electOwner } from "./election.ts";

// Expected orders computed independently with coreutils, e.g.
//   printf '%s' 'node-a#10.0.0.1' | sha256sum
// and sorting the hex digests (ascending hex = ascending bytes):
//   2acae885... node-b#10.0.0.1
//   dd41591f... node-a#10.0.0.1
//   f949561f... node-c#10.0.0.1
const vectors: readonly { ip: string; nodes: string[]; want: string[] }[] = [
  { ip: "10.0.0.1", nodes: ["node-a", "node-b", "node-c"], want: ["node-b", "node-a", "node-c"] },
  // d210644c worker-2, d9d02da1 worker-1, ddd06f57 worker-3: the same first byte, ordered by later bytes.
  { ip: "192.168.1.240", nodes: ["worker-1", "worker-2", "worker-3"], want: ["worker-2", "worker-1", "worker-3"] },
  // 54f59210 worker-2, b8199dbc worker-1, d79282d1 worker-3
  { ip: "2001:db8::1", nodes: ["worker-1", "worker-2", "worker-3"], want: ["worker-2", "worker-1", "worker-3"] },
  // 3599cdb1 kind-worker2, 3f4d244f kind-worker, 664cf9ab kind-worker3, b1e83773 kind-worker4, b78e2fdd kind-control-plane
  {
    ip: "172.18.255.200",
    nodes: ["kind-control-plane", "kind-worker", "kind-worker2", "kind-worker3", "kind-worker4"],
    want: ["kind-worker2", "kind-worker", "kind-worker3", "kind-worker4", "kind-control-plane"],
  },
];

describe("electionOrder", () => {
  test.each(vectors)("sha256(node#$ip) ascending", ({ ip, nodes, want }) => {
    expect(electionOrder(nodes, ip)).toEqual(want);
    expect(electionOrder([...nodes].reverse(), ip)).toEqual(want);
    expect(electOwner(nodes, ip)).toBe(want[0]);
  });

  test("the IP is part of the hash: another IP gives another order", () => {
    // 10.0.0.1 elects node-b (above); with five IPs at least one other owner must appear.
    const owners = new Set(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"].map((ip) => electOwner(["node-a", "node-b", "node-c"], ip)));
    expect(owners.size).toBeGreaterThan(1);
  });

  test("empty candidate set has no owner; duplicates count once; input is not mutated", () => {
    expect(electionOrder([], "10.0.0.1")).toEqual([]);
    expect(electOwner([], "10.0.0.1")).toBeUndefined();
    const nodes = Object.freeze(["node-c", "node-a", "node-b", "node-a"]);
    expect(electionOrder(nodes, "10.0.0.1")).toEqual(["node-b", "node-a", "node-c"]);
    expect(nodes).toEqual(["node-c", "node-a", "node-b", "node-a"]);
  });

  test("property: input order does not matter, and the owner is the first of the order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 12 }), fc.ipV4(), fc.integer(), (nodes, ip, seed) => {
        const shuffled = [...nodes].sort((a, b) => hash32(a, seed) - hash32(b, seed));
        const order = electionOrder(nodes, ip);
        expect(electionOrder(shuffled, ip)).toEqual(order);
        expect([...order].sort()).toEqual([...nodes].sort());
        expect(electOwner(shuffled, ip)).toBe(order[0]);
      }),
    );
  });

  test("property: removing a node that is not the owner keeps the owner; adding one moves it only to the newcomer", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 10 }), fc.ipV6(), (nodes, ip) => {
        const owner = electOwner(nodes, ip) as string;
        const others = nodes.filter((n) => n !== owner);
        expect(electOwner([owner, ...others.slice(1)], ip)).toBe(owner);
        const newcomer = `${nodes.join("")}-new`;
        expect([owner, newcomer]).toContain(electOwner([...nodes, newcomer], ip));
      }),
    );
  });
});

// A deterministic shuffle key, so the property does not depend on Math.random.
function hash32(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
  return h;
}
