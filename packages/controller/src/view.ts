// A read-only picture of a cluster's allocations, for `ironlb status` and
// `ironlb explain`: the allocator rebuilt from the Services' current status
// exactly as the controller does on a restart (same pass order, same
// re-claim), with nothing allocated and nothing written.
//
// Deliberately not here: reading the cluster (the CLI lists the objects) and
// rendering.
import type { V1Service } from "@ironlb/kube";
import { Allocator, type ExplainReport } from "@ironlb/core/allocator";
import type { Labels, Pool } from "@ironlb/core/config";
import { formatIp, tryParseIp, type IpAddress } from "@ironlb/core/ip";
import { handlesClass, isLoadBalancer, POOL_ANNOTATION, requestedIps, requestedPool, toServiceRequest } from "@ironlb/core/service";
import { currentIngressTexts } from "./converge.ts";
import { CONDITION_TYPE } from "./reasons.ts";
import { reprocessOrder, serviceKeyOf } from "./reprocess.ts";

export interface ClusterSnapshot {
  /** The pools of the config in force; null when there is none. */
  readonly pools: readonly Pool[] | null;
  readonly services: readonly V1Service[];
  readonly namespaceLabels: (namespace: string) => Labels;
  /** --lb-class of the controller; null handles Services without a class. */
  readonly lbClass: string | null;
}

export interface ServiceState {
  readonly key: string;
  /** allocated: holds IPs the config allows; conflict: holds IPs the controller would take back; pending: holds none. */
  readonly state: "allocated" | "conflict" | "pending";
  readonly ips: readonly string[];
  readonly pool: string | null;
  /** Pending: the condition reason; conflict: the allocator's error code. */
  readonly reason: string | null;
  readonly message: string | null;
}

export interface ClusterView {
  readonly allocator: Allocator;
  /** LoadBalancer Services of our class, in pass order. */
  readonly services: readonly ServiceState[];
}

export function buildClusterView(snapshot: ClusterSnapshot): ClusterView {
  const allocator = new Allocator();
  allocator.setPools(snapshot.pools ?? []);
  const services: ServiceState[] = [];
  for (const svc of reprocessOrder(snapshot.services)) {
    if (!isLoadBalancer(svc) || !handlesClass(svc, snapshot.lbClass)) continue;
    const key = serviceKeyOf(svc);
    const held = currentIngressTexts(svc);
    if (held.length === 0) {
      const cond = svc.status?.conditions?.find((c) => c.type === CONDITION_TYPE && c.status === "False");
      services.push({ key, state: "pending", ips: [], pool: null, reason: cond?.reason ?? null, message: cond?.message ?? null });
      continue;
    }
    if (snapshot.pools === null) {
      // No config to judge against: report what the status says.
      services.push({ key, state: "allocated", ips: held, pool: svc.metadata?.annotations?.[POOL_ANNOTATION] ?? null, reason: null, message: null });
      continue;
    }
    const ips = held.map((t) => tryParseIp(t));
    const req = toServiceRequest(svc, snapshot.namespaceLabels(svc.metadata?.namespace ?? ""));
    if (ips.some((ip) => ip === undefined) || !req.ok) {
      const message = req.ok ? `unparsable ingress IP in ${held.join(", ")}` : req.error.message;
      services.push({ key, state: "conflict", ips: held, pool: null, reason: req.ok ? "INVALID_REQUEST" : req.error.code, message });
      continue;
    }
    const claimed = allocator.assign(req.value, ips as IpAddress[], { reclaim: true });
    if (claimed.ok) services.push({ key, state: "allocated", ips: claimed.value.ips.map(formatIp), pool: claimed.value.pool, reason: null, message: null });
    else services.push({ key, state: "conflict", ips: held, pool: null, reason: claimed.error.code, message: claimed.error.message });
  }
  return { allocator, services };
}

export type ExplainOutcome =
  | { readonly ok: true; readonly report: ExplainReport; readonly requestedIps: readonly string[]; readonly requestedPool: string | null }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** The allocator's dry run for one Service against the rebuilt view (MetalLB §2.2 order of preference). */
export function explainService(view: ClusterView, svc: V1Service, snapshot: ClusterSnapshot): ExplainOutcome {
  if (!isLoadBalancer(svc)) return { ok: false, code: "NOT_LOADBALANCER", message: `service ${serviceKeyOf(svc)} is of type ${svc.spec?.type ?? "ClusterIP"}, not LoadBalancer` };
  if (!handlesClass(svc, snapshot.lbClass)) {
    const cls = svc.spec?.loadBalancerClass ?? "";
    return { ok: false, code: "OTHER_CLASS", message: `service ${serviceKeyOf(svc)} has loadBalancerClass ${JSON.stringify(cls)}, which this controller does not handle` };
  }
  if (snapshot.pools === null) return { ok: false, code: "NO_CONFIG", message: "no configuration: the ConfigMap is missing or invalid" };
  const req = toServiceRequest(svc, snapshot.namespaceLabels(svc.metadata?.namespace ?? ""));
  if (!req.ok) return { ok: false, code: req.error.code, message: req.error.message };
  const ips = requestedIps(svc);
  if (!ips.ok) return { ok: false, code: ips.error.code, message: ips.error.message };
  const pool = requestedPool(svc);
  const report = view.allocator.explain(req.value, { ips: ips.value, pool: pool ?? undefined });
  return { ok: true, report, requestedIps: ips.value.map(formatIp), requestedPool: pool };
}
