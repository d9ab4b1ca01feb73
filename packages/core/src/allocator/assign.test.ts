// Requested addresses (reference §2.2 step 1), pool compatibility (§2.3) and
// the sharing rules (§2.4), as one ordered scenario in the manner of MetalLB's
// TestAssignment: every step builds on the state the previous ones left.
import { describe, expect, test } from "vitest";
import { parseIp } from "../ip/index.ts";
import { Allocator } from "./allocator.ts";
import { pool, runSteps, selector, svc, type Step } from "./pool.fixtures.ts";

const pools = Object.freeze([
  pool("test", ["1.2.3.4/31", "1000::4/127"]),
  pool("test2", ["1.2.4.0/24", "1000::4:0/120"], { avoidBuggyIps: true }),
  pool("test3", ["1.2.5.0/24", "1000::5:0/120"], { avoidBuggyIps: true, serviceAllocation: { namespaces: ["test-ns1"] } }),
  pool("test4", ["1.2.6.0/24", "1000::6:0/120"], { avoidBuggyIps: true, serviceAllocation: { serviceSelectors: [selector({ team: "metallb" })] } }),
  pool("test5", ["1.2.7.0/24", "1000::7:0/120"], {
    avoidBuggyIps: true,
    serviceAllocation: { priority: 20, namespaces: ["test-ns1"], serviceSelectors: [selector({ team: "metallb" })] },
  }),
  pool("test6", ["1.2.8.0/24", "1000::9:0/120"], {
    avoidBuggyIps: true,
    serviceAllocation: { priority: 20, namespaces: ["test-ns2"], serviceSelectors: [selector({ foo: "bar" })] },
  }),
  pool("prod-only", ["1.2.9.0/24"], { serviceAllocation: { namespaceSelectors: [selector({ env: "prod" })] } }),
  pool("manual", ["1.2.10.0/24"], { autoAssign: false }),
]);

const s = (n: string, o: Parameters<typeof svc>[1] = {}) => svc(n, o);
const shared = (n: string, key: string, backend: string, ...ports: string[]) => svc(n, { share: key, backend, ports });

