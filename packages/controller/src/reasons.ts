// The controller's vocabulary towards users: the Service condition that
// `kubectl describe` shows (`ironlb.io/Allocated`, with a machine-readable
// reason), and the Event reasons and texts. Event reasons and texts are
// MetalLB's (controller/service.go, controller/main.go; reference §2.1) so
// that alerts and runbooks written for MetalLB keep matching.
//
// Deliberately not here: deciding which one applies (converge.ts).
import type { AllocErrorCode } from "@ironlb/core/allocator";
import type { ServiceInputErrorCode } from "@ironlb/core/service";

/** The condition type IronLB owns in `status.conditions` of a Service. */
export const CONDITION_TYPE = "ironlb.io/Allocated";

/** Reasons of the `ironlb.io/Allocated` condition (CamelCase, as metav1.Condition wants). */
export const ConditionReason = {
  Allocated: "Allocated",
  /** No configuration has ever been loaded (ConfigMap missing or invalid since start). */
  NoConfig: "NoConfig",
  /** No pool can serve the service (none configured, none compatible, none with its family). */
  NoPool: "NoPool",
  PoolExhausted: "PoolExhausted",
  /** The address is held by services it may not share with (key missing or different). */
  SharingConflict: "SharingConflict",
  /** Same sharing key, but a port is already used on the address by another service. */
  PortConflict: "PortConflict",
  /** Same sharing key, but another backend key (externalTrafficPolicy Local selector). */
  BackendConflict: "BackendConflict",
  UnknownPool: "UnknownPool",
  PoolNotAllowed: "PoolNotAllowed",
  IPNotInPool: "IPNotInPool",
  FamilyMismatch: "FamilyMismatch",
  FamilyNotInPool: "FamilyNotInPool",
  InvalidRequest: "InvalidRequest",
  NotEnoughClusterIPs: "NotEnoughClusterIPs",
  NoClusterIP: "NoClusterIP",
  InternalError: "InternalError",
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

/** The condition reason for an allocator or Service-reading error code. */
export function reasonFor(code: AllocErrorCode | ServiceInputErrorCode): ConditionReason {
  switch (code) {
    case "NO_POOL":
      return ConditionReason.NoPool;
    case "POOL_EXHAUSTED":
      return ConditionReason.PoolExhausted;
    case "SHARING_CONFLICT":
      return ConditionReason.SharingConflict;
    case "PORT_CONFLICT":
      return ConditionReason.PortConflict;
    case "BACKEND_CONFLICT":
      return ConditionReason.BackendConflict;
    case "UNKNOWN_POOL":
      return ConditionReason.UnknownPool;
    case "POOL_NOT_ALLOWED":
      return ConditionReason.PoolNotAllowed;
    case "IP_NOT_IN_POOL":
      return ConditionReason.IPNotInPool;
    case "FAMILY_MISMATCH":
      return ConditionReason.FamilyMismatch;
    case "FAMILY_NOT_IN_POOL":
      return ConditionReason.FamilyNotInPool;
    case "INVALID_REQUEST":
      return ConditionReason.InvalidRequest;
    case "NOT_ENOUGH_CLUSTER_IPS":
      return ConditionReason.NotEnoughClusterIPs;
    case "NO_CLUSTER_IP":
      return ConditionReason.NoClusterIP;
  }
}

/** Event reasons, spelled as MetalLB spells them (two are not CamelCase there either). */
export const EventReason = {
  IPAllocated: "IPAllocated",
  AllocationFailed: "AllocationFailed",
  ClearAssignment: "ClearAssignment",
  LoadBalancerFailed: "LoadBalancerFailed",
  AdditionalAssignFailed: "AdditionalAssignFailed",
  DeprecatedAnnotation: "deprecatedAnnotation",
  NotEnoughClusterIPs: "not enough clusterips",
  InternalError: "InternalError",
  /** On the ConfigMap: the latest config was rejected; the last good one stays in force. */
  ConfigInvalid: "ConfigInvalid",
  /** On the ConfigMap: a config was accepted (first load, change, or recovery from ConfigInvalid). */
  ConfigLoaded: "ConfigLoaded",
  /** On the ConfigMap: it was deleted; the last good config stays in force. */
  ConfigMissing: "ConfigMissing",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

/** Go's `%q` of a string (the texts MetalLB prints); JSON quoting agrees for printable input. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** Go's `%q` of a []net.IP: `["198.51.100.1" "2001:db8::1"]`. */
export function goQuoteList(texts: readonly string[]): string {
  return `[${texts.map(goQuote).join(" ")}]`;
}
