// @ironlb/controller: LoadBalancer Services get their IPs from the configured
// pools exactly as MetalLB assigns them (reference §2), with a condition that
// says why when they cannot. `Controller` is the daemon; `buildClusterView` and
// `explainService` give `ironlb status` and `ironlb explain` the same view of a
// cluster the controller rebuilds on a restart.
export { Controller, type ControllerOptions, type LeaderElectionSettings, type StopOptions } from "./controller.ts";
export { ControllerMetrics } from "./metrics.ts";
export { CONDITION_TYPE, ConditionReason, EventReason, reasonFor } from "./reasons.ts";
export { reprocessOrder } from "./reprocess.ts";
export { buildClusterView, explainService, type ClusterSnapshot, type ClusterView, type ExplainOutcome, type ServiceState } from "./view.ts";
