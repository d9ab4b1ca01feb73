// One Service's reconcile, decided without I/O: MetalLB's SetBalancer and
// convergeBalancer (controller/main.go, controller/service.go; reference
// §2.1 steps 1-10 in that order, §2.2 for the choice of IPs, §2.6 for when
// everything must be re-run, §2.8 for loadBalancerClass).
//
// The allocator is the only state it changes (and the allocation-key map that
// mirrors it). What the object should say afterwards is compared with what it
// says now; the decision carries a write only when ingress IPs, the
// `ironlb.io/ip-allocated-from-pool` annotation or the `ironlb.io/Allocated`
// condition differ, so a converged Service costs no API request. Events and
// log lines are returned for the caller to emit.
//
// Beyond MetalLB: the condition (reason and message for `kubectl describe`),
// and two deliberate differences:
// - while no configuration has ever been loaded, Services that hold IPs are
//   left untouched (MetalLB does the same by not running at all) and pending
//   ones get the condition NoConfig;
// - `metallb.universe.tf/*` annotations are reported, never deleted: MetalLB
//   HEAD deletes them on write, which fights GitOps tools that put them back.
//
// Deliberately not here: the API write, retries (the verdict says what the
// queue should do), and the order in which Services are visited (reprocess.ts).
import type { V1Condition, V1Service } from "@ironlb/kube";
import type { Allocator, AllocResult, Assignment, ServiceRequest } from "@ironlb/core/allocator";
import type { Labels, Pool } from "@ironlb/core/config";
import { formatIp, prefixContains, tryParseIp, type IpAddress } from "@ironlb/core/ip";
import {
  handlesClass,
  isLoadBalancer,
  POOL_ANNOTATION,
  requestedIps,
  requestedPool,
  toServiceRequest,
} from "@ironlb/core/service";
import { removeCondition, setCondition, type ConditionInput, type LogFields, type ServiceStatusUpdate, type SyncState } from "@ironlb/kube";
import { CONDITION_TYPE, ConditionReason, EventReason, goQuote, goQuoteList, reasonFor } from "./reasons.ts";

export interface ConvergeContext {
  readonly allocator: Allocator;
  /** The pools in force; null while no configuration has ever been loaded. */
  readonly pools: readonly Pool[] | null;
  /** Why there is no configuration (the NoConfig condition message). */
  readonly noConfigReason: string;
  /** --lb-class; null or "" handles Services without spec.loadBalancerClass. */
  readonly lbClass: string | null;
  readonly namespaceLabels: (namespace: string) => Labels;
  /** Service key -> its allocation key (sharing key + backend key) while the allocator holds it. Updated here. */
  readonly allocationKeys: Map<string, string>;
  readonly now: () => Date;
}

export interface DecisionEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export interface DecisionLog {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly fields: LogFields;
}

export interface Decision {
  readonly key: string;
  /** What the queue should do next (the write, if any, may still turn it into "retry"). */
  readonly verdict: SyncState;
  /** The one status request to send, or null when the object already says what it should. */
  readonly write: ServiceStatusUpdate | null;
  readonly events: readonly DecisionEvent[];
  readonly logs: readonly DecisionLog[];
  /** The condition reason of a failed allocation (metrics), else null. */
  readonly failure: string | null;
}

/** What the object should say; "keep" leaves a part as it is. */
interface Draft {
  ingress: IpAddress[] | "keep";
  pool: string | null | "keep";
  condition: ConditionInput | null | "keep";
}

class Recorder {
  readonly events: DecisionEvent[] = [];
  readonly logs: DecisionLog[] = [];
  failure: string | null = null;
  constructor(readonly key: string) {}
  event(type: DecisionEvent["type"], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }
  log(level: DecisionLog["level"], msg: string, fields: LogFields = {}): void {
    this.logs.push({ level, msg, fields: { service: this.key, ...fields } });
  }
}

// MetalLB's annotation prefix before v0.14.9, still read as an alias (core/service).
const DEPRECATED_PREFIX = "metallb.universe.tf/";

