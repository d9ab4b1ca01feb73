// Service defaulting as the apiserver does it before validation:
// SetDefaults_Service (type, session affinity, port protocol and targetPort,
// traffic policies, allocateLoadBalancerNodePorts, ingress ipMode), and on
// update patchAllocatedValues (an update that omits allocated values keeps
// them) and dropTypeDependentFields (a type change drops what only the old
// type needed, unless the client changed it too).
//
// Not here: IP family resolution and allocation (service.ts), validation
// (service-validation.ts).
import { deepEqual, isObject, type JsonObject, type JsonValue, type KubeObject } from "./object.ts";

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

export function specOf(svc: KubeObject): JsonObject {
  const spec = svc["spec"];
  if (isObject(spec)) return spec;
  const fresh: JsonObject = {};
  svc["spec"] = fresh;
  return fresh;
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function portsOf(spec: JsonObject): JsonObject[] {
  const p = spec["ports"];
  return Array.isArray(p) ? (p.filter(isObject) as JsonObject[]) : [];
}

export function typeOf(spec: JsonObject): string {
  return str(spec["type"]) || "ClusterIP";
}

export const needsClusterIP = (spec: JsonObject): boolean => typeOf(spec) !== "ExternalName";
export const needsNodePort = (spec: JsonObject): boolean => typeOf(spec) === "NodePort" || typeOf(spec) === "LoadBalancer";
export const needsHealthCheckNodePort = (spec: JsonObject): boolean =>
  typeOf(spec) === "LoadBalancer" && str(spec["externalTrafficPolicy"]) === "Local";
/** ExternallyAccessible in the apiserver: what may carry an externalTrafficPolicy. */
export const externallyAccessible = (spec: JsonObject): boolean =>
  needsNodePort(spec) || (typeOf(spec) === "ClusterIP" && Array.isArray(spec["externalIPs"]) && spec["externalIPs"].length > 0);

export function isHeadless(spec: JsonObject): boolean {
  return str(spec["clusterIP"]) === "None";
}

/** SetDefaults_Service. Runs on every decode: create, update, patch results, status writes. */
export function defaultService(svc: KubeObject): void {
  const spec = specOf(svc);
  if (str(spec["type"]) === "") spec["type"] = "ClusterIP";
  if (str(spec["sessionAffinity"]) === "") spec["sessionAffinity"] = "None";
  if (spec["sessionAffinity"] === "ClientIP") {
    const cfg = isObject(spec["sessionAffinityConfig"]) ? spec["sessionAffinityConfig"] : (spec["sessionAffinityConfig"] = {});
    const clientIP = isObject(cfg["clientIP"]) ? cfg["clientIP"] : (cfg["clientIP"] = {});
    if (typeof clientIP["timeoutSeconds"] !== "number") clientIP["timeoutSeconds"] = 10800;
  }
  for (const p of portsOf(spec)) {
    if (str(p["protocol"]) === "") p["protocol"] = "TCP";
    const tp = p["targetPort"];
    if (tp === undefined || tp === 0 || tp === "") p["targetPort"] = p["port"] as JsonValue;
  }
  const type = typeOf(spec);
  if ((type === "NodePort" || type === "LoadBalancer") && str(spec["externalTrafficPolicy"]) === "") spec["externalTrafficPolicy"] = "Cluster";
  if (type !== "ExternalName" && str(spec["internalTrafficPolicy"]) === "") spec["internalTrafficPolicy"] = "Cluster";
  if (type === "LoadBalancer" && spec["allocateLoadBalancerNodePorts"] === undefined) spec["allocateLoadBalancerNodePorts"] = true;
  // LoadBalancerIPMode (GA in 1.32): an ingress IP of a LoadBalancer defaults to ipMode VIP.
  const status = svc["status"];
  if (type === "LoadBalancer" && isObject(status) && isObject(status["loadBalancer"])) {
    const ingress = status["loadBalancer"]["ingress"];
    if (Array.isArray(ingress)) {
      for (const ing of ingress) if (isObject(ing) && str(ing["ip"]) !== "" && ing["ipMode"] === undefined) ing["ipMode"] = "VIP";
    }
  }
  if (!isObject(svc["status"])) svc["status"] = { loadBalancer: {} };
}

/** NormalizeClusterIPs: keep the singular and plural cluster IP fields consistent. */
export function normalizeClusterIPs(spec: JsonObject, oldSpec: JsonObject | undefined): void {
  const ip = str(spec["clusterIP"]);
  const ips = Array.isArray(spec["clusterIPs"]) ? spec["clusterIPs"] : [];
  if (oldSpec === undefined) {
    if (ip !== "" && ips.length === 0) spec["clusterIPs"] = [ip];
    else if (ip === "" && typeof ips[0] === "string") spec["clusterIP"] = ips[0];
    return;
  }
  const sameIPs = deepEqual(spec["clusterIPs"] ?? [], oldSpec["clusterIPs"] ?? []);
  if (ip !== "" && sameIPs && ip !== str(oldSpec["clusterIP"])) spec["clusterIPs"] = [ip];
  if (ip === "" && sameIPs) delete spec["clusterIPs"];
}

/** An update that omits allocated values keeps them (patchAllocatedValues). */
export function patchAllocatedValues(spec: JsonObject, oldSpec: JsonObject): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (str(spec["clusterIP"]) === "" && str(oldSpec["clusterIP"]) !== "") spec["clusterIP"] = oldSpec["clusterIP"] as JsonValue;
    const ips = spec["clusterIPs"];
    if ((!Array.isArray(ips) || ips.length === 0) && Array.isArray(oldSpec["clusterIPs"])) spec["clusterIPs"] = [...oldSpec["clusterIPs"]];
    if (spec["ipFamilies"] === undefined && Array.isArray(oldSpec["ipFamilies"]) && str(spec["clusterIP"]) === str(oldSpec["clusterIP"])) {
      spec["ipFamilies"] = [...oldSpec["ipFamilies"]];
    }
    if (spec["ipFamilyPolicy"] === undefined && oldSpec["ipFamilyPolicy"] !== undefined) spec["ipFamilyPolicy"] = oldSpec["ipFamilyPolicy"] as JsonValue;
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const used = (s: JsonObject): Set<number> => new Set(portsOf(s).map((p) => p["nodePort"]).filter((n): n is number => typeof n === "number" && n !== 0));
    const newUsed = used(spec);
    const both = new Set([...used(oldSpec)].filter((n) => newUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of portsOf(oldSpec)) if (typeof p["nodePort"] === "number") byName.set(str(p["name"]), p["nodePort"]);
    for (const p of portsOf(spec)) {
      if (typeof p["nodePort"] === "number" && p["nodePort"] !== 0) continue;
      const old = byName.get(str(p["name"]));
      if (old !== undefined && !both.has(old)) p["nodePort"] = old;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec) && !spec["healthCheckNodePort"] && oldSpec["healthCheckNodePort"]) {
    spec["healthCheckNodePort"] = oldSpec["healthCheckNodePort"] as JsonValue;
  }
}

