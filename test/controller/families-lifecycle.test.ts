// Reference §2.5 (families and avoid-buggy-ips), §2.6 (type change and
// deletion free IPs for pending Services), §2.7 (config changes move only the
// Services whose IPs left every pool) and §2.8 (loadBalancerClass). The real
// controller against kube-sim, which allocates dual-stack clusterIPs.
import { describe, test } from "vitest";
import { config, pool } from "./harness.ts";
import { all, create, patch, remove, runScenario, setConfig, type Scenario } from "./scenarios.ts";

const DUAL = config(pool("dual", ["198.51.100.0/30", "2001:db8::/126"]));
const preferDual = { spec: { ipFamilyPolicy: "PreferDualStack", ipFamilies: ["IPv4", "IPv6"] } };
const requireDual = { spec: { ipFamilyPolicy: "RequireDualStack", ipFamilies: ["IPv4", "IPv6"] } };

const families: Scenario[] = [
  {
    desc: "PreferDualStack in a dual-stack pool: one IP per family, IPv4 first",
    config: DUAL,
    steps: [{ act: create("a", preferDual), expect: { a: { ips: ["198.51.100.0", "2001:db8::"], pool: "dual", reason: "Allocated" } } }],
  },
  {
    desc: "an IPv6 single-stack Service gets an IPv6 address",
    config: DUAL,
    steps: [{ act: create("a", { spec: { ipFamilies: ["IPv6"] } }), expect: { a: { ips: ["2001:db8::"] } } }],
  },
  {
    desc: "RequireDualStack with only IPv4 pools: NoPool",
    config: config(pool("v4", ["198.51.100.0/30"])),
    steps: [{ act: create("a", requireDual), expect: { a: { ips: [], reason: "NoPool", events: ["AllocationFailed"] } } }],
  },
  {
    desc: "PreferDualStack falls back to its primary family, and gains the other when the pool gets it",
    config: config(pool("p", ["198.51.100.0/30"])),
    steps: [
      { act: create("a", preferDual), expect: { a: { ips: ["198.51.100.0"], reason: "Allocated" } } },
      { act: setConfig(DUAL.replace("name: dual", "name: p")), expect: { a: { ips: ["198.51.100.0", "2001:db8::"], pool: "p", events: ["IPAllocated", "IPAllocated"] } } },
    ],
  },
  {
    desc: "PreferDualStack with IPv6 first and no dual pool takes the IPv6 pool",
    config: config(pool("v4", ["198.51.100.0/30"]), pool("v6", ["2001:db8::/126"])),
    steps: [{ act: create("a", { spec: { ipFamilyPolicy: "PreferDualStack", ipFamilies: ["IPv6", "IPv4"] } }), expect: { a: { ips: ["2001:db8::"], pool: "v6" } } }],
  },
  {
    desc: "a dual-stack Service asks for one IP per family through the annotation",
    config: DUAL,
    steps: [{ act: create("a", { ...requireDual, annotations: { "ironlb.io/loadBalancerIPs": "198.51.100.2,2001:db8::2" } }), expect: { a: { ips: ["198.51.100.2", "2001:db8::2"] } } }],
  },
  {
    desc: "a single spec.loadBalancerIP on a dual-stack Service: FamilyMismatch",
    config: DUAL,
    steps: [{ act: create("a", { spec: { ...requireDual.spec, loadBalancerIP: "198.51.100.2" } }), expect: { a: { ips: [], reason: "FamilyMismatch" } } }],
  },
];

const buggy: Scenario[] = [
  {
    desc: "avoid-buggy-ips skips .0 (and .255)",
    config: config(pool("p", ["198.51.100.0/30"], "avoid-buggy-ips: true")),
    steps: [{ act: create("a"), expect: { a: { ips: ["198.51.100.1"] } } }],
  },
  {
    desc: "a requested .255 in an avoid-buggy-ips pool: IPNotInPool",
    config: config(pool("p", ["198.51.100.252/30"], "avoid-buggy-ips: true")),
    steps: [{ act: create("a", { spec: { loadBalancerIP: "198.51.100.255" } }), expect: { a: { ips: [], reason: "IPNotInPool", messageHas: "avoids buggy" } } }],
  },
  {
    desc: "turning avoid-buggy-ips on moves the Service on .0 (ClearAssignment, new IP at once)",
    config: config(pool("p", ["198.51.100.0/30"])),
    steps: [
      { act: all(create("a"), create("b")), expect: { a: { ips: ["198.51.100.0"] }, b: { ips: ["198.51.100.1"] } } },
      {
        act: setConfig(config(pool("p", ["198.51.100.0/30"], "avoid-buggy-ips: true"))),
        expect: { a: { ips: ["198.51.100.2"], reason: "Allocated", events: ["IPAllocated", "ClearAssignment", "IPAllocated"] }, b: { ips: ["198.51.100.1"], noEvents: ["ClearAssignment"] } },
      },
    ],
  },
];

const ONE = config(pool("one", ["198.51.100.7/32"]));

