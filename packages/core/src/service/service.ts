// From a Kubernetes Service object to what the allocator and the speaker
// need: the allocation request (MetalLB's k8salloc + controller/service.go),
// the requested IPs and pool, and the IPs currently in status.
//
// `ServiceObject` is structural: any object with these fields (client-node's
// V1Service included) fits, so core needs no Kubernetes client. Pure.
import { formatIp, tryParseIp, type IpAddress, type IpFamily } from "../ip/index.ts";
import type { Labels } from "../config/index.ts";
import type { IpFamilyPolicy, PortProtocol, ServiceFamily, ServicePort, ServiceRequest } from "../allocator/index.ts";
import { AnnotationName, readAnnotation } from "./annotations.ts";

export interface ServiceObject {
  readonly metadata?: {
    readonly name?: string | undefined;
    readonly namespace?: string | undefined;
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly annotations?: Readonly<Record<string, string>> | undefined;
  } | undefined;
  readonly spec?: {
    readonly type?: string | undefined;
    readonly clusterIP?: string | undefined;
    readonly clusterIPs?: readonly string[] | undefined;
    readonly ipFamilies?: readonly string[] | undefined;
    readonly ipFamilyPolicy?: string | undefined;
    readonly ports?: readonly { readonly protocol?: string | undefined; readonly port: number }[] | undefined;
    readonly selector?: Readonly<Record<string, string>> | undefined;
    readonly externalTrafficPolicy?: string | undefined;
    readonly loadBalancerIP?: string | undefined;
    readonly loadBalancerClass?: string | undefined;
  } | undefined;
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string | undefined; readonly hostname?: string | undefined }[] | undefined } | undefined;
  } | undefined;
}

export type ServiceInputErrorCode = "NO_CLUSTER_IP" | "INVALID_REQUEST" | "FAMILY_MISMATCH";

export interface ServiceInputError {
  readonly code: ServiceInputErrorCode;
  readonly message: string;
}

export type ServiceInput<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ServiceInputError };

const ok = <T>(value: T): ServiceInput<T> => ({ ok: true, value });
const fail = <T>(code: ServiceInputErrorCode, message: string): ServiceInput<T> => ({ ok: false, error: { code, message } });

export function serviceKey(svc: ServiceObject): string {
  return `${svc.metadata?.namespace ?? ""}/${svc.metadata?.name ?? ""}`;
}

export function isLoadBalancer(svc: ServiceObject): boolean {
  return svc.spec?.type === "LoadBalancer";
}

/**
 * MetalLB's loadBalancerClass rule (§2.8): with no class configured, only
 * Services without `spec.loadBalancerClass`; with one, only that class.
 */
export function handlesClass(svc: ServiceObject, lbClass: string | null): boolean {
  const cls = svc.spec?.loadBalancerClass;
  return lbClass === null || lbClass === "" ? cls === undefined || cls === "" : cls === lbClass;
}

/** The family of the clusterIPs (not `ipFamilies`, §2.1 step 3); error when there are none. */
export function clusterIpFamily(svc: ServiceObject): ServiceInput<ServiceFamily> {
  const raw = svc.spec?.clusterIPs !== undefined && svc.spec.clusterIPs.length > 0 ? svc.spec.clusterIPs : svc.spec?.clusterIP !== undefined && svc.spec.clusterIP !== "" ? [svc.spec.clusterIP] : [];
  const families = new Set<IpFamily>();
  for (const text of raw) {
    const a = tryParseIp(text);
    if (a !== undefined) families.add(a.family);
  }
  if (families.size === 0) return fail("NO_CLUSTER_IP", `service "${serviceKey(svc)}" has no clusterIPs`);
  if (families.size === 2) return ok("dual");
  return ok([...families][0] as IpFamily);
}

/** `labels.Set(selector).String()` in client-go: keys sorted, "k=v" joined by ",". */
export function selectorString(selector: Readonly<Record<string, string>> | undefined): string {
  if (selector === undefined) return "";
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(",");
}

