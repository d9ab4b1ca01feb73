// Reference §2.3 (pool/service compatibility: priorities, namespaces,
// namespace selectors on Namespace labels, service selectors) and §2.4
// (allow-shared-ip: ports, backend keys, the sole-owner key change, and the
// reprocess when an allocation key changes). The real controller against kube-sim.
import { describe, test } from "vitest";
import { config, pool } from "./harness.ts";
import { all, create, patch, runScenario, type Scenario } from "./scenarios.ts";

const OPEN = pool("open", ["203.0.113.0/30"]);

const selectors: Scenario[] = [
  {
    desc: "a pool pinned to a namespace serves it first; other namespaces never get it",
    config: config(OPEN, pool("team", ["198.51.100.0/30"], "service-allocation:\n  namespaces: [team-a]")),
    steps: [
      {
        act: all(create("team-a/a"), create("team-b/b")),
        expect: { "team-a/a": { ips: ["198.51.100.0"], pool: "team" }, "team-b/b": { ips: ["203.0.113.0"], pool: "open" } },
      },
    ],
  },
  {
    desc: "pinned pools by priority: lower first, 0 (none) last",
    config: config(
      pool("p0", ["192.0.2.0/30"], "service-allocation:\n  namespaces: [t]"),
      pool("p5", ["198.51.100.0/30"], "service-allocation:\n  priority: 5\n  namespaces: [t]"),
      pool("p2", ["203.0.113.0/30"], "service-allocation:\n  priority: 2\n  namespaces: [t]"),
    ),
    steps: [{ act: create("t/a"), expect: { "t/a": { ips: ["203.0.113.0"], pool: "p2" } } }],
  },
  {
    desc: "a full pinned pool falls back to the next pinned one, then to unpinned pools",
    config: config(OPEN, pool("one", ["198.51.100.9/32"], "service-allocation:\n  priority: 1\n  namespaces: [t]")),
    steps: [
      { act: create("t/a"), expect: { "t/a": { ips: ["198.51.100.9"], pool: "one" } } },
      { act: create("t/b"), expect: { "t/b": { ips: ["203.0.113.0"], pool: "open" } } },
    ],
  },
  {
    desc: "service-selectors match the Service's labels",
    config: config(OPEN, pool("web", ["198.51.100.0/30"], "service-allocation:\n  service-selectors:\n  - match-labels: {tier: web}")),
    steps: [
      {
        act: all(create("w", { labels: { tier: "web" } }), create("d", { labels: { tier: "db" } })),
        expect: { w: { ips: ["198.51.100.0"], pool: "web" }, d: { ips: ["203.0.113.0"], pool: "open" } },
      },
    ],
  },
  {
    desc: "a pool whose service-allocation admits nobody here is never used: NoPool",
    config: config(pool("team", ["198.51.100.0/30"], "service-allocation:\n  namespaces: [team-a]")),
    steps: [{ act: create("team-b/a"), expect: { "team-b/a": { ips: [], reason: "NoPool", events: ["AllocationFailed"] } } }],
  },
  {
    desc: "namespace-selectors follow Namespace labels; relabelling moves the Service out (ClearAssignment, new IP at once)",
    config: config(OPEN, pool("prod", ["198.51.100.0/30"], "service-allocation:\n  namespace-selectors:\n  - match-labels: {env: prod}")),
    namespaces: { shop: { env: "prod" } },
    steps: [
      { act: create("shop/a"), expect: { "shop/a": { ips: ["198.51.100.0"], pool: "prod" } } },
      { act: (c) => c.namespace("shop", { env: "dev" }), expect: { "shop/a": { ips: ["203.0.113.0"], pool: "open", reason: "Allocated", events: ["IPAllocated", "ClearAssignment", "IPAllocated"] } } },
      { act: (c) => c.namespace("shop", { env: "prod" }), expect: { "shop/a": { ips: ["203.0.113.0"], pool: "open" } } },
      { act: create("shop/b"), expect: { "shop/b": { ips: ["198.51.100.0"], pool: "prod" }, "shop/a": { ips: ["203.0.113.0"] } } },
    ],
  },
];

const SHARED = config(pool("lan", ["198.51.100.0/30"]));
const shared = (key: string, extra: { port?: number; protocol?: string; spec?: Record<string, unknown> } = {}) => ({
  annotations: { "ironlb.io/allow-shared-ip": key, "ironlb.io/loadBalancerIPs": "198.51.100.1" },
  spec: { ports: [{ name: "p", port: extra.port ?? 80, protocol: extra.protocol ?? "TCP" }], ...extra.spec },
});