/** Decides what one Service (undefined: deleted) should look like and updates the allocator accordingly. */
export function converge(key: string, svc: V1Service | undefined, ctx: ConvergeContext): Decision {
  const rec = new Recorder(key);
  const { allocator } = ctx;

  if (svc === undefined) {
    // Deleted: free its IPs; pending Services may now get them (§2.6).
    const held = allocator.assignment(key);
    if (held === undefined) return decision(rec, "ok", null);
    allocator.unassign(key);
    ctx.allocationKeys.delete(key);
    rec.log("info", "service deleted, IPs freed", { event: "serviceDeleted", pool: held.pool, ip: texts(held.ips) });
    return decision(rec, "reprocess-all", null);
  }

  if (!handlesClass(svc, ctx.lbClass)) {
    // Another load balancer's Service (§2.8): never touch its status; drop what is ours.
    const held = allocator.assignment(key);
    let verdict: SyncState = "ok";
    if (held !== undefined) {
      allocator.unassign(key);
      ctx.allocationKeys.delete(key);
      rec.log("info", "service belongs to another loadBalancerClass, IPs freed", { event: "clearAssignment", reason: "loadBalancerClass", pool: held.pool, ip: texts(held.ips) });
      verdict = "reprocess-all";
    }
    return decision(rec, verdict, diff(svc, { ingress: "keep", pool: hasPoolAnnotation(svc) ? null : "keep", condition: null }, ctx));
  }

  const prevIps = allocator.ips(key);
  const prevAllocKey = ctx.allocationKeys.get(key) ?? "";
  const draft: Draft = { ingress: "keep", pool: "keep", condition: "keep" };
  let verdict: SyncState;
  if (!isLoadBalancer(svc)) {
    // Step 1: not (or no longer) a LoadBalancer: clear what we manage, allocate nothing.
    clearState(key, draft, ctx);
    draft.condition = null;
    if (prevIps.length > 0) rec.log("info", "service is not a LoadBalancer, IPs freed", { event: "clearAssignment", reason: "notLoadBalancer", ip: texts(prevIps) });
    verdict = "ok";
  } else if (ctx.pools === null) {
    // No configuration ever loaded: nothing to judge addresses against. Keep what
    // Services hold (a restart must not strip IPs because the ConfigMap is late).
    if (currentIngressTexts(svc).length === 0) draft.condition = falseCondition(ConditionReason.NoConfig, ctx.noConfigReason);
    verdict = "ok";
  } else {
    verdict = convergeBalancer(key, svc, ctx, draft, rec);
  }

  const allocKey = ctx.allocationKeys.get(key) ?? "";
  if (allocKey !== prevAllocKey) {
    // Services sharing an IP with this one may now fit, or no longer fit (§2.1).
    rec.log("debug", "allocation key changed, reprocessing all services", { event: "allocationKeyChanged" });
    verdict = "reprocess-all";
  }
  if (prevIps.length > 0 && allocator.assignment(key) === undefined && ipsInPools(prevIps, ctx.pools)) {
    // It gave back IPs that are still usable: pending Services may take them (§2.6).
    rec.log("info", "IPs freed, reprocessing all services", { event: "serviceUpdated", ip: texts(prevIps) });
    verdict = "reprocess-all";
  }
  const write = diff(svc, draft, ctx);
  if (write !== null) {
    // MetalLB reports deprecated annotations only when it writes, so the event is not repeated on every resync.
    for (const k of Object.keys(svc.metadata?.annotations ?? {}).sort()) {
      if (k.startsWith(DEPRECATED_PREFIX)) rec.event("Warning", EventReason.DeprecatedAnnotation, `Service uses deprecated annotation ${k}`);
    }
  }
  return decision(rec, verdict, write);
}

/**
 * Steps 2-9 of §2.1 for a LoadBalancer Service of ours, with a config loaded.
 * A failure is "give-up" (MetalLB SyncStateErrorNoRetry): retried on the next reprocess-all.
 */
