// What the allocator needs to know about a Service, already extracted by the
// controller from the Kubernetes object (MetalLB's k8salloc: Ports,
// BackendKey; controller/service.go: family from clusterIPs, annotations).
//
// Deliberately not here: reading annotations or parsing requested IPs (the
// controller does that and calls `assign` with addresses), and anything about
// announcing.
import type { IpFamily } from "../ip/index.ts";
import type { Labels } from "../config/index.ts";
import { fail, type AllocResult } from "./errors.ts";

export type ServiceFamily = IpFamily | "dual";
export type IpFamilyPolicy = "SingleStack" | "PreferDualStack" | "RequireDualStack";
export type PortProtocol = "TCP" | "UDP" | "SCTP";

export interface ServicePort {
  readonly protocol: PortProtocol;
  readonly port: number;
}

export interface ServiceRequest {
  /** "namespace/name": the key every index uses. */
  readonly key: string;
  readonly namespace: string;
  /** The Service's labels, for pool service-selectors. */
  readonly labels: Labels;
  /** The labels of the Service's Namespace, for pool namespace-selectors. */
  readonly namespaceLabels: Labels;
  /**
   * From `spec.clusterIPs` (fallback `spec.clusterIP`), not `spec.ipFamilies`
   * (reference §2.1 step 3): "dual" when there are two clusterIPs.
   */
  readonly family: ServiceFamily;
  /** `spec.ipFamilyPolicy`, SingleStack when absent. */
  readonly ipFamilyPolicy: IpFamilyPolicy;
  /** `spec.ipFamilies[0]`: which family a PreferDualStack service falls back to first. */
  readonly primaryFamily: IpFamily;
  /** The `allow-shared-ip` annotation value, or null when the Service does not allow sharing. */
  readonly sharingKey: string | null;
  /** "" for externalTrafficPolicy Cluster; the selector string (k8s labels.Set.String()) for Local. */
  readonly backendKey: string;
  /** One entry per `spec.ports` item. TCP/53 and UDP/53 are different ports. */
  readonly ports: readonly ServicePort[];
}

/**
 * A port as the indexes key it: protocol index << 16 | port number. A number
 * rather than a `TCP/80` string: a one-port key list retains 65 bytes instead
 * of 95 per service (node 20, 100k lists measured with gc()), and the string
 * was rebuilt on every call; the call cost itself is the same within noise.
 */
export type PortKey = number;

const PROTOCOLS: readonly PortProtocol[] = ["TCP", "UDP", "SCTP"];

export function portKey(p: ServicePort): PortKey {
  return (PROTOCOLS.indexOf(p.protocol) << 16) | p.port;
}

/** `TCP/80`, for messages. */
export function formatPortKey(k: PortKey): string {
  return `${PROTOCOLS[k >>> 16] ?? "?"}/${k & 0xffff}`;
}

const V4: readonly IpFamily[] = Object.freeze(["ipv4"]);
const V6: readonly IpFamily[] = Object.freeze(["ipv6"]);
const DUAL_V4_FIRST: readonly IpFamily[] = Object.freeze(["ipv4", "ipv6"]);
const DUAL_V6_FIRST: readonly IpFamily[] = Object.freeze(["ipv6", "ipv4"]);

/** The families a service must (or, PreferDualStack, would like to) get, primary first. */
export function wantedFamilies(svc: ServiceRequest): readonly IpFamily[] {
  if (svc.family !== "dual") return svc.family === "ipv4" ? V4 : V6;
  return svc.primaryFamily === "ipv6" ? DUAL_V6_FIRST : DUAL_V4_FIRST;
}

/**
 * Checks the family/policy combination before any state is looked at.
 * Kubernetes never produces SingleStack with two clusterIPs; a request that
 * says so is malformed rather than something to guess about.
 */
export function checkServiceShape(svc: ServiceRequest): AllocResult<void> | undefined {
  if (svc.ipFamilyPolicy === "RequireDualStack" && svc.family !== "dual") {
    // MetalLB emits the Warning event `not enough clusterips` and clears the state (§2.1 step 5).
    return fail("NOT_ENOUGH_CLUSTER_IPS", `not enough clusterips: service "${svc.key}" requires dual-stack but has one clusterIP family (${svc.family})`);
  }
  if (svc.ipFamilyPolicy === "SingleStack" && svc.family === "dual") {
    return fail("INVALID_REQUEST", `service "${svc.key}" is SingleStack but has clusterIPs of both families`);
  }
  for (const p of svc.ports) {
    // Kubernetes validates these too; the packed PortKey relies on it.
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535 || !PROTOCOLS.includes(p.protocol)) {
      return fail("INVALID_REQUEST", `service "${svc.key}" has an invalid port ${String(p.protocol)}/${String(p.port)}`);
    }
  }
  return undefined;
}

/** Deduplicated port keys, in first-seen order. */
export function portKeys(svc: ServiceRequest): readonly PortKey[] {
  if (svc.ports.length === 1) return [portKey(svc.ports[0] as ServicePort)];
  return [...new Set(svc.ports.map(portKey))];
}
