// events.k8s.io/v1 Events are a second view of the core/v1 Event storage, as
// in the apiserver: an Event created through either group is visible through
// both. These are the field renames of k8s.io/kubernetes
// pkg/apis/events/v1 conversion (regarding <-> involvedObject, note <->
// message, reportingController <-> reportingComponent, deprecated* <->
// source/firstTimestamp/lastTimestamp/count).
import type { JsonValue, KubeObject } from "./object.ts";

const RENAMES: readonly (readonly [groupField: string, coreField: string])[] = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["reportingController", "reportingComponent"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
];

const SAME = ["eventTime", "series", "reportingInstance", "action", "reason", "related", "type"];

function convert(from: KubeObject, apiVersion: string, pairs: readonly (readonly [string, string])[]): KubeObject {
  const out: KubeObject = { kind: "Event", apiVersion, metadata: from.metadata };
  for (const [src, dst] of pairs) {
    const v = from[src] as JsonValue | undefined;
    if (v !== undefined) out[dst] = v;
  }
  for (const k of SAME) {
    const v = from[k] as JsonValue | undefined;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** events.k8s.io/v1 -> core/v1 (stored form). */
export function eventFromGroup(ev: KubeObject): KubeObject {
  return convert(ev, "v1", RENAMES);
}

/** core/v1 (stored form) -> events.k8s.io/v1. */
export function eventToGroup(ev: KubeObject): KubeObject {
  return convert(ev, "events.k8s.io/v1", RENAMES.map(([g, c]) => [c, g] as const));
}

/** Field selector names of events.k8s.io/v1 in terms of the stored core/v1 fields. */
export function groupEventField(field: string): string {
  for (const [g, c] of RENAMES) {
    if (field === g) return c;
    if (field.startsWith(`${g}.`)) return `${c}${field.slice(g.length)}`;
  }
  return field;
}