function convergeBalancer(key: string, svc: V1Service, ctx: ConvergeContext, draft: Draft, rec: Recorder): SyncState {
  const { allocator } = ctx;
  const fail = (reason: string, message: string): SyncState => {
    draft.condition = falseCondition(reason, message);
    rec.failure = reason;
    return "give-up";
  };

  // Step 2: no pools at all: every Service loses its IPs (MetalLB e2e "removes all pools").
  if (ctx.pools === null || ctx.pools.length === 0) {
    clearState(key, draft, ctx);
    rec.log("info", "no address pools configured", { event: "clearAssignment", reason: "noConfig" });
    return fail(ConditionReason.NoPool, "no address pools are configured");
  }
  // Step 3: the family comes from the clusterIPs (toServiceRequest fails with NO_CLUSTER_IP without them).
  const req = toServiceRequest(svc, ctx.namespaceLabels(svc.metadata?.namespace ?? ""));
  if (!req.ok) {
    clearState(key, draft, ctx);
    rec.log("info", "service has no usable clusterIPs", { event: "clearAssignment", reason: "noClusterIPs", error: req.error.message });
    return fail(reasonFor(req.error.code), req.error.message);
  }
  // Step 4: the IPs the Service holds now.
  const current = currentIngressTexts(svc);
  let lbIps: IpAddress[] = [];
  const parsed = current.map((t) => tryParseIp(t));
  const policy = req.value.ipFamilyPolicy;
  // Step 5: family policy.
  const clusterIps = svc.spec?.clusterIPs ?? [];
  if (policy === "RequireDualStack" && clusterIps.length < 2) {
    rec.event("Warning", EventReason.NotEnoughClusterIPs, `Service requires dual stack but not enough clusterips [${clusterIps.join(" ")}]`);
    rec.log("error", "service requires dual stack but has one clusterIP", { event: "clearAssignment", reason: "notEnoughClusterIPs" });
    clearState(key, draft, ctx);
    return fail(ConditionReason.NotEnoughClusterIPs, `service requires dual stack but has clusterIPs [${clusterIps.join(" ")}]`);
  }
  if (current.length === 0) clearState(key, draft, ctx);
  else if (parsed.some((p) => p === undefined) || familyChanged(parsed as IpAddress[], req.value)) {
    rec.log("info", "current IPs do not match the service's IP family", { event: "clearAssignment", reason: "familyChanged", ip: current });
    clearState(key, draft, ctx);
  } else lbIps = parsed as IpAddress[];

  // Step 6: re-claim what the Service holds; the config or the Service may have changed.
  if (lbIps.length > 0) {
    const claimed = allocator.assign(req.value, lbIps, { reclaim: true });
    if (!claimed.ok) {
      rec.event("Normal", EventReason.ClearAssignment, `current IP for ${goQuote(key)} not allowed by config, will attempt for new IP assignment: ${claimed.error.message}`);
      rec.log("info", "current IP not allowed by config, clearing", { event: "clearAssignment", ip: texts(lbIps), error: claimed.error.message, code: claimed.error.code });
      clearState(key, draft, ctx);
      lbIps = [];
    } else recordKey(key, req.value, ctx);
    const wantedPool = requestedPool(svc);
    if (lbIps.length > 0 && wantedPool !== null && allocator.pool(key) !== wantedPool) {
      rec.log("info", "another pool requested than the one the IPs come from", { event: "clearAssignment", reason: "differentPoolRequested", pool: wantedPool });
      clearState(key, draft, ctx);
      lbIps = [];
    }
    const requested = requestedIps(svc);
    if (!requested.ok) {
      const message = invalidRequestMessage(requested.error.message);
      rec.event("Warning", EventReason.LoadBalancerFailed, message);
      rec.log("error", "invalid requested loadbalancer IPs", { event: "loadbalancerIP", error: requested.error.message });
      return fail(ConditionReason.InvalidRequest, message);
    }
    if (requested.value.length > 0 && !sameIpSet(lbIps, requested.value)) {
      rec.log("info", "another IP requested than the one assigned", { event: "clearAssignment", reason: "differentIPRequested", ip: texts(requested.value) });
      clearState(key, draft, ctx);
      lbIps = [];
    }
  }

  // Step 7: PreferDualStack holding one family: try the other one from the same pool.
  if (lbIps.length === 1 && policy === "PreferDualStack" && req.value.family === "dual") {
    const added = allocator.allocateAdditionalFamily(req.value);
    if (!added.ok) {
      rec.event("Normal", EventReason.AdditionalAssignFailed, `cannot assign additional IP in PreferDualStack: ${added.error.message}`);
    } else {
      const extra = added.value.ips.find((ip) => formatIp(ip) !== formatIp(lbIps[0] as IpAddress));
      if (extra !== undefined) {
        lbIps = [...lbIps, extra];
        rec.event("Normal", EventReason.IPAllocated, `Assigned additional IP ${goQuote(formatIp(extra))}`);
        rec.log("info", "additional IP assigned", { event: "ipAllocated", pool: added.value.pool, ip: formatIp(extra) });
      }
      recordKey(key, req.value, ctx);
    }
  }

  // Step 8: still nothing: allocate (§2.2). A failure is not retried by itself:
  // the next reprocess-all (a deletion, a config change) tries again.
  if (lbIps.length === 0) {
    const got = allocateIps(svc, req.value, allocator);
    if (!got.ok) {
      const reason = reasonFor(got.error.code);
      rec.event("Warning", EventReason.AllocationFailed, `Failed to allocate IP for ${goQuote(key)}: ${got.error.message}`);
      rec.log("error", "IP allocation failed", { op: "allocateIPs", reason, error: got.error.message, code: got.error.code, ...(got.error.pool !== undefined ? { pool: got.error.pool } : {}) });
      return fail(reason, got.error.message);
    }
    lbIps = [...got.value.ips];
    recordKey(key, req.value, ctx);
    const assigned = texts(lbIps);
    rec.event("Normal", EventReason.IPAllocated, `Assigned IP ${goQuoteList(assigned)}`);
    rec.log("info", "IP address assigned", { event: "ipAllocated", pool: got.value.pool, ip: assigned });
  }

  const pool = allocator.pool(key);
  if (pool === undefined) {
    rec.event("Warning", EventReason.InternalError, "allocated an IP that has no pool");
    rec.log("error", "internal error: allocated IP has no matching address pool", { bug: true, ip: texts(lbIps) });
    clearState(key, draft, ctx);
    return fail(ConditionReason.InternalError, "allocated an IP that has no pool");
  }
  // Step 9: what the object should say.
  draft.ingress = lbIps;
  draft.pool = pool;
  draft.condition = {
    type: CONDITION_TYPE,
    status: "True",
    reason: ConditionReason.Allocated,
    message: `assigned ${texts(lbIps).join(", ")} from pool ${goQuote(pool)}`,
  };
  return "ok";
}

