// @ironlb/kube: the only code that talks to Kubernetes. Client setup,
// self-healing informers, the work queue that owns retries, events,
// conditions, the status writer and Lease-based leader election.
export { realClock, sleep, type Clock, type TimerHandle } from "./clock.ts";
export { createClients, loadKubeConfig, type ClientOptions, type Clients } from "./client.ts";
export { describeError, isConflict, isNotFound, statusCode } from "./errors.ts";
export { Informer, type InformerEvent, type InformerEventType, type InformerOptions } from "./informer.ts";
export { WorkQueue, REPROCESS_ALL, type SyncState, type WorkQueueOptions } from "./workqueue.ts";
export { EventRecorder, type EventRecorderOptions, type EventTarget, type EventType } from "./events.ts";
export { LeaderElector, type LeaderElectionOptions } from "./leader.ts";
export { removeCondition, setCondition, type ConditionInput } from "./conditions.ts";
export { writeServiceStatus, type ServiceStatusUpdate } from "./status.ts";
export type { RestClient } from "./rest.ts";
export { createLogger, silentLogger, type LogFields, type LogLevel, type Logger, type LoggerOptions } from "./log.ts";
export { parseHostPort, startMonitoringServer, type MonitoringServer, type MonitoringServerOptions, type ReadinessCheck } from "./http-server.ts";
// The Kubernetes object types consumers reason about, so they need no client library of their own.
export type { V1Condition, V1ConfigMap, V1LoadBalancerIngress, V1Namespace, V1Service } from "@kubernetes/client-node";
export { patchPodAnnotations, type PodRef } from "./annotations.ts";
export type { V1EndpointSlice, V1Node, V1Pod, V1Secret } from "@kubernetes/client-node";
