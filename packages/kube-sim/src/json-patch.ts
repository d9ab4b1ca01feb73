// JSON Patch, RFC 6902 (application/json-patch+json), over JSON Pointers
// (RFC 6901). Operations apply in order to a copy; any failure rejects the
// whole patch (RFC 6902 §5). Errors follow the apiserver
// (a malformed patch is 400 BadRequest; one that cannot be applied, such as
// a failed "test", is 422 Invalid, as the apiserver's jsonPatcher answers).
//
// Not here: the apiserver's 10,000-operation and size limits.
import { badRequest, patchNotApplicable } from "./errors.ts";
import { clone, deepEqual, isObject, type JsonValue } from "./object.ts";

export interface JsonPatchOp {
  readonly op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  readonly path: string;
  readonly from?: string;
  readonly value?: JsonValue;
}

/** RFC 6901 §3/§4: "~1" is "/", "~0" is "~" (in that order). */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`json patch: invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function opError(op: JsonPatchOp, why: string): never {
  throw patchNotApplicable(`the server rejected our request due to an error in our request: json patch ${op.op} operation on ${JSON.stringify(op.path)}: ${why}`);
}

function arrayIndex(op: JsonPatchOp, arr: JsonValue[], token: string, forAdd: boolean): number {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) opError(op, `invalid array index ${JSON.stringify(token)}`);
  const i = Number(token);
  if (forAdd ? i > arr.length : i >= arr.length) opError(op, `array index ${i} out of bounds`);
  return i;
}

/** Walks to the container of the last token; returns [container, last token]. */
function parentOf(op: JsonPatchOp, doc: JsonValue, tokens: readonly string[]): [JsonValue, string] {
  let cur: JsonValue = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (Array.isArray(cur)) cur = cur[arrayIndex(op, cur, t, false)] as JsonValue;
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t] as JsonValue;
    else opError(op, "missing value");
  }
  return [cur, tokens[tokens.length - 1] as string];
}

function get(op: JsonPatchOp, doc: JsonValue, pointer: string): JsonValue {
  let cur: JsonValue = doc;
  for (const t of parsePointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(op, cur, t, false)] as JsonValue;
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t] as JsonValue;
    else opError(op, "missing value");
  }
  return cur;
}

function add(op: JsonPatchOp, doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const [parent, last] = parentOf(op, doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(op, parent, last, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else opError(op, "parent is not a container");
  return doc;
}

function remove(op: JsonPatchOp, doc: JsonValue, pointer: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) opError(op, "cannot remove the root");
  const [parent, last] = parentOf(op, doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(op, parent, last, false), 1);
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else opError(op, "missing value");
  return doc;
}

export function parseJsonPatch(body: unknown): JsonPatchOp[] {
  if (!Array.isArray(body)) throw badRequest("the server rejected our request due to an error in our request: json patch must be an array of operations");
  return body.map((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw["op"] !== "string" || typeof raw["path"] !== "string") {
      throw badRequest(`the server rejected our request due to an error in our request: json patch operation ${i} needs "op" and "path"`);
    }
    const op = raw["op"];
    if (!["add", "remove", "replace", "move", "copy", "test"].includes(op)) {
      throw badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${op}`);
    }
    if ((op === "add" || op === "replace" || op === "test") && !("value" in raw)) {
      throw badRequest(`the server rejected our request due to an error in our request: json patch ${op} operation does not have a value`);
    }
    if ((op === "move" || op === "copy") && typeof raw["from"] !== "string") {
      throw badRequest(`the server rejected our request due to an error in our request: json patch ${op} operation does not have a from`);
    }
    return raw as unknown as JsonPatchOp;
  });
}

/** Applies the operations to a copy of `doc`; `doc` itself is left untouched. */
export function applyJsonPatch(doc: JsonValue, ops: readonly JsonPatchOp[]): JsonValue {
  let cur = clone(doc);
  for (const op of ops) {
    switch (op.op) {
      case "add":
        cur = add(op, cur, op.path, clone(op.value as JsonValue));
        break;
      case "remove":
        cur = remove(op, cur, op.path);
        break;
      case "replace":
        // RFC 6902 §4.3: the target location MUST exist.
        get(op, cur, op.path);
        cur = parsePointer(op.path).length === 0 ? clone(op.value as JsonValue) : add(op, remove(op, cur, op.path), op.path, clone(op.value as JsonValue));
        break;
      case "move": {
        const from = op.from as string;
        // RFC 6902 §4.4: a location cannot be moved into one of its children.
        if (op.path.startsWith(from + "/")) opError(op, "cannot move a value into one of its children");
        const v = get(op, cur, from);
        cur = add(op, remove(op, cur, from), op.path, v);
        break;
      }
      case "copy":
        cur = add(op, cur, op.path, clone(get(op, cur, op.from as string)));
        break;
      case "test":
        // RFC 6902 §4.6: compare by JSON equality.
        if (!deepEqual(get(op, cur, op.path), op.value)) {
          throw patchNotApplicable(`the server rejected our request due to an error in our request: testing value ${op.path} failed: test failed`);
        }
        break;
    }
  }
  return cur;
}
