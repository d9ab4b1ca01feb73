// @ironlb/kube-sim: an in-memory Kubernetes API server that speaks the real
// wire protocol over HTTP, for tests, benchmarks and the playground.
// `createKubeSim()` starts one; `@kubernetes/client-node` and kubectl use it
// through `sim.kubeconfig()` as they would a cluster.
export { createKubeSim, type KubeSim, type KubeSimOptions, type ListOptions, type SimStore, type StoreWriteOptions } from "./kube-sim.ts";
export { KubeSimError, type Status, type StatusCause, type StatusDetails, type StatusReason } from "./errors.ts";
export type { Faults, InjectedFailure, RequestMatch } from "./faults.ts";
export type { RequestFilter, RequestLog, RequestLogEntry } from "./request-log.ts";
export type { KubeconfigOptions } from "./kubeconfig.ts";
export type { JsonObject, JsonValue, KubeObject, ObjectMeta } from "./object.ts";
export type { Verb } from "./request-info.ts";
