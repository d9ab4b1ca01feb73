// metav1.Condition bookkeeping for status.conditions: set one condition type,
// keep the others, and move lastTransitionTime only when the status flips
// (as apimachinery's meta.SetStatusCondition).
import type { V1Condition } from "@kubernetes/client-node";

export interface ConditionInput {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number | undefined;
}

/** Returns the new list (input untouched) and whether anything but timestamps changed. */
export function setCondition(existing: readonly V1Condition[] | undefined, input: ConditionInput, now: Date): { conditions: V1Condition[]; changed: boolean } {
  const list = [...(existing ?? [])];
  const i = list.findIndex((c) => c.type === input.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: V1Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime: prev !== undefined && prev.status === input.status ? prev.lastTransitionTime : now,
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
  };
  const changed =
    prev === undefined ||
    prev.status !== next.status ||
    prev.reason !== next.reason ||
    prev.message !== next.message ||
    prev.observedGeneration !== next.observedGeneration;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return { conditions: list, changed };
}

/** Removes a condition type; reports whether it was there. */
export function removeCondition(existing: readonly V1Condition[] | undefined, type: string): { conditions: V1Condition[]; changed: boolean } {
  const list = (existing ?? []).filter((c) => c.type !== type);
  return { conditions: list, changed: list.length !== (existing ?? []).length };
}
