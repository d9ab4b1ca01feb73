import { describe, expect, it } from "vitest";
import { Faults, requestMatches, type MatchTarget } from "./faults.ts";
import { RequestLog } from "./request-log.ts";

const target = (t: Partial<MatchTarget>): MatchTarget => ({ verb: "get", group: "", resource: "services", subresource: "", namespace: "default", name: "web", ...t });

describe("request matching", () => {
  const cases: [Parameters<typeof requestMatches>[0], Partial<MatchTarget>, boolean][] = [
    [{}, {}, true],
    [{ verb: "get" }, {}, true],
    [{ verb: "list" }, {}, false],
    [{ resource: "services" }, {}, true],
    [{ resource: "leases.coordination.k8s.io" }, { resource: "leases", group: "coordination.k8s.io" }, true],
    [{ resource: "leases.coordination.k8s.io" }, { resource: "leases", group: "" }, false],
    [{ subresource: "status" }, {}, false],
    [{ subresource: "status" }, { subresource: "status" }, true],
    [{ namespace: "kube-system" }, {}, false],
    [{ name: "web", verb: "get", resource: "services" }, {}, true],
  ];
  it.each(cases)("%j vs %j: %s", (m, t, want) => expect(requestMatches(m, target(t))).toBe(want));
});

describe("Faults", () => {
  it("consumes failures and expiries one request at a time", () => {
    const f = new Faults(new Set());
    f.failNext(2, { verb: "patch" }, { code: 429, retryAfterSeconds: 3 });
    expect(f.takeFailure(target({}))).toBeUndefined();
    expect(f.takeFailure(target({ verb: "patch" }))).toEqual({ code: 429, retryAfterSeconds: 3 });
    expect(f.takeFailure(target({ verb: "patch" }))).toBeDefined();
    expect(f.takeFailure(target({ verb: "patch" }))).toBeUndefined();
    f.expireNextWatches(1, { resource: "pods" });
    expect(f.takeExpiry(target({ verb: "watch" }))).toBe(false);
    expect(f.takeExpiry(target({ verb: "watch", resource: "pods" }))).toBe(true);
    expect(f.takeExpiry(target({ verb: "watch", resource: "pods" }))).toBe(false);
    f.setLatency(20, { resource: "pods" });
    expect(f.latencyFor(target({ resource: "pods" }))).toBe(20);
    expect(f.latencyFor(target({}))).toBe(0);
  });
});

describe("RequestLog", () => {
  it("keeps exact counters beyond the bounded entries", () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 10; i++) log.record({ verb: i % 2 === 0 ? "get" : "list", group: "", resource: "services", subresource: "", namespace: "default", name: `s${i}`, user: "", path: "", code: 200, time: i });
    expect(log.count()).toBe(10);
    expect(log.count({ verb: "get" })).toBe(5);
    expect(log.entries().map((e) => e.name)).toEqual(["s7", "s8", "s9"]);
    expect(log.count({ name: "s9" })).toBe(1); // by name: counted over kept entries
  });
});
