// The Service strategy: defaulting (service-defaults.ts), validation
// (service-validation.ts), then IP family resolution and allocation of
// cluster IPs, node ports and the health-check node port, the way the
// apiserver's service REST storage does (pkg/registry/core/service/storage):
// SingleStack takes the cluster's primary family unless ipFamilies says
// otherwise, PreferDualStack and RequireDualStack take both, headless
// Services keep `None`, a type change releases what the new type does not
// need, deletion releases everything.
import {
  fieldInvalid,
  internalError,
  type FieldError,
} from "./errors.ts";
import { parseIp, type AllocationTx, type Family } from "./ip-alloc.ts";
import { deepEqual, isObject, type JsonObject, type KubeObject } from "./object.ts";
import {
  defaultService,
  dropTypeDependentFields,
  isHeadless,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePort,
  normalizeClusterIPs,
  patchAllocatedValues,
  portsOf,
  specOf,
  str,
  typeOf,
} from "./service-defaults.ts";
import { validateServiceSpec, validateServiceStatus } from "./service-validation.ts";
import type { AdmissionContext, Strategy } from "./strategy.ts";

const OTHER: Record<Family, Family> = { IPv4: "IPv6", IPv6: "IPv4" };

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Fills ipFamilyPolicy and ipFamilies (initIPFamilyFields); returns problems. */
function resolveFamilies(spec: JsonObject, ctx: AdmissionContext): FieldError[] {
  const errs: FieldError[] = [];
  const pool = ctx.allocators;
  const ips = stringList(spec["clusterIPs"]).filter((ip) => ip !== "None");
  const families = stringList(spec["ipFamilies"]) as Family[];
  let policy = str(spec["ipFamilyPolicy"]);
  if (policy === "") {
    if (isHeadless(spec) && !isObject(spec["selector"])) policy = pool.dualStack ? "RequireDualStack" : "SingleStack";
    else policy = families.length === 2 || ips.length === 2 ? "RequireDualStack" : "SingleStack";
  }
  // The families of requested IPs come first, in order.
  ips.forEach((ip, i) => {
    const fam = parseIp(ip)?.family;
    if (!fam) return;
    if (families[i] === undefined) families[i] = fam;
    else if (families[i] !== fam) errs.push(fieldInvalid(`spec.ipFamilies[${i}]`, families[i], `does not match IP family of \`clusterIPs[${i}]\``));
  });
  if (families.length === 0) families.push(pool.primaryFamily);
  if (policy !== "SingleStack" && families.length === 1 && pool.dualStack) families.push(OTHER[families[0] as Family]);
  families.forEach((f, i) => {
    if (!pool.ipFor(f)) errs.push(fieldInvalid(`spec.ipFamilies[${i}]`, f, "not configured on this cluster"));
  });
  spec["ipFamilyPolicy"] = policy;
  spec["ipFamilies"] = families;
  return errs;
}

function allocationError(field: string, value: unknown, what: "IP" | "port", v: string | number, error: string, range: string): FieldError {
  const base = what === "IP" ? `failed to allocate IP ${v}: ` : "";
  if (error === "in-use") return fieldInvalid(field, value, `${base}provided ${what} is already allocated`);
  if (what === "IP") return fieldInvalid(field, value, `${base}provided IP is not in the valid range. The range of valid IPs is ${range}`);
  return fieldInvalid(field, value, `provided port is not in the valid range. The range of valid ports is ${range}`);
}

function allocateClusterIPs(spec: JsonObject, oldSpec: JsonObject | undefined, tx: AllocationTx): FieldError[] {
  if (!needsClusterIP(spec)) return [];
  if (isHeadless(spec)) {
    spec["clusterIPs"] = ["None"];
    return [];
  }
  const errs: FieldError[] = [];
  const families = stringList(spec["ipFamilies"]) as Family[];
  const requested = stringList(spec["clusterIPs"]);
  const held = new Set(oldSpec && needsClusterIP(oldSpec) ? stringList(oldSpec["clusterIPs"]) : []);
  const out: string[] = [];
  families.forEach((fam, i) => {
    const want = requested[i];
    if (want !== undefined && held.has(want)) return void out.push(want);
    const r = tx.ip(fam, want);
    if (r.ip !== undefined) return void out.push(r.ip);
    if (r.error === "full") throw internalError("failed to allocate a serviceIP: range is full");
    const cidr = tx.pool.ipFor(fam)?.cidr.text ?? "";
    errs.push(allocationError("spec.clusterIPs", requested, "IP", want ?? "", r.error ?? "", cidr));
  });
  spec["clusterIPs"] = out;
  if (out[0] !== undefined) spec["clusterIP"] = out[0];
  return errs;
}