export function sharingKey(svc: ServiceObject): string | null {
  const v = readAnnotation(svc.metadata?.annotations, AnnotationName.AllowSharedIp);
  return v === undefined || v.value === "" ? null : v.value;
}

export function toServiceRequest(svc: ServiceObject, namespaceLabels: Labels): ServiceInput<ServiceRequest> {
  const family = clusterIpFamily(svc);
  if (!family.ok) return family;
  const policy = (svc.spec?.ipFamilyPolicy ?? "SingleStack") as IpFamilyPolicy;
  const primaryFamily: IpFamily = svc.spec?.ipFamilies?.[0] === "IPv6" ? "ipv6" : family.value === "ipv6" ? "ipv6" : "ipv4";
  const ports: ServicePort[] = (svc.spec?.ports ?? []).map((p) => ({ protocol: (p.protocol ?? "TCP") as PortProtocol, port: p.port }));
  return ok({
    key: serviceKey(svc),
    namespace: svc.metadata?.namespace ?? "",
    labels: svc.metadata?.labels ?? {},
    namespaceLabels,
    family: family.value,
    ipFamilyPolicy: policy === "PreferDualStack" || policy === "RequireDualStack" ? policy : "SingleStack",
    primaryFamily,
    sharingKey: sharingKey(svc),
    backendKey: svc.spec?.externalTrafficPolicy === "Local" ? selectorString(svc.spec.selector) : "",
    ports,
  });
}

/** The pool named by the address-pool annotation (any alias), or null. */
export function requestedPool(svc: ServiceObject): string | null {
  const v = readAnnotation(svc.metadata?.annotations, AnnotationName.AddressPool);
  return v === undefined || v.value === "" ? null : v.value;
}

/**
 * The IPs the Service asks for: the loadBalancerIPs annotation (comma
 * separated, at most one per family) or `spec.loadBalancerIP`, never both
 * (§2.2). An empty list means "no request". The family check against the
 * clusterIPs is the allocator's (FAMILY_MISMATCH); the shape checks are here.
 */
export function requestedIps(svc: ServiceObject): ServiceInput<readonly IpAddress[]> {
  const ann = readAnnotation(svc.metadata?.annotations, AnnotationName.LoadBalancerIPs);
  const spec = svc.spec?.loadBalancerIP;
  const hasSpec = spec !== undefined && spec !== "";
  if (ann !== undefined && ann.value.trim() !== "" && hasSpec) {
    return fail("INVALID_REQUEST", `service can not have both ${ann.key} and svc.Spec.LoadBalancerIP`);
  }
  const texts = ann !== undefined && ann.value.trim() !== "" ? ann.value.split(",").map((s) => s.trim()) : hasSpec ? [spec] : [];
  const ips: IpAddress[] = [];
  for (const t of texts) {
    const a = tryParseIp(t);
    if (a === undefined) return fail("INVALID_REQUEST", `invalid requested loadbalancer IPs: "${t}" is not an IP address`);
    ips.push(a);
  }
  if (ips.length > 2) return fail("INVALID_REQUEST", `invalid requested loadbalancer IPs: invalid ips length ${ips.length} ${JSON.stringify(texts)}`);
  if (ips.length === 2 && ips[0]?.family === ips[1]?.family) {
    return fail("INVALID_REQUEST", `invalid requested loadbalancer IPs: same address family "${ips[0]?.family}" for ${ips.map(formatIp).join(",")}`);
  }
  return ok(ips);
}

/** The IPs in `status.loadBalancer.ingress` (hostname-only entries ignored, unparsable ones too). */
export function ingressIps(svc: ServiceObject): readonly IpAddress[] {
  const out: IpAddress[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip === undefined || ing.ip === "") continue;
    const a = tryParseIp(ing.ip);
    if (a !== undefined) out.push(a);
  }
  return out;
}
