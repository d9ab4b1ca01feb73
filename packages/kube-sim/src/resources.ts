// The served resources: group, version, names and short names for
// discovery, scope, status subresource, schema type, the field selectors the
// apiserver supports for each, and the strategy that admits writes.
// events.k8s.io/v1 Events share the storage of core/v1 Events through a
// conversion (event-conversion.ts). The kinds of a deployment manifest
// (ServiceAccount, Deployment, DaemonSet, PodDisruptionBudget and RBAC) are
// stored as sent, with no controller acting on them.
import { eventFromGroup, eventToGroup, groupEventField } from "./event-conversion.ts";
import { isObject, readPath, type KubeObject } from "./object.ts";
import { CORE } from "./schemas/core.ts";
import { COORDINATION, DISCOVERY, EVENTS } from "./schemas/groups.ts";
import { RBAC } from "./schemas/access.ts";
import { APPS, POLICY } from "./schemas/workloads.ts";
import { serviceStrategy } from "./service.ts";
import {
  configMapStrategy,
  coreEventStrategy,
  endpointSliceStrategy,
  endpointsStrategy,
  groupEventStrategy,
  leaseStrategy,
  namespaceStrategy,
  nodeStrategy,
  podStrategy,
  secretStrategy,
} from "./strategies.ts";
import { plainStrategy, type Strategy } from "./strategy.ts";
import type { NameRule } from "./validation.ts";

export type FieldGetter = (obj: KubeObject) => string | undefined;

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural resource name, as in URLs. */
  readonly resource: string;
  readonly kind: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  readonly statusSubresource: boolean;
  /** OpenAPI definition name of the kind. */
  readonly typeName: string;
  /** Collection in the store; shared by views of the same data. */
  readonly storage: string;
  readonly nameRule: NameRule;
  /** metadata.generation is kept and bumped when `spec` changes. */
  readonly generation: boolean;
  /** DELETE answers with the object (true) or with a Status (false), per resource. */
  readonly deleteReturnsObject: boolean;
  /** PUT of a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  readonly fieldSelectors: Readonly<Record<string, FieldGetter>>;
  readonly strategy: Strategy;
  /** Conversion between this view and the stored form, when they differ. */
  readonly view?: { readonly toStored: (o: KubeObject) => KubeObject; readonly fromStored: (o: KubeObject) => KubeObject };
}

export function apiVersionOf(rt: ResourceType): string {
  return rt.group === "" ? rt.version : `${rt.group}/${rt.version}`;
}

/** `services`, `leases.coordination.k8s.io`: how kubectl and the request log name a resource. */
export function qualifiedName(rt: ResourceType): string {
  return rt.group === "" ? rt.resource : `${rt.resource}.${rt.group}`;
}

const path =
  (p: string): FieldGetter =>
  (obj) => {
    const v = readPath(obj, p.split("."));
    if (v === undefined || v === null) return undefined;
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  };

const boolPath =
  (p: string): FieldGetter =>
  (obj) =>
    String(readPath(obj, p.split(".")) === true);

function fields(namespaced: boolean, extra: Record<string, FieldGetter> = {}): Record<string, FieldGetter> {
  const f: Record<string, FieldGetter> = { "metadata.name": (o) => o.metadata.name, ...extra };
  // The apiserver accepts metadata.namespace for every resource; cluster-scoped objects have "".
  f["metadata.namespace"] = namespaced ? (o) => o.metadata.namespace : () => "";
  return f;
}

const eventFields: Record<string, FieldGetter> = {
  "involvedObject.kind": path("involvedObject.kind"),
  "involvedObject.namespace": path("involvedObject.namespace"),
  "involvedObject.name": path("involvedObject.name"),
  "involvedObject.uid": path("involvedObject.uid"),
  "involvedObject.apiVersion": path("involvedObject.apiVersion"),
  "involvedObject.resourceVersion": path("involvedObject.resourceVersion"),
  "involvedObject.fieldPath": path("involvedObject.fieldPath"),
  reason: path("reason"),
  reportingComponent: path("reportingComponent"),
  source: (o) => (isObject(o["source"]) && typeof o["source"]["component"] === "string" ? o["source"]["component"] : undefined),
  type: path("type"),
};

