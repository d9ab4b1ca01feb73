// Schemas of the workload and disruption kinds a deployment manifest holds:
// apps/v1 Deployment and DaemonSet (their pod template reuses core/v1
// PodSpec) and policy/v1 PodDisruptionBudget. Stored and served as sent:
// kube-sim runs no controllers, so nothing rolls out and the status stays
// whatever the status subresource was given.
import { arr, map, obj, ref, type ObjectSchema } from "../schema.ts";
import { CORE } from "./core.ts";
import { kindProps, listDef, META } from "./meta.ts";

export const APPS = "io.k8s.api.apps.v1";
export const POLICY = "io.k8s.api.policy.v1";

const conditions = (type: string) => arr(ref(type), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] });
const appsCondition = obj(
  { type: "string", status: "string", lastUpdateTime: "time", lastTransitionTime: "time", reason: "string", message: "string" },
  { required: ["type", "status"] },
);

export const workloadDefs: Record<string, ObjectSchema> = {
  [`${CORE}.PodTemplateSpec`]: obj({ metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`) }),

  [`${APPS}.Deployment`]: obj({ ...kindProps(), spec: ref(`${APPS}.DeploymentSpec`), status: ref(`${APPS}.DeploymentStatus`) }, {
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
  }),
  [`${APPS}.DeploymentList`]: listDef(`${APPS}.Deployment`),
  [`${APPS}.DeploymentSpec`]: obj(
    {
      replicas: "int32",
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      strategy: ref(`${APPS}.DeploymentStrategy`),
      minReadySeconds: "int32",
      revisionHistoryLimit: "int32",
      paused: "boolean",
      progressDeadlineSeconds: "int32",
    },
    { required: ["selector", "template"] },
  ),
  [`${APPS}.DeploymentStrategy`]: obj({ type: "string", rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`) }),
  [`${APPS}.RollingUpdateDeployment`]: obj({ maxUnavailable: "intOrString", maxSurge: "intOrString" }),
  [`${APPS}.DeploymentStatus`]: obj({
    observedGeneration: "int64",
    replicas: "int32",
    updatedReplicas: "int32",
    readyReplicas: "int32",
    availableReplicas: "int32",
    unavailableReplicas: "int32",
    terminatingReplicas: "int32",
    conditions: conditions(`${APPS}.DeploymentCondition`),
    collisionCount: "int32",
  }),
  [`${APPS}.DeploymentCondition`]: appsCondition,

  [`${APPS}.DaemonSet`]: obj({ ...kindProps(), spec: ref(`${APPS}.DaemonSetSpec`), status: ref(`${APPS}.DaemonSetStatus`) }, {
    description: "DaemonSet represents the configuration of a daemon set.",
  }),
  [`${APPS}.DaemonSetList`]: listDef(`${APPS}.DaemonSet`),
  [`${APPS}.DaemonSetSpec`]: obj(
    {
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      updateStrategy: ref(`${APPS}.DaemonSetUpdateStrategy`),
      minReadySeconds: "int32",
      revisionHistoryLimit: "int32",
    },
    { required: ["selector", "template"] },
  ),
  [`${APPS}.DaemonSetUpdateStrategy`]: obj({ type: "string", rollingUpdate: ref(`${APPS}.RollingUpdateDaemonSet`) }),
  [`${APPS}.RollingUpdateDaemonSet`]: obj({ maxUnavailable: "intOrString", maxSurge: "intOrString" }),
  [`${APPS}.DaemonSetStatus`]: obj({
    currentNumberScheduled: "int32",
    numberMisscheduled: "int32",
    desiredNumberScheduled: "int32",
    numberReady: "int32",
    observedGeneration: "int64",
    updatedNumberScheduled: "int32",
    numberAvailable: "int32",
    numberUnavailable: "int32",
    collisionCount: "int32",
    conditions: conditions(`${APPS}.DaemonSetCondition`),
  }),
  [`${APPS}.DaemonSetCondition`]: obj(
    { type: "string", status: "string", lastTransitionTime: "time", reason: "string", message: "string" },
    { required: ["type", "status"] },
  ),

  [`${POLICY}.PodDisruptionBudget`]: obj({ ...kindProps(), spec: ref(`${POLICY}.PodDisruptionBudgetSpec`), status: ref(`${POLICY}.PodDisruptionBudgetStatus`) }, {
    description: "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods",
  }),
  [`${POLICY}.PodDisruptionBudgetList`]: listDef(`${POLICY}.PodDisruptionBudget`),
  [`${POLICY}.PodDisruptionBudgetSpec`]: obj({
    minAvailable: "intOrString",
    maxUnavailable: "intOrString",
    selector: ref(`${META}.LabelSelector`),
    unhealthyPodEvictionPolicy: "string",
  }),
  [`${POLICY}.PodDisruptionBudgetStatus`]: obj(
    {
      observedGeneration: "int64",
      disruptedPods: map("time"),
      disruptionsAllowed: "int32",
      currentHealthy: "int32",
      desiredHealthy: "int32",
      expectedPods: "int32",
      conditions: arr(ref(`${META}.Condition`), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }),
    },
    { required: ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] },
  ),
};
