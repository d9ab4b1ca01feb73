// Validates Kubernetes objects against the API's types as
// @kubernetes/client-node generates them from the Kubernetes OpenAPI spec
// (its models say "OpenAPI spec version: v1.34.0"): every field must exist
// in the type (unknown fields are errors, as `kubectl apply
// --validate=strict` makes them), every value must have the field's JSON
// type, and every field the type marks required (declared without `?` in the
// generated .d.ts) must be present.
//
// Deliberately not here: the API server's semantic validation (name formats,
// enum values, selector/label agreement). kube-sim checks part of that on
// apply; the rest needs a real cluster.
import * as k8s from "@kubernetes/client-node";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

interface Model {
  getAttributeTypeMap(): readonly Attribute[];
}

const MODELS_DIR = join(dirname(createRequire(import.meta.url).resolve("@kubernetes/client-node")), "gen", "models");
const models = k8s as unknown as Record<string, Model | undefined>;
const requiredCache = new Map<string, ReadonlySet<string>>();

/** The generated model of a top-level kind: V1Deployment for apps/v1 Deployment, and so on. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.includes("/") ? (apiVersion.split("/")[1] as string) : apiVersion;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Problems of one object, each "path: what"; empty when it conforms. */
export function validateObject(obj: unknown): string[] {
  if (!isPlainObject(obj)) return ["(root): not an object"];
  const apiVersion = obj["apiVersion"];
  const kind = obj["kind"];
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["(root): apiVersion and kind are required strings"];
  const name = modelName(apiVersion, kind);
  if (models[name] === undefined) return [`(root): no type ${name} for ${apiVersion} ${kind}`];
  const problems: string[] = [];
  check(obj, name, "", problems);
  return problems;
}

function check(value: unknown, type: string, path: string, problems: string[]): void {
  const at = path === "" ? "(root)" : path;
  if (type === "any" || type === "object") return;
  if (type === "string" || type === "Date" || type === "V1MicroTime") {
    if (typeof value !== "string") problems.push(`${at}: want a string, got ${describe(value)}`);
    return;
  }
  if (type === "number") {
    if (typeof value !== "number") problems.push(`${at}: want a number, got ${describe(value)}`);
    return;
  }
  if (type === "boolean") {
    if (typeof value !== "boolean") problems.push(`${at}: want a boolean, got ${describe(value)}`);
    return;
  }
  if (type === "IntOrString") {
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) problems.push(`${at}: want an integer or a string, got ${describe(value)}`);
    return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) {
      problems.push(`${at}: want a list, got ${describe(value)}`);
      return;
    }
    value.forEach((v, i) => check(v, array[1] as string, `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (!isPlainObject(value)) {
      problems.push(`${at}: want a map, got ${describe(value)}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) check(v, map[1] as string, `${path}.${k}`, problems);
    return;
  }
  const model = models[type];
  if (model === undefined || typeof model.getAttributeTypeMap !== "function") {
    problems.push(`${at}: no generated type ${type} to check against`);
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${at}: want an object (${type}), got ${describe(value)}`);
    return;
  }
  const attrs = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a]));
  for (const [k, v] of Object.entries(value)) {
    const a = attrs.get(k);
    const p = path === "" ? k : `${path}.${k}`;
    if (a === undefined) {
      problems.push(`${p}: unknown field (not in ${type})`);
      continue;
    }
    if (v === null) continue; // null means "unset" to the API server's decoder
    check(v, a.type, p, problems);
  }
  for (const r of requiredFields(type)) if (!(r in value)) problems.push(`${path === "" ? r : `${path}.${r}`}: required by ${type}`);
}

/** Fields the generated declaration marks required ('name': T; rather than 'name'?: T;). */
function requiredFields(type: string): ReadonlySet<string> {
  let set = requiredCache.get(type);
  if (set !== undefined) return set;
  const file = join(MODELS_DIR, `${type}.d.ts`);
  const found = new Set<string>();
  if (existsSync(file)) {
    for (const m of readFileSync(file, "utf8").matchAll(/^\s+'([^']+)':\s/gm)) found.add(m[1] as string);
  }
  // apiVersion and kind are optional in the types (the client fills them), required in a manifest.
  found.delete("apiVersion");
  found.delete("kind");
  set = found;
  requiredCache.set(type, set);
  return set;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}
