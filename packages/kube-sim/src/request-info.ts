// Parses a request path the way the apiserver's RequestInfoFactory does:
// API group and version, namespace, resource, name, subresource, and the
// audit verb (get, list, watch, create, update, patch, delete,
// deletecollection). A list or watch with an exact metadata.name field
// selector is named by it, as the apiserver does for RBAC resourceNames. Paths outside /api and /apis, and the discovery paths
// inside them, are non-resource requests.
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface ResourceRequest {
  readonly kind: "resource";
  readonly verb: Verb;
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
}

export interface NonResourceRequest {
  readonly kind: "nonresource";
  /** Lower-case HTTP method, as audit logs name non-resource verbs. */
  readonly verb: string;
  readonly path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/** Namespace subresources that are not resources inside the namespace. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const nonResource: NonResourceRequest = { kind: "nonresource", verb: method.toLowerCase(), path };
  let parts = path.split("/").filter((p) => p !== "");
  let group = "";
  let version: string;
  if (parts[0] === "api") {
    if (parts.length < 3) return nonResource;
    version = parts[1] as string;
    parts = parts.slice(2);
  } else if (parts[0] === "apis") {
    if (parts.length < 4) return nonResource;
    group = parts[1] as string;
    version = parts[2] as string;
    parts = parts.slice(3);
  } else return nonResource;
  let watchPath = false;
  if (parts[0] === "watch") {
    watchPath = true;
    parts = parts.slice(1);
  }
  let namespace = "";
  if (parts[0] === "namespaces" && parts.length >= 2) {
    namespace = parts[1] as string;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  const resource = parts[0] ?? "";
  const name = parts[1] ?? "";
  const subresource = parts[2] ?? "";
  if (resource === "" || parts.length > 3) return nonResource;
  const watchParam = query.get("watch");
  const watching = watchPath || watchParam === "true" || watchParam === "1";
  let verb: Verb;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = watching ? "watch" : name === "" ? "list" : "get";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name === "" ? "deletecollection" : "delete";
      break;
    default:
      return nonResource;
  }
  // The apiserver's RequestInfoFactory names a list or watch by its exact
  // `metadata.name` field selector, so RBAC resourceNames can authorise it.
  const named = name === "" && (verb === "list" || verb === "watch") ? fieldSelectorName(query.get("fieldSelector")) : "";
  return { kind: "resource", verb, group, version, namespace, resource, name: name === "" ? named : name, subresource };
}

/** The name an exact `metadata.name=X` (or `==`) term of a field selector requires; "" when none. */
function fieldSelectorName(selector: string | null): string {
  if (selector === null) return "";
  for (const term of selector.split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(\S+?)\s*$/.exec(term);
    if (m !== null) return m[1] ?? "";
  }
  return "";
}
