// Schemas of the core/v1 kinds served besides Pod: Service, ConfigMap,
// Secret, Namespace, Node, Endpoints, Event, and the ObjectReference they
// share. Field names and merge keys follow k8s.io/api/core/v1 (types.go).
import { ANY, arr, map, obj, OPEN, ref, type ObjectSchema } from "../schema.ts";
import { kindProps, listDef, META } from "./meta.ts";

export const CORE = "io.k8s.api.core.v1";

export const coreDefs: Record<string, ObjectSchema> = {
  [`${CORE}.ObjectReference`]: obj({
    kind: "string",
    namespace: "string",
    name: "string",
    uid: "string",
    apiVersion: "string",
    resourceVersion: "string",
    fieldPath: "string",
  }),
  [`${CORE}.LocalObjectReference`]: obj({ name: "string" }),

  // Service
  [`${CORE}.Service`]: obj({ ...kindProps(), spec: ref(`${CORE}.ServiceSpec`), status: ref(`${CORE}.ServiceStatus`) }, {
    description: "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
  }),
  [`${CORE}.ServiceList`]: listDef(`${CORE}.Service`),
  [`${CORE}.ServiceSpec`]: obj({
    ports: arr(ref(`${CORE}.ServicePort`), { mergeKey: "port", strategy: "merge", listType: "map", mapKeys: ["port", "protocol"] }),
    selector: map("string"),
    clusterIP: "string",
    clusterIPs: arr("string", { listType: "atomic" }),
    type: "string",
    externalIPs: arr("string", { listType: "atomic" }),
    sessionAffinity: "string",
    loadBalancerIP: "string",
    loadBalancerSourceRanges: arr("string", { listType: "atomic" }),
    externalName: "string",
    externalTrafficPolicy: "string",
    healthCheckNodePort: "int32",
    publishNotReadyAddresses: "boolean",
    sessionAffinityConfig: ref(`${CORE}.SessionAffinityConfig`),
    ipFamilies: arr("string", { listType: "atomic" }),
    ipFamilyPolicy: "string",
    allocateLoadBalancerNodePorts: "boolean",
    loadBalancerClass: "string",
    internalTrafficPolicy: "string",
    trafficDistribution: "string",
  }),
  [`${CORE}.ServicePort`]: obj(
    {
      name: "string",
      protocol: "string",
      appProtocol: "string",
      port: "int32",
      targetPort: "intOrString",
      nodePort: "int32",
    },
    { required: ["port"] },
  ),
  [`${CORE}.SessionAffinityConfig`]: obj({ clientIP: ref(`${CORE}.ClientIPConfig`) }),
  [`${CORE}.ClientIPConfig`]: obj({ timeoutSeconds: "int32" }),
  [`${CORE}.ServiceStatus`]: obj({
    loadBalancer: ref(`${CORE}.LoadBalancerStatus`),
    conditions: arr(ref(`${META}.Condition`), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }),
  }),
  [`${CORE}.LoadBalancerStatus`]: obj({ ingress: arr(ref(`${CORE}.LoadBalancerIngress`), { listType: "atomic" }) }),
  [`${CORE}.LoadBalancerIngress`]: obj({
    ip: "string",
    hostname: "string",
    ipMode: "string",
    ports: arr(ref(`${CORE}.PortStatus`), { listType: "atomic" }),
  }),
  [`${CORE}.PortStatus`]: obj({ port: "int32", protocol: "string", error: "string" }, { required: ["port", "protocol"] }),

  // ConfigMap and Secret
  [`${CORE}.ConfigMap`]: obj({ ...kindProps(), immutable: "boolean", data: map("string"), binaryData: map("bytes") }, {
    description: "ConfigMap holds configuration data for pods to consume.",
  }),
  [`${CORE}.ConfigMapList`]: listDef(`${CORE}.ConfigMap`),
  [`${CORE}.Secret`]: obj({ ...kindProps(), immutable: "boolean", data: map("bytes"), stringData: map("string"), type: "string" }, {
    description: "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
  }),
  [`${CORE}.SecretList`]: listDef(`${CORE}.Secret`),

  // Namespace
  [`${CORE}.Namespace`]: obj({ ...kindProps(), spec: ref(`${CORE}.NamespaceSpec`), status: ref(`${CORE}.NamespaceStatus`) }, {
    description: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
  }),
  [`${CORE}.NamespaceList`]: listDef(`${CORE}.Namespace`),
  [`${CORE}.NamespaceSpec`]: obj({ finalizers: arr("string", { listType: "atomic" }) }),
  [`${CORE}.NamespaceStatus`]: obj({
    phase: "string",
    conditions: arr(ref(`${CORE}.NamespaceCondition`), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }),
  }),
  [`${CORE}.NamespaceCondition`]: obj(
    { type: "string", status: "string", lastTransitionTime: "time", reason: "string", message: "string" },
    { required: ["type", "status"] },
  ),

  // Node
  [`${CORE}.Node`]: obj({ ...kindProps(), spec: ref(`${CORE}.NodeSpec`), status: ref(`${CORE}.NodeStatus`) }, {
    description: "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).",
  }),
  [`${CORE}.NodeList`]: listDef(`${CORE}.Node`),
  [`${CORE}.NodeSpec`]: obj({
    podCIDR: "string",
    podCIDRs: arr("string", { strategy: "merge", listType: "set" }),
    providerID: "string",
    unschedulable: "boolean",
    taints: arr(ref(`${CORE}.Taint`), { listType: "atomic" }),
    configSource: OPEN,
    externalID: "string",
  }),
  [`${CORE}.Taint`]: obj({ key: "string", value: "string", effect: "string", timeAdded: "time" }, { required: ["key", "effect"] }),
  [`${CORE}.NodeStatus`]: obj({
    capacity: map("quantity"),
    allocatable: map("quantity"),
    phase: "string",
    conditions: arr(ref(`${CORE}.NodeCondition`), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }),
    addresses: arr(ref(`${CORE}.NodeAddress`), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }),
    daemonEndpoints: OPEN,
    nodeInfo: ref(`${CORE}.NodeSystemInfo`),
    images: arr(OPEN, { listType: "atomic" }),
    volumesInUse: arr("string", { listType: "atomic" }),
    volumesAttached: arr(OPEN, { listType: "atomic" }),
    config: OPEN,
    runtimeHandlers: arr(OPEN, { listType: "atomic" }),
    features: OPEN,
  }),
  [`${CORE}.NodeCondition`]: obj(
    {
      type: "string",
      status: "string",
      lastHeartbeatTime: "time",
      lastTransitionTime: "time",
      reason: "string",
      message: "string",
    },
    { required: ["type", "status"] },
  ),
  [`${CORE}.NodeAddress`]: obj({ type: "string", address: "string" }, { required: ["type", "address"] }),
  [`${CORE}.NodeSystemInfo`]: obj({
    machineID: "string",
    systemUUID: "string",
    bootID: "string",
    kernelVersion: "string",
    osImage: "string",
    containerRuntimeVersion: "string",
    kubeletVersion: "string",
    kubeProxyVersion: "string",
    operatingSystem: "string",
    architecture: "string",
    swap: ANY,
  }),

  // Endpoints
  [`${CORE}.Endpoints`]: obj({ ...kindProps(), subsets: arr(ref(`${CORE}.EndpointSubset`), { listType: "atomic" }) }, {
    description: "Endpoints is a collection of endpoints that implement the actual service.",
  }),
  [`${CORE}.EndpointsList`]: listDef(`${CORE}.Endpoints`),
  [`${CORE}.EndpointSubset`]: obj({
    addresses: arr(ref(`${CORE}.EndpointAddress`), { listType: "atomic" }),
    notReadyAddresses: arr(ref(`${CORE}.EndpointAddress`), { listType: "atomic" }),
    ports: arr(ref(`${CORE}.EndpointPort`), { listType: "atomic" }),
  }),
  [`${CORE}.EndpointAddress`]: obj(
    { ip: "string", hostname: "string", nodeName: "string", targetRef: ref(`${CORE}.ObjectReference`) },
    { required: ["ip"] },
  ),
  [`${CORE}.EndpointPort`]: obj({ name: "string", port: "int32", protocol: "string", appProtocol: "string" }, { required: ["port"] }),

  // Event (core/v1; events.k8s.io/v1 is a view of the same storage)
  [`${CORE}.Event`]: obj(
    {
      ...kindProps(),
      involvedObject: ref(`${CORE}.ObjectReference`),
      reason: "string",
      message: "string",
      source: ref(`${CORE}.EventSource`),
      firstTimestamp: "time",
      lastTimestamp: "time",
      count: "int32",
      type: "string",
      eventTime: "microtime",
      series: ref(`${CORE}.EventSeries`),
      action: "string",
      related: ref(`${CORE}.ObjectReference`),
      reportingComponent: "string",
      reportingInstance: "string",
    },
    { required: ["metadata", "involvedObject"], description: "Event is a report of an event somewhere in the cluster." },
  ),
  [`${CORE}.EventList`]: listDef(`${CORE}.Event`),
  [`${CORE}.EventSource`]: obj({ component: "string", host: "string" }),
  [`${CORE}.EventSeries`]: obj({ count: "int32", lastObservedTime: "microtime" }),
};
