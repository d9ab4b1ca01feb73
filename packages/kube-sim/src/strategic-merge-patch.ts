// Strategic merge patch (application/strategic-merge-patch+json), the server
// side of k8s.io/apimachinery/pkg/util/strategicpatch: like a JSON merge
// patch, except that lists whose schema declares `patchStrategy: merge` are
// merged (by `patchMergeKey` for lists of objects, as a set for primitives),
// and the directives that `kubectl apply` and `kubectl patch` send are obeyed:
// `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<field>`,
// `$deleteFromPrimitiveList/<field>`.
//
// Not here: computing patches (clients do that) and the per-version
// `x-kubernetes-list-map-keys` subtleties of server-side apply.
import { badRequest } from "./errors.ts";
import { isObject, type JsonObject, type JsonValue } from "./object.ts";
import { memberSchema, resolve, type ArraySchema, type Definitions, type Schema } from "./schema.ts";

const PATCH = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ORDER = "$setElementOrder/";
const DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";

function arraySchema(schema: Schema | undefined, defs: Definitions): ArraySchema | undefined {
  if (schema === undefined) return undefined;
  const s = resolve(schema, defs);
  return typeof s !== "string" && s.kind === "array" ? s : undefined;
}

function itemKey(v: JsonValue): string {
  return typeof v === "string" ? `s:${v}` : `j:${JSON.stringify(v)}`;
}

/**
 * Applies `patch` to `original` (neither is modified) with the merge rules of
 * `schema` (a resolved object schema or ANY). Returns undefined when the patch
 * deletes the whole value (`$patch: delete`).
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, schema: Schema, defs: Definitions): JsonObject {
  const out = mergeMap(original, patch, schema, defs);
  if (out === undefined) throw badRequest("unable to apply $patch: delete to the whole object");
  return out;
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined, defs: Definitions): JsonObject | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === "delete") return undefined;
    if (directive === "replace") return stripDirectives(patch, schema, defs);
    if (directive !== "merge") throw badRequest(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }
  const out: JsonObject = { ...original };
  for (const [key, pv] of Object.entries(patch)) {
    if (key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(pv)) throw badRequest(`invalid type for ${key}: expected a list`);
      const drop = new Set(pv.map(itemKey));
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !drop.has(itemKey(x)));
      continue;
    }
    const sub = memberSchema(schema, key, defs);
    if (pv === null) {
      delete out[key];
      continue;
    }
    const ov = out[key];
    if (isObject(pv)) {
      const merged = isObject(ov) ? mergeMap(ov, pv, sub, defs) : mergeMap({}, pv, sub, defs);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(pv)) {
      out[key] = mergeList(Array.isArray(ov) ? ov : [], pv, arraySchema(sub, defs), defs);
    } else {
      out[key] = pv;
    }
  }
  // $setElementOrder after the merge: it orders what the merge produced.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    const list = out[field];
    if (!Array.isArray(order)) throw badRequest(`invalid type for ${key}: expected a list`);
    if (Array.isArray(list)) out[field] = applyOrder(list, order, arraySchema(memberSchema(schema, field, defs), defs)?.mergeKey);
  }
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === "string")) throw badRequest("invalid $retainKeys: expected a list of strings");
    const keep = new Set(retain as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}

/** Removes directives from a value that is taken as-is (no original to merge into). */
function stripDirectives(v: JsonObject, schema: Schema | undefined, defs: Definitions): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE) || x === null) continue;
    const sub = memberSchema(schema, k, defs);
    if (isObject(x)) {
      const m = mergeMap({}, x, sub, defs);
      if (m !== undefined) out[k] = m;
    } else if (Array.isArray(x)) out[k] = mergeList([], x, arraySchema(sub, defs), defs);
    else out[k] = x;
  }
  return out;
}

function mergeList(original: JsonValue[], patch: JsonValue[], schema: ArraySchema | undefined, defs: Definitions): JsonValue[] {
  const itemSchema = schema?.items;
  const merging = schema?.strategy?.includes("merge") === true;
  // A `{"$patch": "replace"}` element replaces the whole list with the other elements.
  const replace = patch.some((e) => isObject(e) && e[PATCH] === "replace" && Object.keys(e).length === 1);
  if (!merging || replace) {
    return patch
      .filter((e) => !(isObject(e) && e[PATCH] === "replace" && Object.keys(e).length === 1))
      .filter((e) => !(isObject(e) && e[PATCH] === "delete"))
      .map((e) => (isObject(e) ? stripDirectives(e, itemSchema, defs) : e));
  }
  const mergeKey = schema?.mergeKey;
  if (mergeKey === undefined) {
    // A set of primitives: union, original order first.
    const seen = new Set(original.map(itemKey));
    const out = [...original];
    for (const e of patch) {
      if (isObject(e)) throw badRequest("strategic merge patch: objects in a list without a merge key");
      const k = itemKey(e);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(e);
      }
    }
    return out;
  }
  const out = [...original];
  for (const e of patch) {
    if (!isObject(e)) throw badRequest(`strategic merge patch: expected an object with merge key ${JSON.stringify(mergeKey)} in the list`);
    const keyValue = e[mergeKey];
    if (keyValue === undefined) throw badRequest(`map: ${JSON.stringify(e)} does not contain declared merge key: ${mergeKey}`);
    const idx = out.findIndex((o) => isObject(o) && itemKey(o[mergeKey] as JsonValue) === itemKey(keyValue));
    if (e[PATCH] === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as JsonObject, e, itemSchema, defs);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      const added = mergeMap({}, e, itemSchema, defs);
      if (added !== undefined) out.push(added);
    }
  }
  return out;
}

/** Orders `list` as `order` says; elements not named keep their relative order after them. */
function applyOrder(list: JsonValue[], order: JsonValue[], mergeKey: string | undefined): JsonValue[] {
  const keyOf = (v: JsonValue): string => (mergeKey !== undefined && isObject(v) ? itemKey(v[mergeKey] as JsonValue) : itemKey(v));
  const rank = new Map<string, number>();
  order.forEach((o, i) => rank.set(keyOf(o), i));
  const named = list.filter((v) => rank.has(keyOf(v))).sort((a, b) => (rank.get(keyOf(a)) as number) - (rank.get(keyOf(b)) as number));
  return [...named, ...list.filter((v) => !rank.has(keyOf(v)))];
}
