// Schemas of the identity and access kinds a deployment manifest holds:
// core/v1 ServiceAccount and rbac.authorization.k8s.io/v1 Role, ClusterRole,
// RoleBinding and ClusterRoleBinding. Stored and served as sent: kube-sim
// authorises nobody, so these rules are data here (test/ship compares them
// with the requests the components make).
import { arr, obj, ref, type ObjectSchema } from "../schema.ts";
import { CORE } from "./core.ts";
import { kindProps, listDef, META } from "./meta.ts";

export const RBAC = "io.k8s.api.rbac.v1";

const strings = arr("string", { listType: "atomic" });

export const accessDefs: Record<string, ObjectSchema> = {
  [`${CORE}.ServiceAccount`]: obj(
    {
      ...kindProps(),
      secrets: arr(ref(`${CORE}.ObjectReference`), { mergeKey: "name", strategy: "merge", listType: "map", mapKeys: ["name"] }),
      imagePullSecrets: arr(ref(`${CORE}.LocalObjectReference`), { listType: "atomic" }),
      automountServiceAccountToken: "boolean",
    },
    { description: "ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; a set of secrets" },
  ),
  [`${CORE}.ServiceAccountList`]: listDef(`${CORE}.ServiceAccount`),

  [`${RBAC}.PolicyRule`]: obj({ verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings }, { required: ["verbs"] }),
  [`${RBAC}.RoleRef`]: obj({ apiGroup: "string", kind: "string", name: "string" }, { required: ["apiGroup", "kind", "name"] }),
  [`${RBAC}.Subject`]: obj({ kind: "string", apiGroup: "string", name: "string", namespace: "string" }, { required: ["kind", "name"] }),
  [`${RBAC}.AggregationRule`]: obj({ clusterRoleSelectors: arr(ref(`${META}.LabelSelector`), { listType: "atomic" }) }),
  [`${RBAC}.Role`]: obj({ ...kindProps(), rules: arr(ref(`${RBAC}.PolicyRule`), { listType: "atomic" }) }, {
    description: "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.",
  }),
  [`${RBAC}.RoleList`]: listDef(`${RBAC}.Role`),
  [`${RBAC}.ClusterRole`]: obj({ ...kindProps(), rules: arr(ref(`${RBAC}.PolicyRule`), { listType: "atomic" }), aggregationRule: ref(`${RBAC}.AggregationRule`) }, {
    description: "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.",
  }),
  [`${RBAC}.ClusterRoleList`]: listDef(`${RBAC}.ClusterRole`),
  [`${RBAC}.RoleBinding`]: obj({ ...kindProps(), subjects: arr(ref(`${RBAC}.Subject`), { listType: "atomic" }), roleRef: ref(`${RBAC}.RoleRef`) }, {
    required: ["roleRef"],
    description: "RoleBinding references a role, but does not contain it.",
  }),
  [`${RBAC}.RoleBindingList`]: listDef(`${RBAC}.RoleBinding`),
  [`${RBAC}.ClusterRoleBinding`]: obj({ ...kindProps(), subjects: arr(ref(`${RBAC}.Subject`), { listType: "atomic" }), roleRef: ref(`${RBAC}.RoleRef`) }, {
    required: ["roleRef"],
    description: "ClusterRoleBinding references a ClusterRole, but does not contain it.",
  }),
  [`${RBAC}.ClusterRoleBindingList`]: listDef(`${RBAC}.ClusterRoleBinding`),
};
