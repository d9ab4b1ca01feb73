// `explain`: the dry run behind `ironlb explain`. It must agree with what the
// real call does and must not change anything.
import { describe, expect, test } from "vitest";
import { formatIp, parseIp } from "../ip/index.ts";
import { Allocator, type ExplainReport } from "./allocator.ts";
import { outcome, pool, selector, snapshot, svc } from "./pool.fixtures.ts";

const pools = Object.freeze([
  pool("manual", ["10.9.0.0/30"], { autoAssign: false }),
  pool("team-a", ["10.1.0.0/32"], { serviceAllocation: { namespaces: ["team-a"], priority: 5 } }),
  pool("gold", ["10.2.0.0/32"], { serviceAllocation: { serviceSelectors: [selector({ tier: "gold" })] } }),
  pool("v6", ["fd00::/127"]),
  pool("small", ["10.0.0.0/31"]),
  pool("big", ["10.0.1.0/24"]),
]);

const rows = (r: ExplainReport) => r.pools.map((v) => `${v.pool} ${v.stage} ${v.accepted ? "yes" : "no"} ${v.reason} ${v.ips.map(formatIp).join(",")}`.trim());

function setup(): Allocator {
  const a = new Allocator();
  a.setPools(pools);
  return a;
}

describe("explain", () => {
  test("automatic: every pool with a verdict, in the order allocation tries them", () => {
    const a = setup();
    a.allocate(svc("x", { share: "k", ports: ["tcp/80"] })); // 10.0.0.0 in small
    a.allocate(svc("y")); // 10.0.0.1: small is full
    const s = svc("team-a/web", { share: "k", ports: ["tcp/80"] });
    const before = snapshot(a);
    const r = a.explain(s);
    expect(snapshot(a)).toEqual(before);
    expect(r.mode).toBe("automatic");
    expect(r.current).toBeNull();
    expect(rows(r)).toEqual([
      "team-a pinned yes selected 10.1.0.0",
      "gold excluded no service-selector-mismatch",
      "manual default no auto-assign-disabled",
      "v6 default no family-not-in-pool",
      // 10.0.0.0 holds key k but already uses TCP/80; 10.0.0.1 does not share.
      "small default no port-conflict",
      "big default yes available 10.0.1.0",
    ]);
    expect(outcome(r.outcome)).toBe("ok 10.1.0.0 from team-a");
    expect(outcome(a.allocate(s))).toBe(outcome(r.outcome));
  });

  test("automatic failure: the reasons and the error code", () => {
    const a = setup();
    const r = a.explain(svc("d", { family: "dual" }));
    expect(rows(r)).toEqual([
      "team-a excluded no namespace-not-allowed",
      "gold excluded no service-selector-mismatch",
      "manual default no auto-assign-disabled",
      "v6 default no family-not-in-pool",
      "small default no family-not-in-pool",
      "big default no family-not-in-pool",
    ]);
    expect(outcome(r.outcome)).toBe("NO_POOL");
    expect(outcome(a.allocate(svc("d", { family: "dual" })))).toBe("NO_POOL");
  });

  test("PreferDualStack partial offers and a backend conflict", () => {
    const a = setup();
    a.allocateFromPool(svc("local", { share: "k", backend: "app=a", ports: ["tcp/1"] }), "small");
    a.allocateFromPool(svc("other"), "small");
    const r = a.explain(svc("p", { family: "dual", policy: "PreferDualStack", share: "k", backend: "app=b" }));
    expect(rows(r).slice(3)).toEqual(["v6 default yes partial-dual-stack fd00::", "small default no backend-conflict", "big default yes selected 10.0.1.0"]);
  });

  test("an allocated service: current assignment, re-claim verdict, and the outcome as if it held nothing", () => {
    const a = setup();
    expect(outcome(a.allocate(svc("s")))).toBe("ok 10.0.0.0 from small");
    const before = snapshot(a);
    const r = a.explain(svc("s"));
    expect(snapshot(a)).toEqual(before);
    expect(r.current?.assignment.pool).toBe("small");
    expect(outcome(r.current?.reclaim ?? r.outcome)).toBe("ok 10.0.0.0 from small");
    // Ignoring its own holding, the service would get the same lowest address.
    expect(outcome(r.outcome)).toBe("ok 10.0.0.0 from small");
    // The holding was put back exactly: another service still cannot take it.
    expect(outcome(a.assign(svc("t"), [parseIp("10.0.0.0")]))).toBe("SHARING_CONFLICT");
  });

  test("requested addresses and requested pool", () => {
    const a = setup();
    a.allocateFromPool(svc("holder"), "manual");
    const want = a.explain(svc("r"), { ips: [parseIp("10.9.0.0")] });
    expect(want.mode).toBe("requested-ips");
    expect(rows(want)).toContain("manual requested no sharing-conflict");
    expect(rows(want).filter((l) => l.includes("not-requested"))).toHaveLength(5);
    expect(outcome(want.outcome)).toBe("SHARING_CONFLICT");

    const okIp = a.explain(svc("r"), { ips: [parseIp("10.9.0.1")] });
    expect(rows(okIp)).toContain("manual requested yes selected 10.9.0.1");
    const mismatch = a.explain(svc("r"), { ips: [parseIp("10.9.0.1")], pool: "big" });
    expect(outcome(mismatch.outcome)).toBe("IP_NOT_IN_POOL");
    expect(rows(mismatch)).toContain("big requested no ip-not-in-pool");

    const fromPool = a.explain(svc("r"), { pool: "team-a" });
    expect(fromPool.mode).toBe("requested-pool");
    expect(rows(fromPool)).toContain("team-a requested no namespace-not-allowed");
    expect(outcome(fromPool.outcome)).toBe("POOL_NOT_ALLOWED");
    expect(outcome(a.explain(svc("r"), { pool: "nope" }).outcome)).toBe("UNKNOWN_POOL");
    expect(outcome(a.explain(svc("r"), { pool: "manual" }).outcome)).toBe("ok 10.9.0.1 from manual");
    expect(a.owners().map((o) => o.services)).toEqual([["default/holder"]]);
  });
});