/** events.k8s.io names its fields differently; the getters read the stored (core) form. */
const groupEventFields: Record<string, FieldGetter> = Object.fromEntries(
  ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type"].map(
    (f) => [f, path(groupEventField(f))],
  ),
);

interface Spec {
  group?: string;
  version?: string;
  resource: string;
  kind: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  status?: boolean;
  typeName: string;
  storage?: string;
  nameRule?: NameRule;
  generation?: boolean;
  deleteReturnsObject?: boolean;
  allowCreateOnUpdate?: boolean;
  fieldSelectors?: Record<string, FieldGetter>;
  strategy: Strategy;
  view?: ResourceType["view"];
}

function define(s: Spec): ResourceType {
  const rt: ResourceType = {
    group: s.group ?? "",
    version: s.version ?? "v1",
    resource: s.resource,
    kind: s.kind,
    singular: s.kind.toLowerCase(),
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    namespaced: s.namespaced,
    statusSubresource: s.status ?? false,
    typeName: s.typeName,
    storage: s.storage ?? s.resource,
    nameRule: s.nameRule ?? "subdomain",
    generation: s.generation ?? false,
    deleteReturnsObject: s.deleteReturnsObject ?? false,
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    fieldSelectors: fields(s.namespaced, s.fieldSelectors),
    strategy: s.strategy,
    ...(s.view ? { view: s.view } : {}),
  };
  return rt;
}