function allocateNodePorts(spec: JsonObject, oldSpec: JsonObject | undefined, tx: AllocationTx): FieldError[] {
  const errs: FieldError[] = [];
  const held = new Set<number>();
  if (oldSpec && needsNodePort(oldSpec)) for (const p of portsOf(oldSpec)) if (typeof p["nodePort"] === "number") held.add(p["nodePort"]);
  if (needsNodePort(spec)) {
    const allocateNew = typeOf(spec) === "NodePort" || spec["allocateLoadBalancerNodePorts"] !== false;
    // Ports with the same number (different protocols) share one node port.
    const byPort = new Map<number, number>();
    // Node ports this Service already holds, or took earlier in this loop.
    const claimed = new Set(held);
    portsOf(spec).forEach((p, i) => {
      const np = typeof p["nodePort"] === "number" && p["nodePort"] !== 0 ? p["nodePort"] : undefined;
      const port = p["port"] as number;
      if (np !== undefined) {
        if (!byPort.has(port)) byPort.set(port, np);
        if (claimed.has(np)) return;
        const r = tx.port(np);
        if (r.error !== undefined) errs.push(allocationError(`spec.ports[${i}].nodePort`, np, "port", np, r.error, tx.pool.nodePorts.rangeText));
        else claimed.add(np);
        return;
      }
      if (!allocateNew) return;
      const shared = byPort.get(port);
      if (shared !== undefined) return void (p["nodePort"] = shared);
      const r = tx.port(undefined);
      if (r.port === undefined) throw internalError("failed to allocate a nodePort: range is full");
      p["nodePort"] = r.port;
      byPort.set(port, r.port);
      claimed.add(r.port);
    });
  }
  if (needsHealthCheckNodePort(spec)) {
    const hc = typeof spec["healthCheckNodePort"] === "number" && spec["healthCheckNodePort"] !== 0 ? spec["healthCheckNodePort"] : undefined;
    const oldHc = oldSpec?.["healthCheckNodePort"];
    if (hc === undefined || hc !== oldHc) {
      const r = tx.port(hc);
      if (r.error === "full") throw internalError("failed to allocate a nodePort: range is full");
      if (r.error !== undefined) errs.push(allocationError("spec.healthCheckNodePort", hc, "port", hc ?? 0, r.error, tx.pool.nodePorts.rangeText));
      else spec["healthCheckNodePort"] = r.port as number;
    }
  }
  return errs;
}

/**
 * Dual-stack to single-stack: setting ipFamilyPolicy SingleStack keeps the
 * first cluster IP and family and releases the second (the documented
 * apiserver behaviour), when the client left both lists as they were.
 */
function downgradeToSingleStack(spec: JsonObject, oldSpec: JsonObject): void {
  if (spec["ipFamilyPolicy"] !== "SingleStack" || oldSpec["ipFamilyPolicy"] === "SingleStack") return;
  const ips = stringList(spec["clusterIPs"]);
  const families = stringList(spec["ipFamilies"]);
  if (ips.length === 2 && deepEqual(ips, oldSpec["clusterIPs"]) && families.length === 2 && deepEqual(families, oldSpec["ipFamilies"])) {
    spec["clusterIPs"] = ips.slice(0, 1);
    spec["ipFamilies"] = families.slice(0, 1);
  }
}

/** Everything a Service holds in the allocators. */
function heldBy(spec: JsonObject): { ips: string[]; ports: number[] } {
  const ips = needsClusterIP(spec) ? stringList(spec["clusterIPs"]).filter((ip) => ip !== "None") : [];
  const ports: number[] = [];
  for (const p of portsOf(spec)) if (typeof p["nodePort"] === "number" && p["nodePort"] !== 0) ports.push(p["nodePort"]);
  if (typeof spec["healthCheckNodePort"] === "number" && spec["healthCheckNodePort"] !== 0) ports.push(spec["healthCheckNodePort"]);
  return { ips, ports: [...new Set(ports)] };
}

function admit(svc: KubeObject, old: KubeObject | undefined, ctx: AdmissionContext): FieldError[] {
  const spec = specOf(svc);
  const isLB = typeOf(spec) === "LoadBalancer";
  if (ctx.subresource === "status") return validateServiceStatus(svc["status"], isLB);
  const oldSpec = old ? specOf(old) : undefined;
  if (oldSpec) {
    patchAllocatedValues(spec, oldSpec);
    dropTypeDependentFields(spec, oldSpec);
  }
  normalizeClusterIPs(spec, oldSpec);
  if (oldSpec) downgradeToSingleStack(spec, oldSpec);
  if (!needsClusterIP(spec)) {
    delete spec["ipFamilies"];
    delete spec["ipFamilyPolicy"];
  }
  const errs = validateServiceSpec(spec, oldSpec, ctx.allocators.dualStack);
  errs.push(...validateServiceStatus(svc["status"], isLB));
  if (errs.length > 0) return errs;
  if (needsClusterIP(spec)) errs.push(...resolveFamilies(spec, ctx));
  if (errs.length > 0) return errs;
  const tx = ctx.allocators.begin();
  try {
    errs.push(...allocateClusterIPs(spec, oldSpec, tx));
    errs.push(...allocateNodePorts(spec, oldSpec, tx));
  } catch (e) {
    tx.rollback();
    throw e;
  }
  if (errs.length > 0 || ctx.dryRun) {
    tx.rollback();
    return errs;
  }
  if (oldSpec) {
    const now = heldBy(spec);
    const before = heldBy(oldSpec);
    for (const ip of before.ips) if (!now.ips.includes(ip)) tx.releaseIp(ip);
    for (const p of before.ports) if (!now.ports.includes(p)) tx.releasePort(p);
  }
  tx.commit();
  return [];
}

export const serviceStrategy: Strategy = {
  statusOnCreate: "reset",
  create(svc, ctx) {
    svc["status"] = { loadBalancer: {} };
    defaultService(svc);
    return admit(svc, undefined, ctx);
  },
  update(svc, old, ctx) {
    defaultService(svc);
    return admit(svc, old, ctx);
  },
  deleted(svc, ctx) {
    const tx = ctx.allocators.begin();
    const held = heldBy(specOf(svc));
    for (const ip of held.ips) tx.releaseIp(ip);
    for (const p of held.ports) tx.releasePort(p);
    tx.commit();
  },
};