const sharing: Scenario[] = [
  {
    desc: "same key, different ports: both Services on one IP",
    config: SHARED,
    steps: [{ act: all(create("a", shared("k", { port: 80 })), create("b", shared("k", { port: 443 }))), expect: { a: { ips: ["198.51.100.1"] }, b: { ips: ["198.51.100.1"], reason: "Allocated" } } }],
  },
  {
    desc: "TCP/53 and UDP/53 do not conflict",
    config: SHARED,
    steps: [{ act: all(create("t", shared("dns", { port: 53 })), create("u", shared("dns", { port: 53, protocol: "UDP" }))), expect: { t: { ips: ["198.51.100.1"] }, u: { ips: ["198.51.100.1"] } } }],
  },
  {
    desc: "same key, same port: PortConflict",
    config: SHARED,
    steps: [
      { act: create("a", shared("k")), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: create("b", shared("k")), expect: { b: { ips: [], reason: "PortConflict", messageHas: "TCP/80", events: ["AllocationFailed"] } } },
    ],
  },
  {
    desc: "different keys: SharingConflict",
    config: SHARED,
    steps: [
      { act: create("a", shared("k1")), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: create("b", shared("k2", { port: 443 })), expect: { b: { ips: [], reason: "SharingConflict", messageHas: 'sharing key "k2" does not match' } } },
    ],
  },
  {
    desc: "externalTrafficPolicy Local with different selectors: BackendConflict",
    config: SHARED,
    steps: [
      { act: create("a", shared("k", { spec: { externalTrafficPolicy: "Local", selector: { app: "x" } } })), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: create("b", shared("k", { port: 443, spec: { externalTrafficPolicy: "Local", selector: { app: "y" } } })), expect: { b: { ips: [], reason: "BackendConflict" } } },
    ],
  },
  {
    desc: "a sole holder may change its sharing key in place",
    config: SHARED,
    steps: [
      { act: create("a", shared("k1")), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: patch("a", { metadata: { annotations: { "ironlb.io/allow-shared-ip": "k2" } } }), expect: { a: { ips: ["198.51.100.1"], reason: "Allocated" } } },
      { act: create("b", shared("k2", { port: 443 })), expect: { b: { ips: ["198.51.100.1"] } } },
    ],
  },
  {
    desc: "a holder changing its key re-runs everyone: a pending Service with that key now shares",
    config: SHARED,
    steps: [
      { act: create("a", shared("k1")), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: create("b", shared("k2", { port: 443 })), expect: { b: { ips: [], reason: "SharingConflict" } } },
      { act: patch("a", { metadata: { annotations: { "ironlb.io/allow-shared-ip": "k2" } } }), expect: { b: { ips: ["198.51.100.1"], reason: "Allocated", events: ["AllocationFailed", "IPAllocated"] }, a: { ips: ["198.51.100.1"] } } },
    ],
  },
  {
    desc: "automatic allocation takes the first usable IP: free or shareable, whichever comes first",
    config: SHARED,
    steps: [
      { act: create("a", { annotations: { "ironlb.io/allow-shared-ip": "k" } }), expect: { a: { ips: ["198.51.100.0"] } } },
      { act: create("b", { annotations: { "ironlb.io/allow-shared-ip": "k" }, spec: { ports: [{ port: 443 }] } }), expect: { b: { ips: ["198.51.100.0"] } } },
      { act: create("c", { spec: { ports: [{ port: 8080 }] } }), expect: { c: { ips: ["198.51.100.1"] } } },
    ],
  },
  {
    desc: "metallb.io/allow-shared-ip is read as an alias",
    config: SHARED,
    steps: [
      {
        act: all(
          create("a", { annotations: { "metallb.io/allow-shared-ip": "k", "ironlb.io/loadBalancerIPs": "198.51.100.2" } }),
          create("b", { annotations: { "metallb.io/allow-shared-ip": "k", "ironlb.io/loadBalancerIPs": "198.51.100.2" }, spec: { ports: [{ port: 443 }] } }),
        ),
        expect: { a: { ips: ["198.51.100.2"] }, b: { ips: ["198.51.100.2"] } },
      },
    ],
  },
];

describe("pool compatibility, priorities and selectors (§2.3)", () => {
  test.each(selectors.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("sharing (§2.4)", () => {
  test.each(sharing.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