export const RESOURCES: readonly ResourceType[] = [
  define({ resource: "namespaces", kind: "Namespace", shortNames: ["ns"], namespaced: false, status: true, typeName: `${CORE}.Namespace`, nameRule: "label", strategy: namespaceStrategy, fieldSelectors: { "status.phase": path("status.phase") } }),
  define({
    resource: "services",
    kind: "Service",
    shortNames: ["svc"],
    categories: ["all"],
    namespaced: true,
    status: true,
    typeName: `${CORE}.Service`,
    nameRule: "dns1035",
    generation: true,
    deleteReturnsObject: true,
    strategy: serviceStrategy,
    fieldSelectors: { "spec.clusterIP": path("spec.clusterIP"), "spec.type": path("spec.type") },
  }),
  define({ resource: "configmaps", kind: "ConfigMap", shortNames: ["cm"], namespaced: true, typeName: `${CORE}.ConfigMap`, strategy: configMapStrategy }),
  define({ resource: "secrets", kind: "Secret", namespaced: true, typeName: `${CORE}.Secret`, strategy: secretStrategy, fieldSelectors: { type: path("type") } }),
  define({
    resource: "nodes",
    kind: "Node",
    shortNames: ["no"],
    namespaced: false,
    status: true,
    typeName: `${CORE}.Node`,
    strategy: nodeStrategy,
    fieldSelectors: { "spec.unschedulable": boolPath("spec.unschedulable") },
  }),
  define({
    resource: "pods",
    kind: "Pod",
    shortNames: ["po"],
    categories: ["all"],
    namespaced: true,
    status: true,
    typeName: `${CORE}.Pod`,
    deleteReturnsObject: true,
    strategy: podStrategy,
    fieldSelectors: {
      "spec.nodeName": path("spec.nodeName"),
      "spec.restartPolicy": path("spec.restartPolicy"),
      "spec.schedulerName": path("spec.schedulerName"),
      "spec.serviceAccountName": path("spec.serviceAccountName"),
      "spec.hostNetwork": boolPath("spec.hostNetwork"),
      "status.phase": path("status.phase"),
      "status.podIP": path("status.podIP"),
      "status.nominatedNodeName": path("status.nominatedNodeName"),
    },
  }),
  define({ resource: "endpoints", kind: "Endpoints", shortNames: ["ep"], namespaced: true, typeName: `${CORE}.Endpoints`, strategy: endpointsStrategy }),
  define({ resource: "events", kind: "Event", shortNames: ["ev"], namespaced: true, typeName: `${CORE}.Event`, allowCreateOnUpdate: true, strategy: coreEventStrategy, fieldSelectors: eventFields }),
  define({
    group: "discovery.k8s.io",
    resource: "endpointslices",
    kind: "EndpointSlice",
    namespaced: true,
    typeName: `${DISCOVERY}.EndpointSlice`,
    strategy: endpointSliceStrategy,
    fieldSelectors: { addressType: path("addressType") },
  }),
  define({ group: "coordination.k8s.io", resource: "leases", kind: "Lease", namespaced: true, typeName: `${COORDINATION}.Lease`, strategy: leaseStrategy }),
  define({
    group: "events.k8s.io",
    resource: "events",
    kind: "Event",
    shortNames: ["ev"],
    namespaced: true,
    typeName: `${EVENTS}.Event`,
    storage: "events",
    allowCreateOnUpdate: true,
    strategy: groupEventStrategy,
    fieldSelectors: groupEventFields,
    view: { toStored: eventFromGroup, fromStored: eventToGroup },
  }),
  define({ resource: "serviceaccounts", kind: "ServiceAccount", shortNames: ["sa"], namespaced: true, typeName: `${CORE}.ServiceAccount`, strategy: plainStrategy }),
  define({
    group: "apps",
    resource: "deployments",
    kind: "Deployment",
    shortNames: ["deploy"],
    categories: ["all"],
    namespaced: true,
    status: true,
    generation: true,
    typeName: `${APPS}.Deployment`,
    strategy: plainStrategy,
  }),
  define({ group: "apps", resource: "daemonsets", kind: "DaemonSet", shortNames: ["ds"], categories: ["all"], namespaced: true, status: true, generation: true, typeName: `${APPS}.DaemonSet`, strategy: plainStrategy }),
  define({
    group: "policy",
    resource: "poddisruptionbudgets",
    kind: "PodDisruptionBudget",
    shortNames: ["pdb"],
    namespaced: true,
    status: true,
    generation: true,
    typeName: `${POLICY}.PodDisruptionBudget`,
    strategy: plainStrategy,
  }),
  define({ group: "rbac.authorization.k8s.io", resource: "roles", kind: "Role", namespaced: true, typeName: `${RBAC}.Role`, nameRule: "path", strategy: plainStrategy }),
  define({ group: "rbac.authorization.k8s.io", resource: "rolebindings", kind: "RoleBinding", namespaced: true, typeName: `${RBAC}.RoleBinding`, nameRule: "path", strategy: plainStrategy }),
  define({ group: "rbac.authorization.k8s.io", resource: "clusterroles", kind: "ClusterRole", namespaced: false, typeName: `${RBAC}.ClusterRole`, nameRule: "path", strategy: plainStrategy }),
  define({ group: "rbac.authorization.k8s.io", resource: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false, typeName: `${RBAC}.ClusterRoleBinding`, nameRule: "path", strategy: plainStrategy }),
];

/** Group versions in discovery order, core first. */
export const GROUP_VERSIONS: readonly { readonly group: string; readonly version: string }[] = [
  { group: "", version: "v1" },
  { group: "apps", version: "v1" },
  { group: "coordination.k8s.io", version: "v1" },
  { group: "discovery.k8s.io", version: "v1" },
  { group: "events.k8s.io", version: "v1" },
  { group: "policy", version: "v1" },
  { group: "rbac.authorization.k8s.io", version: "v1" },
];

const byPath = new Map<string, ResourceType>(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** Looks up `services`, `svc`, `service`, `leases.coordination.k8s.io` (core wins for a bare `events`). */
export function resolveResourceName(name: string): ResourceType | undefined {
  const dot = name.indexOf(".");
  const bare = dot < 0 ? name : name.slice(0, dot);
  const group = dot < 0 ? undefined : name.slice(dot + 1);
  const matches = RESOURCES.filter(
    (r) => (r.resource === bare || r.singular === bare || r.shortNames.includes(bare)) && (group === undefined || r.group === group),
  );
  return matches.find((r) => r.group === "") ?? matches[0];
}
