// Reference §2.1/§2.2, what a Service asks for: requested IPs
// (loadBalancerIPs annotation or spec.loadBalancerIP), a requested pool
// (address-pool annotation), auto-assign false pools, and the annotation
// aliases (ironlb.io > metallb.io > metallb.universe.tf, the last with a
// deprecatedAnnotation Warning). The real controller against kube-sim.
import { describe, test } from "vitest";
import { config, pool } from "./harness.ts";
import { create, patch, runScenario, type Scenario } from "./scenarios.ts";

const TWO_POOLS = config(pool("gold", ["198.51.100.0/30"]), pool("silver", ["203.0.113.0/30"]), pool("manual", ["192.0.2.0/30"], "auto-assign: false"));

const requestedIps: Scenario[] = [
  {
    desc: "spec.loadBalancerIP inside a pool: that IP, the pool annotation, condition Allocated, event IPAllocated",
    config: TWO_POOLS,
    steps: [{ act: create("a", { spec: { loadBalancerIP: "203.0.113.2" } }), expect: { a: { ips: ["203.0.113.2"], pool: "silver", reason: "Allocated", events: ["IPAllocated"] } } }],
  },
  {
    desc: "the loadBalancerIPs annotation, trimmed",
    config: TWO_POOLS,
    steps: [{ act: create("a", { annotations: { "ironlb.io/loadBalancerIPs": " 198.51.100.3 " } }), expect: { a: { ips: ["198.51.100.3"], pool: "gold", reason: "Allocated" } } }],
  },
  {
    desc: "auto-assign: false pools serve explicit requests",
    config: TWO_POOLS,
    steps: [{ act: create("a", { spec: { loadBalancerIP: "192.0.2.1" } }), expect: { a: { ips: ["192.0.2.1"], pool: "manual", reason: "Allocated" } } }],
  },
  {
    desc: "an IP in no pool stays pending: IPNotInPool and AllocationFailed",
    config: TWO_POOLS,
    steps: [{ act: create("a", { spec: { loadBalancerIP: "10.1.2.3" } }), expect: { a: { ips: [], pool: null, reason: "IPNotInPool", messageHas: "is not allowed in config", events: ["AllocationFailed"] } } }],
  },
  {
    desc: "annotation and spec.loadBalancerIP together are an invalid request",
    config: TWO_POOLS,
    steps: [
      {
        act: create("a", { annotations: { "metallb.io/loadBalancerIPs": "198.51.100.1" }, spec: { loadBalancerIP: "198.51.100.2" } }),
        expect: { a: { ips: [], reason: "InvalidRequest", messageHas: "can not have both", events: ["AllocationFailed"] } },
      },
    ],
  },
  {
    desc: "an IPv6 request on an IPv4 service is a family mismatch",
    config: config(pool("dual", ["198.51.100.0/30", "2001:db8::/126"])),
    steps: [{ act: create("a", { annotations: { "ironlb.io/loadBalancerIPs": "2001:db8::2" } }), expect: { a: { ips: [], reason: "FamilyMismatch", events: ["AllocationFailed"] } } }],
  },
  {
    desc: "an IP held by a Service that does not share: SharingConflict naming the holder",
    config: TWO_POOLS,
    steps: [
      { act: create("a", { spec: { loadBalancerIP: "198.51.100.1" } }), expect: { a: { ips: ["198.51.100.1"] } } },
      { act: create("b", { spec: { loadBalancerIP: "198.51.100.1" } }), expect: { b: { ips: [], reason: "SharingConflict", messageHas: "default/a", events: ["AllocationFailed"] }, a: { ips: ["198.51.100.1"] } } },
    ],
  },
  {
    desc: "an IP of one pool with the address-pool annotation naming another is refused",
    config: TWO_POOLS,
    steps: [
      {
        act: create("a", { annotations: { "ironlb.io/address-pool": "silver" }, spec: { loadBalancerIP: "198.51.100.1" } }),
        expect: { a: { ips: [], reason: "IPNotInPool", messageHas: "not compatible with requested address pool silver" } },
      },
    ],
  },
  {
    desc: "changing the requested IP moves the Service to it (state cleared, new IP assigned)",
    config: TWO_POOLS,
    steps: [
      { act: create("a", { annotations: { "ironlb.io/loadBalancerIPs": "198.51.100.1" } }), expect: { a: { ips: ["198.51.100.1"], pool: "gold" } } },
      { act: patch("a", { metadata: { annotations: { "ironlb.io/loadBalancerIPs": "203.0.113.3" } } }), expect: { a: { ips: ["203.0.113.3"], pool: "silver", reason: "Allocated", events: ["IPAllocated", "IPAllocated"] } } },
    ],
  },
  {
    desc: "an unparsable request on a Service that holds an IP: LoadBalancerFailed, the IP is kept",
    config: TWO_POOLS,
    steps: [
      { act: create("a"), expect: { a: { ips: ["198.51.100.0"], pool: "gold" } } },
      {
        act: patch("a", { metadata: { annotations: { "ironlb.io/loadBalancerIPs": "not-an-ip" } } }),
        expect: { a: { ips: ["198.51.100.0"], pool: "gold", reason: "InvalidRequest", messageHas: "invalid requested loadbalancer IPs", events: ["IPAllocated", "LoadBalancerFailed"] } },
      },
    ],
  },
];