const recycling: Scenario[] = [
  {
    desc: "deleting the holder gives its IP to the pending Service",
    config: ONE,
    steps: [
      { act: create("a"), expect: { a: { ips: ["198.51.100.7"] } } },
      { act: create("b"), expect: { b: { ips: [], reason: "PoolExhausted" } } },
      { act: remove("a"), expect: { b: { ips: ["198.51.100.7"], pool: "one", reason: "Allocated", events: ["AllocationFailed", "IPAllocated"] } } },
    ],
  },
  {
    desc: "LoadBalancer -> ClusterIP clears IP, annotation and condition, and the pending Service gets the IP",
    config: ONE,
    steps: [
      { act: all(create("a"), create("b")), expect: { a: { ips: ["198.51.100.7"] }, b: { reason: "PoolExhausted" } } },
      { act: patch("a", { spec: { type: "ClusterIP", externalTrafficPolicy: null, allocateLoadBalancerNodePorts: null } }), expect: { a: { ips: [], pool: null, reason: null }, b: { ips: ["198.51.100.7"] } } },
      { act: patch("a", { spec: { type: "LoadBalancer" } }), expect: { a: { ips: [], reason: "PoolExhausted" }, b: { ips: ["198.51.100.7"] } } },
    ],
  },
  {
    desc: "a Service pending for lack of pools gets an IP when a pool appears",
    config: config(),
    steps: [
      { act: create("a"), expect: { a: { ips: [], reason: "NoPool", message: "no address pools are configured" } } },
      { act: setConfig(ONE), expect: { a: { ips: ["198.51.100.7"], reason: "Allocated" } } },
    ],
  },
];

const TWO = config(pool("gold", ["198.51.100.0/30"]), pool("silver", ["203.0.113.0/30"]));

const configChanges: Scenario[] = [
  {
    desc: "a pool removed: only its Services move (ClearAssignment, then an IP from what is left)",
    config: TWO,
    steps: [
      { act: all(create("g", { annotations: { "ironlb.io/loadBalancerIPs": "198.51.100.1" } }), create("s", { annotations: { "ironlb.io/loadBalancerIPs": "203.0.113.1" } }), create("auto")), expect: { g: { pool: "gold" }, s: { pool: "silver" }, auto: { ips: ["198.51.100.0"] } } },
      {
        act: setConfig(config(pool("silver", ["203.0.113.0/30"]))),
        expect: {
          auto: { ips: ["203.0.113.0"], pool: "silver", events: ["IPAllocated", "ClearAssignment", "IPAllocated"] },
          g: { ips: [], reason: "IPNotInPool", events: ["ClearAssignment", "AllocationFailed"] },
          s: { ips: ["203.0.113.1"], pool: "silver", noEvents: ["ClearAssignment"] },
        },
      },
    ],
  },
  {
    desc: "a pool renamed: IPs kept, the annotation follows the new name, nothing cleared",
    config: TWO,
    steps: [
      { act: create("a"), expect: { a: { ips: ["198.51.100.0"], pool: "gold" } } },
      { act: setConfig(config(pool("platinum", ["198.51.100.0/30"]), pool("silver", ["203.0.113.0/30"]))), expect: { a: { ips: ["198.51.100.0"], pool: "platinum", noEvents: ["ClearAssignment"] } } },
    ],
  },
  {
    desc: "a pool shrunk: the Service whose IP left moves inside the pool; the others stay",
    config: config(pool("p", ["198.51.100.0/29"])),
    steps: [
      { act: all(create("a"), create("b"), create("c")), expect: { a: { ips: ["198.51.100.0"] }, b: { ips: ["198.51.100.1"] }, c: { ips: ["198.51.100.2"] } } },
      {
        act: setConfig(config(pool("p", ["198.51.100.0/31", "198.51.100.4/31"]))),
        expect: { c: { ips: ["198.51.100.4"], events: ["ClearAssignment", "IPAllocated"] }, a: { ips: ["198.51.100.0"], noEvents: ["ClearAssignment"] }, b: { ips: ["198.51.100.1"] } },
      },
    ],
  },
  {
    desc: "every pool removed: every Service loses its IP (NoPool)",
    config: TWO,
    steps: [
      { act: all(create("a"), create("b", { annotations: { "ironlb.io/address-pool": "silver" } })), expect: { a: { ips: ["198.51.100.0"] }, b: { ips: ["203.0.113.0"] } } },
      { act: setConfig(config()), expect: { a: { ips: [], pool: null, reason: "NoPool" }, b: { ips: [], pool: null, reason: "NoPool" } } },
    ],
  },
];

const lbClass: Scenario[] = [
  {
    desc: "without --lb-class: Services with a class are left alone",
    config: ONE,
    steps: [
      { act: all(create("other", { spec: { loadBalancerClass: "example.com/other" } }), create("mine")), expect: { mine: { ips: ["198.51.100.7"] }, other: { ips: [], pool: null, reason: null, noEvents: ["AllocationFailed", "IPAllocated"] } } },
    ],
  },
  {
    desc: "with --lb-class: only that class is handled",
    config: ONE,
    lbClass: "ironlb.io/lb",
    steps: [
      { act: all(create("plain"), create("mine", { spec: { loadBalancerClass: "ironlb.io/lb" } })), expect: { mine: { ips: ["198.51.100.7"] }, plain: { ips: [], pool: null, reason: null, noEvents: ["AllocationFailed", "IPAllocated"] } } },
    ],
  },
];

describe("families and dual-stack policies (§2.5)", () => {
  test.each(families.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("avoid-buggy-ips (§2.5)", () => {
  test.each(buggy.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("type change and deletion free IPs (§2.6)", () => {
  test.each(recycling.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("config changes (§2.7)", () => {
  test.each(configChanges.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
describe("loadBalancerClass (§2.8)", () => {
  test.each(lbClass.map((s) => [s.desc, s] as const))("%s", (_d, s) => runScenario(s));
});
