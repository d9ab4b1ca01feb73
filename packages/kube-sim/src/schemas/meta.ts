// Schemas of io.k8s.apimachinery.pkg.apis.meta.v1 types shared by every
// resource: ObjectMeta (with the merge keys kubectl relies on for finalizers
// and ownerReferences), ListMeta, Status, DeleteOptions, Condition.
import { ANY, arr, map, obj, ref, type ObjectSchema, type Schema } from "../schema.ts";

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

export const metaDefs: Record<string, ObjectSchema> = {
  [`${META}.ObjectMeta`]: obj({
    name: "string",
    generateName: "string",
    namespace: "string",
    selfLink: "string",
    uid: "string",
    resourceVersion: "string",
    generation: "int64",
    creationTimestamp: "time",
    deletionTimestamp: "time",
    deletionGracePeriodSeconds: "int64",
    labels: map("string"),
    annotations: map("string"),
    ownerReferences: arr(ref(`${META}.OwnerReference`), { mergeKey: "uid", strategy: "merge", listType: "map", mapKeys: ["uid"] }),
    finalizers: arr("string", { strategy: "merge", listType: "set" }),
    managedFields: arr(ref(`${META}.ManagedFieldsEntry`), { listType: "atomic" }),
  }),
  [`${META}.OwnerReference`]: obj(
    {
      apiVersion: "string",
      kind: "string",
      name: "string",
      uid: "string",
      controller: "boolean",
      blockOwnerDeletion: "boolean",
    },
    { required: ["apiVersion", "kind", "name", "uid"] },
  ),
  [`${META}.ManagedFieldsEntry`]: obj({
    manager: "string",
    operation: "string",
    apiVersion: "string",
    time: "time",
    fieldsType: "string",
    fieldsV1: ANY,
    subresource: "string",
  }),
  [`${META}.ListMeta`]: obj({
    selfLink: "string",
    resourceVersion: "string",
    continue: "string",
    remainingItemCount: "int64",
  }),
  [`${META}.StatusCause`]: obj({ reason: "string", message: "string", field: "string" }),
  [`${META}.StatusDetails`]: obj({
    name: "string",
    group: "string",
    kind: "string",
    uid: "string",
    causes: arr(ref(`${META}.StatusCause`), { listType: "atomic" }),
    retryAfterSeconds: "int32",
  }),
  [`${META}.Status`]: obj({
    apiVersion: "string",
    kind: "string",
    metadata: ref(`${META}.ListMeta`),
    status: "string",
    message: "string",
    reason: "string",
    details: ref(`${META}.StatusDetails`),
    code: "int32",
  }),
  [`${META}.Preconditions`]: obj({ uid: "string", resourceVersion: "string" }),
  [`${META}.DeleteOptions`]: obj({
    apiVersion: "string",
    kind: "string",
    gracePeriodSeconds: "int64",
    preconditions: ref(`${META}.Preconditions`),
    orphanDependents: "boolean",
    propagationPolicy: "string",
    dryRun: arr("string", { listType: "atomic" }),
    ignoreStoreReadErrorWithClusterBreakingPotential: "boolean",
  }),
  [`${META}.Condition`]: obj(
    {
      type: "string",
      status: "string",
      observedGeneration: "int64",
      lastTransitionTime: "time",
      reason: "string",
      message: "string",
    },
    { required: ["type", "status", "lastTransitionTime", "reason", "message"] },
  ),
  [`${META}.LabelSelectorRequirement`]: obj(
    { key: "string", operator: "string", values: arr("string", { listType: "atomic" }) },
    { required: ["key", "operator"] },
  ),
  [`${META}.LabelSelector`]: obj({
    matchLabels: map("string"),
    matchExpressions: arr(ref(`${META}.LabelSelectorRequirement`), { listType: "atomic" }),
  }),
};

/** The members every top-level kind has. */
export function kindProps(): Record<string, Schema> {
  return { apiVersion: "string", kind: "string", metadata: ref(`${META}.ObjectMeta`) };
}

export function listDef(itemType: string): ObjectSchema {
  return obj(
    { apiVersion: "string", kind: "string", metadata: ref(`${META}.ListMeta`), items: arr(ref(itemType)) },
    { required: ["items"] },
  );
}