// §2.2 step 1 and §2.4, IPv4.
const ipv4Sharing: Step[] = [
  { desc: "assign s1", op: "assign", svc: s("s1"), ips: ["1.2.3.4"], want: "ok 1.2.3.4 from test" },
  { desc: "s1 idempotent reassign", op: "assign", svc: s("s1"), ips: ["1.2.3.4"], want: "ok 1.2.3.4 from test", holds: { "default/s1": ["1.2.3.4"] } },
  { desc: "s2 can't grab s1's IP", op: "assign", svc: s("s2"), ips: ["1.2.3.4"], want: "SHARING_CONFLICT" },
  { desc: "s2 can get the other IP", op: "assign", svc: s("s2"), ips: ["1.2.3.5"], want: "ok 1.2.3.5 from test" },
  { desc: "s1 now can't grab s2's IP, and keeps its own", op: "assign", svc: s("s1"), ips: ["1.2.3.5"], want: "SHARING_CONFLICT", holds: { "default/s1": ["1.2.3.4"] } },
  { desc: "s1 frees its IP", op: "unassign", svc: s("s1"), want: "true", holds: { "default/s1": [] } },
  { desc: "unassign is idempotent", op: "unassign", svc: s("s1"), want: "false" },
  { desc: "s2 can grab s1's former IP (moving)", op: "assign", svc: s("s2"), ips: ["1.2.3.4"], want: "ok 1.2.3.4 from test", holds: { "default/s2": ["1.2.3.4"] } },
  { desc: "s1 can now grab s2's former IP", op: "assign", svc: s("s1"), ips: ["1.2.3.5"], want: "ok 1.2.3.5 from test" },
  { desc: "s3 cannot grab a .0 buggy IP", op: "assign", svc: s("s3"), ips: ["1.2.4.0"], want: "IP_NOT_IN_POOL" },
  { desc: "s3 cannot grab a .255 buggy IP", op: "assign", svc: s("s3"), ips: ["1.2.4.255"], want: "IP_NOT_IN_POOL" },
  { desc: "s3 can grab another IP in that pool", op: "assign", svc: s("s3"), ips: ["1.2.4.254"], want: "ok 1.2.4.254 from test2" },
  { desc: "s4 takes an IP, with sharing", op: "assign", svc: shared("s4", "sharing", "backend", "tcp/80"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "s4 changes its sharing key in place (sole owner)", op: "assign", svc: shared("s4", "share", "backend", "tcp/80"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "s3 can't share with s4 (port conflict)", op: "assign", svc: shared("s3", "share", "backend", "tcp/80"), ips: ["1.2.4.3"], want: "PORT_CONFLICT", holds: { "default/s3": ["1.2.4.254"] } },
  { desc: "s3 can't share with s4 (wrong sharing key)", op: "assign", svc: shared("s3", "othershare", "backend", "tcp/443"), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
  { desc: "s3 can't share with s4 (wrong backend key)", op: "assign", svc: shared("s3", "share", "otherbackend", "tcp/443"), ips: ["1.2.4.3"], want: "BACKEND_CONFLICT" },
  { desc: "s3 can't share with s4 (no sharing key of its own)", op: "assign", svc: s("s3", { ports: ["tcp/443"] }), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
  { desc: "s3 takes the same IP as s4", op: "assign", svc: shared("s3", "share", "backend", "tcp/443"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "s3 can change its ports while keeping the same IP", op: "assign", svc: shared("s3", "share", "backend", "udp/53"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "s3 can't change its sharing key while keeping the same IP", op: "assign", svc: shared("s3", "othershare", "backend", "udp/53"), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
  { desc: "s3 can't change its backend key while keeping the same IP", op: "assign", svc: shared("s3", "share", "otherbackend", "udp/53"), ips: ["1.2.4.3"], want: "BACKEND_CONFLICT" },
  { desc: "s4 can't take UDP/53, which s3 uses", op: "assign", svc: shared("s4", "share", "backend", "tcp/80", "udp/53"), ips: ["1.2.4.3"], want: "PORT_CONFLICT" },
  { desc: "TCP/53 and UDP/53 do not conflict", op: "assign", svc: shared("s4", "share", "backend", "tcp/80", "tcp/53"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "a third service joins with disjoint ports", op: "assign", svc: shared("s7", "share", "backend", "tcp/8080"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
  { desc: "s4 takes s3's former IP (freed when s3 joined s4)", op: "assign", svc: s("s4"), ips: ["1.2.4.254"], want: "ok 1.2.4.254 from test2" },
  { desc: "s3 moves away from the shared IP", op: "assign", svc: s("s3"), ips: ["1.2.4.20"], want: "ok 1.2.4.20 from test2", holds: { "default/s7": ["1.2.4.3"] } },
  { desc: "s5 without a key can't join an IP whose holder allows sharing", op: "assign", svc: s("s5"), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
  { desc: "s5 takes an IP without sharing", op: "assign", svc: s("s5"), ips: ["1.2.4.10"], want: "ok 1.2.4.10 from test2" },
  { desc: "s6 with a key can't join an IP whose holder does not allow sharing", op: "assign", svc: shared("s6", "share", "backend", "tcp/1"), ips: ["1.2.4.10"], want: "SHARING_CONFLICT" },
];

// The same rules over IPv6 (no buggy addresses there: ::0 and ::ff are fine).
const ipv6Sharing: Step[] = [
  { desc: "ipv6 assign v1", op: "assign", svc: s("v1", { family: "ipv6" }), ips: ["1000::4"], want: "ok 1000::4 from test" },
  { desc: "v2 can't grab v1's IP", op: "assign", svc: s("v2", { family: "ipv6" }), ips: ["1000::4"], want: "SHARING_CONFLICT" },
  { desc: "v2 can get the other IP", op: "assign", svc: s("v2", { family: "ipv6" }), ips: ["1000::5"], want: "ok 1000::5 from test" },
  { desc: "::0 of an avoid-buggy-ips pool is fine", op: "assign", svc: s("v3", { family: "ipv6" }), ips: ["1000::4:0"], want: "ok 1000::4:0 from test2" },
  { desc: "::ff likewise", op: "assign", svc: s("v4", { family: "ipv6" }), ips: ["1000::4:ff"], want: "ok 1000::4:ff from test2" },
  { desc: "v5 can't share v4's IP: v4 has no key", op: "assign", svc: svc("v5", { family: "ipv6", share: "k" }), ips: ["1000::4:ff"], want: "SHARING_CONFLICT" },
  { desc: "v6 takes an IP with a key", op: "assign", svc: svc("v6", { family: "ipv6", share: "k", ports: ["tcp/80"] }), ips: ["1000::4:3"], want: "ok 1000::4:3 from test2" },
  { desc: "v7 shares it", op: "assign", svc: svc("v7", { family: "ipv6", share: "k", ports: ["tcp/443"] }), ips: ["1000::4:3"], want: "ok 1000::4:3 from test2" },
  { desc: "v8 port conflict", op: "assign", svc: svc("v8", { family: "ipv6", share: "k", ports: ["tcp/443"] }), ips: ["1000::4:3"], want: "PORT_CONFLICT" },
];

// Request shape and family rules (§2.2 "Inputs" and step 1).
const requestShape: Step[] = [
  { desc: "no address", op: "assign", svc: s("r1"), ips: [], want: "INVALID_REQUEST" },
  { desc: "three addresses", op: "assign", svc: s("r1", { family: "dual" }), ips: ["1.2.4.30", "1000::4:30", "1.2.4.31"], want: "INVALID_REQUEST" },
  { desc: "two addresses of one family", op: "assign", svc: s("r1", { family: "dual" }), ips: ["1.2.4.30", "1.2.4.31"], want: "INVALID_REQUEST" },
  { desc: "an IPv6 address for an IPv4 service", op: "assign", svc: s("r1"), ips: ["1000::4:30"], want: "FAMILY_MISMATCH" },
  { desc: "two addresses for a single-stack service", op: "assign", svc: s("r1"), ips: ["1.2.4.30", "1000::4:30"], want: "FAMILY_MISMATCH" },
  { desc: "one address for a dual-stack service", op: "assign", svc: s("r1", { family: "dual" }), ips: ["1.2.4.30"], want: "FAMILY_MISMATCH" },
  { desc: "PreferDualStack must request both families too", op: "assign", svc: s("r1", { family: "dual", policy: "PreferDualStack" }), ips: ["1.2.4.30"], want: "FAMILY_MISMATCH" },
  { desc: "but may re-claim a single current address", op: "reclaim", svc: s("r1", { family: "dual", policy: "PreferDualStack" }), ips: ["1.2.4.30"], want: "ok 1.2.4.30 from test2" },
  { desc: "RequireDualStack may not re-claim one", op: "reclaim", svc: s("r2", { family: "dual" }), ips: ["1.2.4.31"], want: "FAMILY_MISMATCH" },
  { desc: "RequireDualStack with one clusterIP", op: "assign", svc: s("r2", { family: "ipv4", policy: "RequireDualStack" }), ips: ["1.2.4.31"], want: "NOT_ENOUGH_CLUSTER_IPS" },
  { desc: "port 0", op: "assign", svc: s("r2", { ports: ["tcp/0"] }), ips: ["1.2.4.31"], want: "INVALID_REQUEST" },
  { desc: "port above 65535", op: "assign", svc: s("r2", { ports: ["udp/65536"] }), ips: ["1.2.4.31"], want: "INVALID_REQUEST" },
  { desc: "unknown protocol", op: "assign", svc: s("r2", { ports: ["icmp/1"] }), ips: ["1.2.4.31"], want: "INVALID_REQUEST" },
  { desc: "SingleStack with two clusterIPs", op: "assign", svc: s("r2", { family: "dual", policy: "SingleStack" }), ips: ["1.2.4.31", "1000::4:31"], want: "INVALID_REQUEST" },
  { desc: "dual-stack assign", op: "assign", svc: s("d1", { family: "dual" }), ips: ["1.2.4.40", "1000::4:40"], want: "ok 1.2.4.40,1000::4:40 from test2" },
  { desc: "dual-stack from different pools", op: "assign", svc: s("d1", { family: "dual" }), ips: ["1.2.4.41", "1000::4"], want: "IP_NOT_IN_POOL", holds: { "default/d1": ["1.2.4.40", "1000::4:40"] } },
  { desc: "an address in no pool", op: "assign", svc: s("r3"), ips: ["9.9.9.9"], want: "IP_NOT_IN_POOL" },
  { desc: "an address outside the requested pool", op: "assign", svc: s("r3"), ips: ["1.2.4.50"], pool: "test", want: "IP_NOT_IN_POOL" },
  { desc: "an address inside the requested pool", op: "assign", svc: s("r3"), ips: ["1.2.4.50"], pool: "test2", want: "ok 1.2.4.50 from test2" },
  { desc: "auto-assign: false pools accept requested addresses", op: "assign", svc: s("r4"), ips: ["1.2.10.10"], want: "ok 1.2.10.10 from manual" },
];

// §2.3: compatibility is checked inside assign, so it binds requested addresses too.
const compatibility: Step[] = [
  { desc: "pool pinned on the same namespace", op: "assign", svc: s("test-ns1/c1"), ips: ["1.2.5.10"], want: "ok 1.2.5.10 from test3" },
  { desc: "pool pinned on a different namespace", op: "assign", svc: s("testns-not-exist/c1"), ips: ["1.2.5.10"], want: "POOL_NOT_ALLOWED" },
  { desc: "pool pinned with the same service label", op: "assign", svc: s("testns-not-exist/c2", { labels: { team: "metallb" } }), ips: ["1.2.6.10"], want: "ok 1.2.6.10 from test4" },
  { desc: "pool pinned with a different service label", op: "assign", svc: s("testns-not-exist/c3", { labels: { team: "red" } }), ips: ["1.2.6.11"], want: "POOL_NOT_ALLOWED" },
  { desc: "namespace and service label both match", op: "assign", svc: s("test-ns1/c4", { labels: { team: "metallb" } }), ips: ["1.2.7.10"], want: "ok 1.2.7.10 from test5" },
  { desc: "namespace matches, label does not", op: "assign", svc: s("test-ns2/c5", { labels: { team: "metallb" } }), ips: ["1.2.8.10"], want: "POOL_NOT_ALLOWED" },
  { desc: "label matches, namespace does not", op: "assign", svc: s("testns-not-exist/c6", { labels: { foo: "bar" } }), ips: ["1.2.8.10"], want: "POOL_NOT_ALLOWED" },
  { desc: "namespace selector matches the namespace's labels", op: "assign", svc: s("shop/c7", { namespaceLabels: { env: "prod" } }), ips: ["1.2.9.10"], want: "ok 1.2.9.10 from prod-only" },
  { desc: "namespace selector does not match", op: "assign", svc: s("lab/c8", { namespaceLabels: { env: "dev" } }), ips: ["1.2.9.11"], want: "POOL_NOT_ALLOWED" },
  { desc: "a service's own labels do not satisfy a namespace selector", op: "assign", svc: s("lab/c9", { labels: { env: "prod" } }), ips: ["1.2.9.12"], want: "POOL_NOT_ALLOWED" },
];

describe("assign: requested addresses, compatibility, sharing (reference §2.2-§2.4)", () => {
  test.each([
    ["IPv4 sharing", ipv4Sharing],
    ["IPv6 sharing", ipv6Sharing],
    ["request shape and families", requestShape],
    ["pool compatibility", compatibility],
  ])("%s", (_name, steps) => {
    const a = new Allocator();
    expect(a.setPools(pools)).toEqual({ released: [], moved: [] });
    runSteps(a, pools, steps);
  });

  test("error details name the holders and the rule that failed", () => {
    const a = new Allocator();
    a.setPools(pools);
    a.assign(shared("ns/a", "k1", "", "tcp/80"), [parseIp("1.2.4.3")]);
    a.assign(shared("ns/b", "k1", "", "tcp/443"), [parseIp("1.2.4.3")]);
    const r = a.assign(shared("ns/c", "k2", "", "tcp/22"), [parseIp("1.2.4.3")]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: "SHARING_CONFLICT", ip: "1.2.4.3", holders: ["ns/a", "ns/b"], pool: "test2" });
    // Unlike MetalLB's `can't change sharing key` (issue #788), the text names both keys.
    expect(r.error.message).toContain('"k2"');
    expect(r.error.message).toContain('"k1"');
    const p = a.assign(shared("ns/d", "k1", "", "tcp/80"), [parseIp("1.2.4.3")]);
    expect(p.ok ? null : p.error).toMatchObject({ code: "PORT_CONFLICT", port: "TCP/80", holders: ["ns/a", "ns/b"] });
  });

  test("the sole-owner key change does not apply while others share the address", () => {
    const a = new Allocator();
    a.setPools(pools);
    runSteps(a, pools, [
      { desc: "a alone, key k1", op: "assign", svc: shared("a", "k1", "", "tcp/80"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
      { desc: "a alone may drop its key", op: "assign", svc: s("a", { ports: ["tcp/80"] }), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
      { desc: "b cannot join a keyless holder", op: "assign", svc: shared("b", "k1", "", "tcp/443"), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
      { desc: "a takes key k1 again", op: "assign", svc: shared("a", "k1", "", "tcp/80"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
      { desc: "b joins", op: "assign", svc: shared("b", "k1", "", "tcp/443"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
      { desc: "now a may not drop its key", op: "assign", svc: s("a", { ports: ["tcp/80"] }), ips: ["1.2.4.3"], want: "SHARING_CONFLICT" },
      { desc: "b leaves", op: "unassign", svc: s("b"), want: "true" },
      { desc: "a alone again may change key", op: "assign", svc: shared("a", "k9", "x", "tcp/80"), ips: ["1.2.4.3"], want: "ok 1.2.4.3 from test2" },
    ]);
    expect(a.owners().find((o) => o.services.includes("default/a"))?.sharingKey).toBe("k9");
  });
});
