// Writes a Service's load-balancer status, its conditions and IronLB's
// annotations in ONE request: a JSON merge patch on the status subresource
// carrying the resourceVersion the decision was based on, so a concurrent
// change makes it fail with 409 Conflict instead of overwriting (the API
// server treats metadata.resourceVersion in a patch as a precondition).
// Metadata changes sent to /status are kept by the API server; spec is not.
//
// Sent through the lean REST path (rest.ts): one such request per Service.
// The result is the plain JSON object, as informers hand objects out.
import type { V1Condition, V1LoadBalancerIngress, V1Service } from "@kubernetes/client-node";
import type { RestClient } from "./rest.ts";

export interface ServiceStatusUpdate {
  readonly namespace: string;
  readonly name: string;
  /** The resourceVersion the decision was made on. */
  readonly resourceVersion: string;
  /** Annotation values to set; null removes the annotation. */
  readonly annotations?: Readonly<Record<string, string | null>> | undefined;
  /** The full new ingress list (merge patch replaces lists). */
  readonly ingress?: readonly V1LoadBalancerIngress[] | undefined;
  /** The full new conditions list. */
  readonly conditions?: readonly V1Condition[] | undefined;
}

export async function writeServiceStatus(rest: RestClient, update: ServiceStatusUpdate): Promise<V1Service> {
  const metadata: Record<string, unknown> = { resourceVersion: update.resourceVersion };
  if (update.annotations !== undefined && Object.keys(update.annotations).length > 0) metadata["annotations"] = update.annotations;
  const status: Record<string, unknown> = {};
  // RFC 7386: merging {} changes nothing; only null removes the ingress list.
  if (update.ingress !== undefined) status["loadBalancer"] = { ingress: update.ingress.length === 0 ? null : update.ingress };
  if (update.conditions !== undefined) status["conditions"] = update.conditions.length === 0 ? null : update.conditions;
  const path = `/api/v1/namespaces/${encodeURIComponent(update.namespace)}/services/${encodeURIComponent(update.name)}/status`;
  return rest.request<V1Service>("PATCH", path, { metadata, status }, "application/merge-patch+json");
}
