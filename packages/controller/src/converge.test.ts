// converge() as a pure decision, for the cases a real API server never lets
// through (no clusterIPs, RequireDualStack with one clusterIP, garbage in the
// ingress list) and for the bookkeeping that decides between "ok", "give-up"
// and "reprocess-all". Each row also checks that the Service object it was
// given is not modified.
import { describe, expect, test } from "vitest";
import { Allocator } from "@ironlb/core/allocator";
import { parseConfig, type Pool } from "@ironlb/core/config";
import type { V1Service } from "@ironlb/kube";
import { converge, type ConvergeContext, type Decision } from "./converge.ts";

function pools(yaml: string): readonly Pool[] {
  const r = parseConfig(yaml);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("; "));
  return r.config.pools;
}

const LAN = pools("address-pools:\n- name: lan\n  protocol: layer2\n  addresses: [198.51.100.0/30, 2001:db8::/126]\n");

function context(p: readonly Pool[] | null = LAN): ConvergeContext {
  const allocator = new Allocator();
  allocator.setPools(p ?? []);
  return { allocator, pools: p, noConfigReason: "no configuration loaded yet: ConfigMap x/config not found", lbClass: null, namespaceLabels: () => ({}), allocationKeys: new Map(), now: () => new Date(Date.UTC(2026, 0, 1)) };
}

function svc(over: { spec?: Record<string, unknown>; ingress?: { ip?: string; hostname?: string }[]; annotations?: Record<string, string>; conditions?: unknown[] } = {}): V1Service {
  return {
    metadata: { name: "web", namespace: "prod", resourceVersion: "7", uid: "u1", labels: { app: "web" }, annotations: over.annotations ?? {} },
    spec: { type: "LoadBalancer", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ipFamilies: ["IPv4"], ports: [{ port: 80, protocol: "TCP" }], ...over.spec },
    status: { loadBalancer: over.ingress === undefined ? {} : { ingress: over.ingress }, ...(over.conditions !== undefined ? { conditions: over.conditions } : {}) },
  } as V1Service;
}

function decide(ctx: ConvergeContext, s: V1Service | undefined): Decision {
  const before = JSON.stringify(s);
  const d = converge("prod/web", s, ctx);
  expect(JSON.stringify(s), "the Service given to converge is not modified").toBe(before);
  return d;
}

const reasons = (d: Decision) => d.events.map((e) => e.reason);
const condition = (d: Decision) => d.write?.conditions?.find((c) => c.type === "ironlb.io/Allocated");