/** §2.2: requested IPs, else a requested pool, else automatic. */
function allocateIps(svc: V1Service, req: ServiceRequest, allocator: Allocator): AllocResult<Assignment> {
  const requested = requestedIps(svc);
  if (!requested.ok) return { ok: false, error: { code: "INVALID_REQUEST", message: requested.error.message } };
  const pool = requestedPool(svc);
  if (requested.value.length > 0) return allocator.assign(req, requested.value, { pool: pool ?? undefined });
  if (pool !== null) return allocator.allocateFromPool(req, pool);
  return allocator.allocate(req);
}

/** MetalLB clearServiceState: unassign, drop the pool annotation, clear status.loadBalancer. */
function clearState(key: string, draft: Draft, ctx: ConvergeContext): void {
  ctx.allocator.unassign(key);
  ctx.allocationKeys.delete(key);
  draft.ingress = [];
  draft.pool = null;
}

/** MetalLB's allocation key: sharing key and backend key; "" for a Service that shares nothing, as for one not allocated. */
function recordKey(key: string, req: ServiceRequest, ctx: ConvergeContext): void {
  const sharing = req.sharingKey ?? "";
  ctx.allocationKeys.set(key, sharing === "" && req.backendKey === "" ? "" : `${sharing}\u0000${req.backendKey}`);
}

