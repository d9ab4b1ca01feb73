// OpenAPI v3 documents generated from the schema definitions: the index at
// /openapi/v3 and one document per group version. kubectl reads them to
// decide that the server validates fields itself (the PATCH operations list
// the `fieldValidation` parameter, so `kubectl apply` sends
// fieldValidation=Strict and the server rejects unknown fields), to compute
// strategic merge patches (x-kubernetes-patch-merge-key/-strategy), and for
// `kubectl explain`.
//
// Not served: /openapi/v2 (a protobuf document); kubectl 1.32 prefers v3.
import { createHash } from "node:crypto";
import { GROUP_VERSIONS, RESOURCES, type ResourceType } from "./resources.ts";
import { resolve, type Definitions, type Schema } from "./schema.ts";
import { definitions } from "./schemas/definitions.ts";
import { META } from "./schemas/meta.ts";

type Json = Record<string, unknown>;

const REF = "#/components/schemas/";

function toOpenApi(s: Schema): Json {
  if (typeof s === "string") {
    switch (s) {
      case "string":
        return { type: "string" };
      case "int32":
      case "int64":
        return { type: "integer", format: s };
      case "number":
        return { type: "number", format: "double" };
      case "boolean":
        return { type: "boolean" };
      case "time":
      case "microtime":
        return { type: "string", format: "date-time" };
      case "intOrString":
        return { type: "string", format: "int-or-string", "x-kubernetes-int-or-string": true };
      case "quantity":
        return { type: "string" };
      case "bytes":
        return { type: "string", format: "byte" };
    }
  }
  switch (s.kind) {
    case "any":
      return { "x-kubernetes-preserve-unknown-fields": true };
    case "ref":
      // The apiserver wraps references in allOf so that siblings (default, description) can sit beside them.
      return { allOf: [{ $ref: `${REF}${s.name}` }], default: {} };
    case "map":
      return { type: "object", additionalProperties: toOpenApi(s.values) };
    case "array": {
      const out: Json = { type: "array", items: toOpenApi(s.items) };
      if (s.listType) out["x-kubernetes-list-type"] = s.listType;
      if (s.mapKeys) out["x-kubernetes-list-map-keys"] = s.mapKeys;
      if (s.mergeKey) out["x-kubernetes-patch-merge-key"] = s.mergeKey;
      if (s.strategy) out["x-kubernetes-patch-strategy"] = s.strategy;
      return out;
    }
    case "object": {
      const props: Json = {};
      for (const [k, v] of Object.entries(s.props)) props[k] = toOpenApi(v);
      const out: Json = { type: "object", properties: props };
      if (s.required && s.required.length > 0) out["required"] = s.required;
      if (s.open) out["x-kubernetes-preserve-unknown-fields"] = true;
      if (s.description) out["description"] = s.description;
      return out;
    }
  }
}

/** Every definition reachable from `roots`. */
function reachable(roots: readonly string[], defs: Definitions): Set<string> {
  const seen = new Set<string>();
  const visit = (s: Schema): void => {
    if (typeof s === "string") return;
    if (s.kind === "ref") {
      if (seen.has(s.name)) return;
      seen.add(s.name);
      visit(resolve(s, defs));
    } else if (s.kind === "object") Object.values(s.props).forEach(visit);
    else if (s.kind === "map") visit(s.values);
    else if (s.kind === "array") visit(s.items);
  };
  for (const r of roots) visit({ kind: "ref", name: r });
  return seen;
}

const PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

function param(name: string, description: string): Json {
  return { name, in: "query", description, schema: { type: "string", uniqueItems: true } };
}

const WRITE_PARAMS = [
  param("dryRun", "When present, indicates that modifications should not be persisted. Valid value: All."),
  param("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict."),
];

function operation(rt: ResourceType, action: string, verb: string, schemaName: string, extra: Json = {}): Json {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  return {
    tags: [rt.group === "" ? "core_v1" : `${rt.group.replace(/\./g, "_")}_${rt.version}`],
    operationId: `${verb}${rt.kind}`,
    responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: `${REF}${schemaName}` } } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    ...extra,
  };
}

