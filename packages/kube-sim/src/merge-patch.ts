// JSON Merge Patch, RFC 7386 (application/merge-patch+json).
//
// RFC 7386 §2: a patch that is not an object replaces the target wholesale;
// null removes a member; objects merge recursively; arrays are replaced.
// Does not validate the result: the caller decodes it against the schema.
import { isObject, type JsonValue } from "./object.ts";

export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: { [k: string]: JsonValue } = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