/** MetalLB serviceFamilyChanged: the IPs held no longer fit the clusterIP family (PreferDualStack may hold one of two). */
function familyChanged(ips: readonly IpAddress[], req: ServiceRequest): boolean {
  if (ips.length > 2) return true;
  if (ips.length === 2 && ips[0]?.family === ips[1]?.family) return true;
  const held = ips.length === 2 ? "dual" : (ips[0] as IpAddress).family;
  if (held === req.family) return false;
  return !(req.family === "dual" && req.ipFamilyPolicy === "PreferDualStack");
}

function sameIpSet(a: readonly IpAddress[], b: readonly IpAddress[]): boolean {
  const as = texts(a).sort();
  const bs = texts(b).sort();
  return as.length === bs.length && as.every((t, i) => t === bs[i]);
}

function ipsInPools(ips: readonly IpAddress[], pools: readonly Pool[] | null): boolean {
  return pools !== null && ips.some((ip) => pools.some((p) => p.cidrs.some((c) => prefixContains(c, ip))));
}

function invalidRequestMessage(message: string): string {
  return message.startsWith("invalid requested loadbalancer IPs") ? message : `invalid requested loadbalancer IPs: ${message}`;
}

function falseCondition(reason: string, message: string): ConditionInput {
  return { type: CONDITION_TYPE, status: "False", reason, message };
}

function texts(ips: readonly IpAddress[]): string[] {
  return ips.map(formatIp);
}

/** The `ip` of every ingress entry that has one (hostname-only entries are not ours, §2.1 step 4). */
export function currentIngressTexts(svc: V1Service): string[] {
  const out: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip !== undefined && ing.ip !== "") out.push(ing.ip);
  return out;
}

function hasPoolAnnotation(svc: V1Service): boolean {
  return svc.metadata?.annotations?.[POOL_ANNOTATION] !== undefined;
}

/** The request that makes `svc` say what `draft` says, or null when it already does. */
function diff(svc: V1Service, draft: Draft, ctx: ConvergeContext): ServiceStatusUpdate | null {
  let ingress: { ip: string }[] | undefined;
  if (draft.ingress !== "keep") {
    const want = texts(draft.ingress);
    const have = svc.status?.loadBalancer?.ingress ?? [];
    const same = have.length === want.length && have.every((h, i) => h.ip === want[i] && (h.hostname === undefined || h.hostname === ""));
    if (!same) ingress = want.map((ip) => ({ ip }));
  }
  let annotations: Record<string, string | null> | undefined;
  if (draft.pool !== "keep") {
    const have = svc.metadata?.annotations?.[POOL_ANNOTATION];
    if ((have ?? null) !== draft.pool) annotations = { [POOL_ANNOTATION]: draft.pool };
  }
  let conditions: V1Condition[] | undefined;
  if (draft.condition !== "keep") {
    const existing = svc.status?.conditions;
    const next = draft.condition === null ? removeCondition(existing, CONDITION_TYPE) : setCondition(existing, draft.condition, ctx.now());
    if (next.changed) conditions = next.conditions;
  }
  if (ingress === undefined && annotations === undefined && conditions === undefined) return null;
  return {
    namespace: svc.metadata?.namespace ?? "",
    name: svc.metadata?.name ?? "",
    resourceVersion: svc.metadata?.resourceVersion ?? "",
    ...(annotations !== undefined ? { annotations } : {}),
    ...(ingress !== undefined ? { ingress } : {}),
    ...(conditions !== undefined ? { conditions } : {}),
  };
}

function decision(rec: Recorder, verdict: SyncState, write: ServiceStatusUpdate | null): Decision {
  return { key: rec.key, verdict, write, events: rec.events, logs: rec.logs, failure: rec.failure };
}