const requestedPool: Scenario[] = [
  {
    desc: "the address-pool annotation picks the pool",
    config: TWO_POOLS,
    steps: [{ act: create("a", { annotations: { "ironlb.io/address-pool": "silver" } }), expect: { a: { ips: ["203.0.113.0"], pool: "silver", reason: "Allocated" } } }],
  },
  {
    desc: "an auto-assign: false pool can be requested by name",
    config: TWO_POOLS,
    steps: [{ act: create("a", { annotations: { "ironlb.io/address-pool": "manual" } }), expect: { a: { ips: ["192.0.2.0"], pool: "manual" } } }],
  },
  {
    desc: "an unknown pool: UnknownPool",
    config: TWO_POOLS,
    steps: [{ act: create("a", { annotations: { "ironlb.io/address-pool": "bronze" } }), expect: { a: { ips: [], reason: "UnknownPool", messageHas: 'unknown pool "bronze"', events: ["AllocationFailed"] } } }],
  },
  {
    desc: "a requested pool that does not admit the namespace: PoolNotAllowed",
    config: config(pool("team", ["198.51.100.0/30"], "service-allocation:\n  namespaces: [team-a]"), pool("open", ["203.0.113.0/30"])),
    steps: [{ act: create("team-b/a", { annotations: { "ironlb.io/address-pool": "team" } }), expect: { "team-b/a": { ips: [], reason: "PoolNotAllowed", messageHas: "not compatible for ip assignment" } } }],
  },
  {
    desc: "a full requested pool: PoolExhausted, even with room elsewhere",
    config: config(pool("tiny", ["198.51.100.7/32"]), pool("big", ["203.0.113.0/24"])),
    steps: [
      { act: create("a", { annotations: { "ironlb.io/address-pool": "tiny" } }), expect: { a: { ips: ["198.51.100.7"] } } },
      { act: create("b", { annotations: { "ironlb.io/address-pool": "tiny" } }), expect: { b: { ips: [], reason: "PoolExhausted" } } },
    ],
  },
  {
    desc: "changing the address-pool annotation moves the Service to that pool",
    config: TWO_POOLS,
    steps: [
      { act: create("a"), expect: { a: { ips: ["198.51.100.0"], pool: "gold" } } },
      { act: patch("a", { metadata: { annotations: { "ironlb.io/address-pool": "silver" } } }), expect: { a: { ips: ["203.0.113.0"], pool: "silver" } } },
    ],
  },
];

const autoAssign: Scenario[] = [
  {
    desc: "automatic allocation never uses an auto-assign: false pool",
    config: config(pool("manual", ["192.0.2.0/30"], "auto-assign: false")),
    steps: [{ act: create("a"), expect: { a: { ips: [], reason: "NoPool", events: ["AllocationFailed"] } } }],
  },
  {
    desc: "automatic allocation skips an auto-assign: false pool listed first",
    config: config(pool("manual", ["192.0.2.0/30"], "auto-assign: false"), pool("auto", ["198.51.100.8/29"])),
    steps: [{ act: create("a"), expect: { a: { ips: ["198.51.100.8"], pool: "auto" } } }],
  },
];

const aliases: Scenario[] = [
  {
    desc: "ironlb.io wins over metallb.io, which wins over metallb.universe.tf",
    config: TWO_POOLS,
    steps: [
      {
        act: create("a", { annotations: { "ironlb.io/address-pool": "silver", "metallb.io/address-pool": "gold", "metallb.universe.tf/address-pool": "manual" } }),
        expect: { a: { pool: "silver", ips: ["203.0.113.0"] } },
      },
      { act: create("b", { annotations: { "metallb.io/address-pool": "manual", "metallb.universe.tf/address-pool": "gold" } }), expect: { b: { pool: "manual", ips: ["192.0.2.0"] } } },
    ],
  },
  {
    desc: "metallb.io/ annotations are read without any warning",
    config: TWO_POOLS,
    steps: [{ act: create("a", { annotations: { "metallb.io/loadBalancerIPs": "203.0.113.1" } }), expect: { a: { ips: ["203.0.113.1"], events: ["IPAllocated"], noEvents: ["deprecatedAnnotation"] } } }],
  },
  {
    desc: "metallb.universe.tf/ annotations work and warn with deprecatedAnnotation",
    config: TWO_POOLS,
    steps: [
      {
        act: create("a", { annotations: { "metallb.universe.tf/address-pool": "silver", "metallb.universe.tf/allow-shared-ip": "k" } }),
        expect: { a: { ips: ["203.0.113.0"], pool: "silver", events: ["IPAllocated", "deprecatedAnnotation", "deprecatedAnnotation"] } },
      },
    ],
  },
];

describe("requested IPs (§2.2 step 1)", () => {
  test.each(requestedIps.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("requested pool (§2.2 step 2)", () => {
  test.each(requestedPool.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("auto-assign: false (§2.2 step 3)", () => {
  test.each(autoAssign.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("annotation aliases (§2.2 prefix history)", () => {
  test.each(aliases.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