function body(types: readonly string[], schemaName: string): Json {
  return { requestBody: { content: Object.fromEntries(types.map((t) => [t, { schema: { $ref: `${REF}${schemaName}` } }])), required: true } };
}

function pathsFor(rt: ResourceType): Json {
  const prefix = rt.group === "" ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  const collection = rt.namespaced ? `${prefix}/namespaces/{namespace}/${rt.resource}` : `${prefix}/${rt.resource}`;
  const item = `${collection}/{name}`;
  const list = `${rt.typeName}List`;
  const paths: Json = {
    [collection]: {
      get: operation(rt, "list", "list", list),
      post: operation(rt, "post", "create", rt.typeName, { parameters: WRITE_PARAMS, ...body(["*/*"], rt.typeName) }),
      delete: operation(rt, "deletecollection", "deleteCollection", `${META}.Status`),
    },
    [item]: {
      get: operation(rt, "get", "read", rt.typeName),
      put: operation(rt, "put", "replace", rt.typeName, { parameters: WRITE_PARAMS, ...body(["*/*"], rt.typeName) }),
      patch: operation(rt, "patch", "patch", rt.typeName, { parameters: [...WRITE_PARAMS, param("force", "Force is going to \"force\" Apply requests.")], ...body(PATCH_TYPES, `${META}.Patch`) }),
      delete: operation(rt, "delete", "delete", `${META}.Status`, body(["*/*"], `${META}.DeleteOptions`)),
    },
  };
  if (rt.namespaced) paths[`${prefix}/${rt.resource}`] = { get: operation(rt, "list", "listForAllNamespaces", list) };
  if (rt.statusSubresource) {
    paths[`${item}/status`] = {
      get: operation(rt, "get", "readStatus", rt.typeName),
      put: operation(rt, "put", "replaceStatus", rt.typeName, { parameters: WRITE_PARAMS, ...body(["*/*"], rt.typeName) }),
      patch: operation(rt, "patch", "patchStatus", rt.typeName, { parameters: WRITE_PARAMS, ...body(PATCH_TYPES, `${META}.Patch`) }),
    };
  }
  return paths;
}

/** The OpenAPI v3 document of one group version. */
export function openApiDocument(group: string, version: string): Json | undefined {
  if (!GROUP_VERSIONS.some((gv) => gv.group === group && gv.version === version)) return undefined;
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  const roots = [...served.flatMap((r) => [r.typeName, `${r.typeName}List`]), `${META}.Status`, `${META}.DeleteOptions`];
  const schemas: Json = {};
  for (const name of [...reachable(roots, definitions)].sort()) {
    const out = toOpenApi(definitions.get(name) as Schema);
    const kinds = served.filter((r) => r.typeName === name || `${r.typeName}List` === name);
    const owner = kinds[0];
    if (owner) out["x-kubernetes-group-version-kind"] = [{ group, version, kind: owner.typeName === name ? owner.kind : `${owner.kind}List` }];
    schemas[name] = out;
  }
  schemas[`${META}.Patch`] = { type: "object", description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body." };
  const paths: Json = {};
  for (const r of served) Object.assign(paths, pathsFor(r));
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas },
  };
}

export interface OpenApiSite {
  readonly index: string;
  /** Documents by path relative to /openapi/v3/ (`api/v1`, `apis/coordination.k8s.io/v1`). */
  readonly documents: ReadonlyMap<string, { readonly json: string; readonly hash: string }>;
}

/** Builds the index and every document once; they never change at runtime. */
export function buildOpenApiSite(): OpenApiSite {
  const documents = new Map<string, { json: string; hash: string }>();
  const paths: Json = {};
  for (const gv of GROUP_VERSIONS) {
    const rel = gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
    const json = JSON.stringify(openApiDocument(gv.group, gv.version));
    const hash = createHash("sha512").update(json).digest("hex").toUpperCase();
    documents.set(rel, { json, hash });
    paths[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${hash}` };
  }
  return { index: JSON.stringify({ paths }), documents };
}
