// buildClusterView and explainService on hand-made Services: the allocator is
// rebuilt from statuses in pass order, Services holding IPs the config no
// longer allows are conflicts, pending ones carry their condition's reason.
import { expect, test } from "vitest";
import { parseConfig } from "@ironlb/core/config";
import type { V1Service } from "@ironlb/kube";
import { buildClusterView, explainService, type ClusterSnapshot } from "./view.ts";

const parsed = parseConfig("address-pools:\n- name: lan\n  protocol: layer2\n  addresses: [198.51.100.0/31]\n");
if (!parsed.ok) throw new Error("config");
const pools = parsed.config.pools;

const svc = (name: string, ip?: string, extra: Partial<V1Service> = {}): V1Service => ({
  metadata: { namespace: "default", name },
  spec: { type: "LoadBalancer", clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1"], ports: [{ port: 80 }] },
  status: {
    loadBalancer: ip === undefined ? {} : { ingress: [{ ip }] },
    ...(ip === undefined ? { conditions: [{ type: "ironlb.io/Allocated", status: "False", reason: "PoolExhausted", message: "full", lastTransitionTime: new Date(0) }] } : {}),
  },
  ...extra,
});

const snapshot = (services: V1Service[], p = pools): ClusterSnapshot => ({ pools: p, services, namespaceLabels: () => ({}), lbClass: null });

test("holders, conflicts (an IP held twice, an IP outside the pools) and pending Services", () => {
  const services = [svc("a", "198.51.100.0"), svc("dup", "198.51.100.0"), svc("out", "203.0.113.9"), svc("b", "198.51.100.1"), svc("wait"), svc("cip", undefined, { spec: { type: "ClusterIP" } })];
  const view = buildClusterView(snapshot(services));
  expect(view.services.map((s) => [s.key, s.state, s.reason])).toEqual([
    ["default/a", "allocated", null],
    ["default/b", "allocated", null],
    ["default/dup", "conflict", "SHARING_CONFLICT"],
    ["default/out", "conflict", "IP_NOT_IN_POOL"],
    ["default/wait", "pending", "PoolExhausted"],
  ]);
  expect(view.allocator.counters("lan")?.ipv4.inUse).toBe(2n);
  const explained = explainService(view, svc("wait"), snapshot(services));
  expect(explained).toMatchObject({ ok: true, report: { mode: "automatic", outcome: { ok: false, error: { code: "POOL_EXHAUSTED" } } } });
});

test("without a config, holders are shown as their status says and explain refuses", () => {
  const s: ClusterSnapshot = { ...snapshot([svc("a", "198.51.100.0", { metadata: { namespace: "default", name: "a", annotations: { "ironlb.io/ip-allocated-from-pool": "lan" } } })]), pools: null };
  const view = buildClusterView(s);
  expect(view.services).toEqual([{ key: "default/a", state: "allocated", ips: ["198.51.100.0"], pool: "lan", reason: null, message: null }]);
  expect(explainService(view, svc("x"), s)).toMatchObject({ ok: false, code: "NO_CONFIG" });
});