describe("converge", () => {
  test.each([
    ["no clusterIPs: NoClusterIP, state cleared", svc({ spec: { clusterIP: "", clusterIPs: [] } }), "NoClusterIP", []],
    ["RequireDualStack with one clusterIP: the MetalLB event, NotEnoughClusterIPs", svc({ spec: { ipFamilyPolicy: "RequireDualStack" } }), "NotEnoughClusterIPs", ["not enough clusterips"]],
    ["loadBalancerIPs annotation with two IPv4s: InvalidRequest", svc({ annotations: { "ironlb.io/loadBalancerIPs": "198.51.100.1,198.51.100.2" } }), "InvalidRequest", ["AllocationFailed"]],
  ])("%s", (_d, s, reason, events) => {
    const d = decide(context(), s);
    expect(d.verdict).toBe("give-up");
    expect(d.failure).toBe(reason);
    expect(condition(d)).toMatchObject({ status: "False", reason });
    expect(reasons(d)).toEqual(events);
  });

  test("a converged Service costs no write; a fresh one gets one write with ingress, annotation and condition", () => {
    const ctx = context();
    const first = decide(ctx, svc());
    expect(first.verdict).toBe("ok");
    expect(first.write).toMatchObject({ namespace: "prod", name: "web", resourceVersion: "7", ingress: [{ ip: "198.51.100.0" }], annotations: { "ironlb.io/ip-allocated-from-pool": "lan" } });
    expect(condition(first)).toMatchObject({ status: "True", reason: "Allocated", message: 'assigned 198.51.100.0 from pool "lan"' });
    expect(reasons(first)).toEqual(["IPAllocated"]);
    const written = svc({ ingress: [{ ip: "198.51.100.0" }], annotations: { "ironlb.io/ip-allocated-from-pool": "lan" }, conditions: first.write?.conditions as unknown[] });
    const again = decide(ctx, written);
    expect(again).toMatchObject({ verdict: "ok", write: null, events: [] });
  });

  test("hostname-only ingress entries are ignored; an unparsable IP clears the state", () => {
    const ctx = context();
    expect(decide(ctx, svc({ ingress: [{ hostname: "lb.example" }] })).write?.ingress).toEqual([{ ip: "198.51.100.0" }]);
    const garbage = decide(context(), svc({ ingress: [{ ip: "198.51.100.2" }, { ip: "not-an-ip" }] }));
    expect(garbage.write?.ingress).toEqual([{ ip: "198.51.100.0" }]);
  });

  test("an IPv6 address on an IPv4 Service is dropped (family changed), not re-claimed", () => {
    const d = decide(context(), svc({ ingress: [{ ip: "2001:db8::1" }] }));
    expect(d.write?.ingress).toEqual([{ ip: "198.51.100.0" }]);
    expect(reasons(d)).toEqual(["IPAllocated"]);
  });

  test("no config ever loaded: a Service holding IPs is not touched, a pending one says NoConfig", () => {
    const holding = decide(context(null), svc({ ingress: [{ ip: "203.0.113.9" }] }));
    expect(holding).toMatchObject({ verdict: "ok", write: null });
    const pending = decide(context(null), svc());
    expect(pending.write?.ingress).toBeUndefined();
    expect(condition(pending)).toMatchObject({ status: "False", reason: "NoConfig", message: expect.stringContaining("ConfigMap x/config not found") });
  });

  test("deletion frees the IPs and asks for a full pass; deleting an unknown Service does nothing", () => {
    const ctx = context();
    decide(ctx, svc());
    expect(ctx.allocator.ips("prod/web")).toHaveLength(1);
    expect(decide(ctx, undefined)).toMatchObject({ verdict: "reprocess-all", write: null });
    expect(ctx.allocator.ips("prod/web")).toHaveLength(0);
    expect(decide(ctx, undefined)).toMatchObject({ verdict: "ok", write: null });
  });

  test("turning into a ClusterIP Service clears ingress, annotation and condition, and asks for a full pass", () => {
    const ctx = context();
    const first = decide(ctx, svc());
    const written = svc({ ingress: [{ ip: "198.51.100.0" }], annotations: { "ironlb.io/ip-allocated-from-pool": "lan" }, conditions: first.write?.conditions as unknown[] });
    const d = decide(ctx, { ...written, spec: { ...written.spec, type: "ClusterIP" } });
    expect(d.verdict).toBe("reprocess-all");
    expect(d.write).toMatchObject({ ingress: [], annotations: { "ironlb.io/ip-allocated-from-pool": null }, conditions: [] });
  });

  test("another loadBalancerClass: status never touched, our condition removed, our IPs given back", () => {
    const ctx = context();
    const first = decide(ctx, svc());
    const theirs = svc({ ingress: [{ ip: "198.51.100.0" }], annotations: { "ironlb.io/ip-allocated-from-pool": "lan" }, conditions: first.write?.conditions as unknown[], spec: { loadBalancerClass: "example.com/other" } });
    const d = decide(ctx, theirs);
    expect(d.verdict).toBe("reprocess-all");
    expect(d.write?.ingress).toBeUndefined();
    expect(d.write).toMatchObject({ annotations: { "ironlb.io/ip-allocated-from-pool": null }, conditions: [] });
  });

  test("a sharing key on a new allocation changes the allocation key: full pass", () => {
    const d = decide(context(), svc({ annotations: { "ironlb.io/allow-shared-ip": "k" } }));
    expect(d.verdict).toBe("reprocess-all");
  });

  test("deprecated annotations are reported only when something is written", () => {
    const ctx = context();
    const first = decide(ctx, svc({ annotations: { "metallb.universe.tf/address-pool": "lan" } }));
    expect(reasons(first)).toEqual(["IPAllocated", "deprecatedAnnotation"]);
    const written = svc({ ingress: [{ ip: "198.51.100.0" }], annotations: { "metallb.universe.tf/address-pool": "lan", "ironlb.io/ip-allocated-from-pool": "lan" }, conditions: first.write?.conditions as unknown[] });
    expect(reasons(decide(ctx, written))).toEqual([]);
  });
});
