// Schemas of the non-core groups served: discovery.k8s.io/v1 EndpointSlice,
// coordination.k8s.io/v1 Lease, events.k8s.io/v1 Event.
import { arr, map, obj, ref, type ObjectSchema } from "../schema.ts";
import { CORE } from "./core.ts";
import { kindProps, listDef } from "./meta.ts";

export const DISCOVERY = "io.k8s.api.discovery.v1";
export const COORDINATION = "io.k8s.api.coordination.v1";
export const EVENTS = "io.k8s.api.events.v1";

export const groupDefs: Record<string, ObjectSchema> = {
  [`${DISCOVERY}.EndpointSlice`]: obj(
    {
      ...kindProps(),
      addressType: "string",
      endpoints: arr(ref(`${DISCOVERY}.Endpoint`), { listType: "atomic" }),
      ports: arr(ref(`${DISCOVERY}.EndpointPort`), { listType: "atomic" }),
    },
    { required: ["addressType", "endpoints"], description: "EndpointSlice represents a subset of the endpoints that implement a service." },
  ),
  [`${DISCOVERY}.EndpointSliceList`]: listDef(`${DISCOVERY}.EndpointSlice`),
  [`${DISCOVERY}.Endpoint`]: obj(
    {
      addresses: arr("string", { listType: "set" }),
      conditions: ref(`${DISCOVERY}.EndpointConditions`),
      hostname: "string",
      targetRef: ref(`${CORE}.ObjectReference`),
      deprecatedTopology: map("string"),
      nodeName: "string",
      zone: "string",
      hints: ref(`${DISCOVERY}.EndpointHints`),
    },
    { required: ["addresses"] },
  ),
  [`${DISCOVERY}.EndpointConditions`]: obj({ ready: "boolean", serving: "boolean", terminating: "boolean" }),
  [`${DISCOVERY}.EndpointHints`]: obj({
    forZones: arr(ref(`${DISCOVERY}.ForZone`), { listType: "atomic" }),
    forNodes: arr(ref(`${DISCOVERY}.ForNode`), { listType: "atomic" }),
  }),
  [`${DISCOVERY}.ForZone`]: obj({ name: "string" }, { required: ["name"] }),
  [`${DISCOVERY}.ForNode`]: obj({ name: "string" }, { required: ["name"] }),
  [`${DISCOVERY}.EndpointPort`]: obj({ name: "string", protocol: "string", port: "int32", appProtocol: "string" }),

  [`${COORDINATION}.Lease`]: obj({ ...kindProps(), spec: ref(`${COORDINATION}.LeaseSpec`) }, { description: "Lease defines a lease concept." }),
  [`${COORDINATION}.LeaseList`]: listDef(`${COORDINATION}.Lease`),
  [`${COORDINATION}.LeaseSpec`]: obj({
    holderIdentity: "string",
    leaseDurationSeconds: "int32",
    acquireTime: "microtime",
    renewTime: "microtime",
    leaseTransitions: "int32",
    strategy: "string",
    preferredHolder: "string",
  }),

  [`${EVENTS}.Event`]: obj(
    {
      ...kindProps(),
      eventTime: "microtime",
      series: ref(`${EVENTS}.EventSeries`),
      reportingController: "string",
      reportingInstance: "string",
      action: "string",
      reason: "string",
      regarding: ref(`${CORE}.ObjectReference`),
      related: ref(`${CORE}.ObjectReference`),
      note: "string",
      type: "string",
      deprecatedSource: ref(`${CORE}.EventSource`),
      deprecatedFirstTimestamp: "time",
      deprecatedLastTimestamp: "time",
      deprecatedCount: "int32",
    },
    { required: ["eventTime"], description: "Event is a report of an event somewhere in the cluster." },
  ),
  [`${EVENTS}.EventList`]: listDef(`${EVENTS}.Event`),
  [`${EVENTS}.EventSeries`]: obj({ count: "int32", lastObservedTime: "microtime" }, { required: ["count", "lastObservedTime"] }),
};
