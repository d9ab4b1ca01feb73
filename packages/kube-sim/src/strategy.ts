// The per-kind part of admission, like the apiserver's REST strategies:
// defaulting, resetting what a client may not set, validation, and side
// effects such as IP and port allocation. The generic part (metadata,
// resourceVersion, the status subresource rule, finalizers) is the
// registry's.
import type { FieldError } from "./errors.ts";
import type { ServiceAllocators } from "./ip-alloc.ts";
import type { KubeObject } from "./object.ts";

export interface AdmissionContext {
  /** "" for the main resource, "status" for the status subresource. */
  readonly subresource: "" | "status";
  readonly dryRun: boolean;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly allocators: ServiceAllocators;
}

export interface Strategy {
  /**
   * What happens to `status` sent on create: the apiserver drops it for most
   * kinds and fills its own (`reset`), but keeps it for Nodes (`keep`).
   */
  readonly statusOnCreate: "reset" | "keep";
  /** Defaults and validates a new object (mutating it); may allocate. */
  create?(obj: KubeObject, ctx: AdmissionContext): FieldError[];
  /** Defaults and validates an update (of the main resource or of status). */
  update?(obj: KubeObject, old: KubeObject, ctx: AdmissionContext): FieldError[];
  /** The object left the store: release what it held. */
  deleted?(obj: KubeObject, ctx: AdmissionContext): void;
}

export const plainStrategy: Strategy = { statusOnCreate: "reset" };