/** A type change drops the fields only the old type needed, unless the client changed them too. */
export function dropTypeDependentFields(spec: JsonObject, oldSpec: JsonObject): void {
  const same = (k: string): boolean => deepEqual(spec[k], oldSpec[k]);
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (same("clusterIP") && same("clusterIPs")) {
      delete spec["clusterIP"];
      delete spec["clusterIPs"];
    }
    if (same("ipFamilies")) delete spec["ipFamilies"];
    if (same("ipFamilyPolicy")) delete spec["ipFamilyPolicy"];
  }
  if (needsNodePort(oldSpec) && !needsNodePort(spec)) {
    const sameNodePorts = deepEqual(
      portsOf(spec).map((p) => p["nodePort"] ?? 0),
      portsOf(oldSpec).map((p) => p["nodePort"] ?? 0),
    );
    if (sameNodePorts) for (const p of portsOf(spec)) delete p["nodePort"];
  }
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec) && same("healthCheckNodePort")) delete spec["healthCheckNodePort"];
  const wasLB = typeOf(oldSpec) === "LoadBalancer";
  const isLB = typeOf(spec) === "LoadBalancer";
  if (wasLB && !isLB) {
    if (same("allocateLoadBalancerNodePorts")) delete spec["allocateLoadBalancerNodePorts"];
    if (same("loadBalancerClass")) delete spec["loadBalancerClass"];
  }
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && same("externalTrafficPolicy")) delete spec["externalTrafficPolicy"];
}
