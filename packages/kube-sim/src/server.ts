// The HTTP front: routes each request (request-info.ts) to discovery,
// OpenAPI or the registry, negotiates the response form (JSON, Table,
// aggregated discovery), reads and limits bodies, maps patch content types,
// applies injected faults and latency, records the request log, and writes
// Kubernetes Status objects for every failure.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  aggregatedDiscovery,
  apiGroupBody,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionBody,
  type VersionInfo,
} from "./discovery.ts";
import {
  badRequest,
  expired,
  internalError,
  KubeSimError,
  methodNotAllowed,
  notAcceptable,
  resourceNotServed,
  unsupportedMediaType,
  tooManyRequests,
} from "./errors.ts";
import type { Faults, MatchTarget } from "./faults.ts";
import { isObject, type KubeObject } from "./object.ts";
import type { OpenApiSite } from "./openapi.ts";
import { decodeKubernetesProtobuf } from "./protobuf.ts";
import { compileFilter, list } from "./query.ts";
import type { FieldValidation, PatchType, Registry, WriteOptions } from "./registry.ts";
import { parseRequestInfo, type ResourceRequest } from "./request-info.ts";
import type { RequestLog } from "./request-log.ts";
import { apiVersionOf, findResource, type ResourceType } from "./resources.ts";
import { columnDefinitions, columnsFor, tableRow, type IncludeObject } from "./tables.ts";
import { Watch, type WatchEnv } from "./watch.ts";

export interface ServerCore {
  readonly registry: Registry;
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  readonly openapi: OpenApiSite;
  readonly watchEnv: WatchEnv;
  readonly version: VersionInfo;
  readonly now: () => number;
}

const MAX_BODY = 3 * 1024 * 1024;

type Representation = { readonly form: "json" } | { readonly form: "table"; readonly version: string } | { readonly form: "aggregated"; readonly version: "v2" | "v2beta1" };

/** The first media type in Accept that we can produce, in the client's order of preference. */
export function negotiate(accept: string | undefined): Representation | undefined {
  if (accept === undefined || accept.trim() === "") return { form: "json" };
  for (const media of accept.split(",")) {
    const [type = "", ...rest] = media.split(";").map((p) => p.trim());
    const params = new Map(rest.map((p) => p.split("=").map((x) => x.trim()) as [string, string]));
    if (type === "*/*" || type === "application/*") return { form: "json" };
    if (type !== "application/json") continue;
    const as = params.get("as");
    if (as === undefined) return { form: "json" };
    const v = params.get("v");
    if (as === "Table" && params.get("g") === "meta.k8s.io" && (v === "v1" || v === "v1beta1")) return { form: "table", version: v };
    if (as === "APIGroupDiscoveryList" && params.get("g") === "apidiscovery.k8s.io" && (v === "v2" || v === "v2beta1")) return { form: "aggregated", version: v };
  }
  return undefined;
}

class Exchange {
  private logged = false;

  constructor(
    readonly core: ServerCore,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly target: MatchTarget & { readonly path: string },
    readonly arrival: number,
    readonly user: string,
  ) {}

  log(code: number): void {
    if (this.logged) return;
    this.logged = true;
    this.core.requestLog.record({ ...this.target, user: this.user, code, time: this.arrival });
  }

  send(code: number, body: string, headers: Record<string, string | string[]> = {}, contentType = "application/json"): void {
    this.log(code);
    this.res.writeHead(code, { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(body)), ...headers });
    this.res.end(body);
  }

  sendError(err: unknown): void {
    const e = err instanceof KubeSimError ? err : internalError(err instanceof Error ? err.message : String(err));
    const headers: Record<string, string> = {};
    if (e.details?.retryAfterSeconds !== undefined) headers["Retry-After"] = String(e.details.retryAfterSeconds);
    this.send(e.httpStatus, JSON.stringify(e.toStatus()), headers);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      if (tooLarge) reject(new KubeSimError("RequestEntityTooLarge", 413, `Request entity too large: limit is ${MAX_BODY}`));
      else resolve(chunks.length === 0 ? undefined : Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

function parseJson(body: Buffer | undefined): unknown {
  if (body === undefined || body.length === 0) throw badRequest("the request body is empty");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(e as Error).message}`);
  }
}

function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+json": "apply",
};

function writeOptions(q: URLSearchParams, subresource: string): WriteOptions {
  const dryRun = q.getAll("dryRun");
  if (dryRun.some((d) => d !== "All")) throw badRequest(`dryRun: Unsupported value: "${dryRun.join(",")}": supported values: "All"`);
  const fv = q.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(fv)) throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  const manager = q.get("fieldManager");
  return {
    subresource: subresource === "status" ? "status" : "",
    dryRun: dryRun.length > 0,
    fieldValidation: fv as FieldValidation,
    ...(manager !== null ? { fieldManager: manager } : {}),
  };
}

function warningHeaders(warnings: readonly string[]): Record<string, string[]> {
  return warnings.length === 0 ? {} : { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

function tableBody(ex: Exchange, rt: ResourceType, rep: { version: string }, rows: readonly KubeObject[], meta: Record<string, unknown>, include: IncludeObject): string {
  const columns = columnsFor(rt.storage);
  const now = ex.core.now();
  const reg = ex.core.registry;
  return JSON.stringify({
    kind: "Table",
    apiVersion: `meta.k8s.io/${rep.version}`,
    metadata: meta,
    columnDefinitions: columnDefinitions(columns),
    rows: rows.map((o) => tableRow(columns, o, reg.served(rt, o), include, now)),
  });
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject") ?? "Metadata";
  if (v !== "None" && v !== "Metadata" && v !== "Object") throw badRequest(`includeObject: Unsupported value: "${v}"`);
  return v;
}

function parseResourceVersion(v: string | null): number | undefined {
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`resourceVersion: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

function handleResource(ex: Exchange, info: ResourceRequest, q: URLSearchParams, body: Buffer | undefined): void {
  const core = ex.core;
  const reg = core.registry;
  const rt = findResource(info.group, info.version, info.resource);
  if (!rt || (info.subresource !== "" && !(info.subresource === "status" && rt.statusSubresource)) || (!rt.namespaced && info.namespace !== "" && rt.resource !== "namespaces")) {
    throw resourceNotServed();
  }
  if (info.subresource !== "" && info.name === "") throw resourceNotServed();
  const ns = rt.namespaced ? info.namespace : "";
  const failure = core.faults.takeFailure(ex.target);
  if (failure) {
    const retry = failure.retryAfterSeconds ?? 1;
    if (failure.code === 409) throw new KubeSimError("Conflict", 409, `Operation cannot be fulfilled on ${info.resource} "${info.name}": injected conflict`, { name: info.name, group: info.group, kind: info.resource });
    if (failure.code === 429) throw tooManyRequests(retry);
    if (failure.code === 503) throw new KubeSimError("ServiceUnavailable", 503, "the server is currently unable to handle the request", { retryAfterSeconds: retry });
    throw internalError("injected failure");
  }
  const rep = negotiate(ex.req.headers.accept);
  if (rep === undefined || rep.form === "aggregated") throw notAcceptable(`only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io`);
  switch (info.verb) {
    case "get": {
      const o = reg.get(rt, ns, info.name);
      if (rep.form === "table") return ex.send(200, tableBody(ex, rt, rep, [o.obj], { resourceVersion: o.obj.metadata.resourceVersion }, includeObject(q)));
      return ex.send(200, reg.out(rt, o).json);
    }
    case "list": {
      const limit = q.get("limit");
      const cont = q.get("continue");
      const page = list(reg.store, rt, { namespace: ns, labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined }, {
        ...(limit !== null && /^\d+$/.test(limit) ? { limit: Number(limit) } : {}),
        ...(cont !== null && cont !== "" ? { continue: cont } : {}),
      });
      const meta: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
      if (page.continue !== undefined) {
        meta["continue"] = page.continue;
        meta["remainingItemCount"] = page.remainingItemCount;
      }
      if (rep.form === "table") return ex.send(200, tableBody(ex, rt, rep, page.items.map((i) => i.obj), meta, includeObject(q)));
      const head = `{"kind":"${rt.kind}List","apiVersion":"${apiVersionOf(rt)}","metadata":${JSON.stringify(meta)},"items":[`;
      return ex.send(200, `${head}${page.items.map((i) => reg.out(rt, i).json).join(",")}]}`);
    }
    case "watch": {
      const filter = compileFilter(rt, {
        namespace: ns,
        name: info.name === "" ? undefined : info.name,
        labelSelector: q.get("labelSelector") ?? undefined,
        fieldSelector: q.get("fieldSelector") ?? undefined,
      });
      const rv = parseResourceVersion(q.get("resourceVersion"));
      const timeout = q.get("timeoutSeconds");
      ex.log(200);
      if (core.faults.takeExpiry(ex.target)) {
        return Watch.refuse(ex.res, expired(`too old resource version: ${rv ?? 0} (${reg.store.resourceVersion})`));
      }
      const w = new Watch(ex.res, {
        rt,
        filter,
        resourceVersion: rv,
        allowBookmarks: q.get("allowWatchBookmarks") === "true",
        timeoutSeconds: timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : undefined,
        sendInitialEvents: q.get("sendInitialEvents") === "true",
        table: rep.form === "table" ? { columns: columnsFor(rt.storage), include: includeObject(q) } : undefined,
      }, core.watchEnv);
      return w.start();
    }
    case "create": {
      if (info.subresource !== "") throw methodNotAllowed();
      const r = reg.create(rt, ns, objectBody(ex.req, body), writeOptions(q, ""));
      return ex.send(r.code, r.json, warningHeaders(r.warnings));
    }
    case "update": {
      const r = reg.update(rt, ns, info.name, objectBody(ex.req, body), writeOptions(q, info.subresource));
      return ex.send(r.code, r.json, warningHeaders(r.warnings));
    }
    case "patch": {
      const type = PATCH_TYPES[mediaType(ex.req)];
      if (type === undefined) throw unsupportedMediaType(mediaType(ex.req));
      const r = reg.patch(rt, ns, info.name, type, parseJson(body), writeOptions(q, info.subresource));
      return ex.send(r.code, r.json, warningHeaders(r.warnings));
    }
    case "delete": {
      if (info.subresource !== "") throw methodNotAllowed();
      const opts = deleteOptions(q, body);
      const r = reg.delete(rt, ns, info.name, opts);
      if (!r.deleted || rt.deleteReturnsObject) return ex.send(200, r.json);
      return ex.send(200, JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: info.name, group: rt.group, kind: rt.resource, uid: r.obj.metadata.uid } }));
    }
    case "deletecollection": {
      const opts = deleteOptions(q, body);
      const page = list(reg.store, rt, { namespace: ns, labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined });
      const deleted = page.items.map((i) => reg.delete(rt, i.obj.metadata.namespace ?? "", i.obj.metadata.name ?? "", opts).obj);
      return ex.send(200, JSON.stringify({ kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(reg.store.resourceVersion) }, items: deleted }));
    }
  }
}

/** A create or update body: JSON, or protobuf for the kinds kubectl's typed clients send so. */
function objectBody(req: IncomingMessage, body: Buffer | undefined): unknown {
  const t = mediaType(req);
  if (t === "application/vnd.kubernetes.protobuf") {
    if (body === undefined) throw badRequest("the request body is empty");
    return decodeKubernetesProtobuf(body);
  }
  if (t !== "" && t !== "application/json" && t !== "*/*") throw unsupportedMediaType(t);
  return parseJson(body);
}

function deleteOptions(q: URLSearchParams, body: Buffer | undefined): { dryRun: boolean; preconditions?: { uid?: string; resourceVersion?: string } } {
  let dryRun = q.getAll("dryRun").includes("All");
  let preconditions: { uid?: string; resourceVersion?: string } | undefined;
  if (body !== undefined && body.length > 0) {
    const opts = parseJson(body);
    if (isObject(opts)) {
      if (Array.isArray(opts["dryRun"]) && opts["dryRun"].includes("All")) dryRun = true;
      const pre = opts["preconditions"];
      if (isObject(pre)) {
        preconditions = {
          ...(typeof pre["uid"] === "string" ? { uid: pre["uid"] } : {}),
          ...(typeof pre["resourceVersion"] === "string" ? { resourceVersion: pre["resourceVersion"] } : {}),
        };
      }
    }
  }
  return { dryRun, ...(preconditions ? { preconditions } : {}) };
}

function handleNonResource(ex: Exchange, path: string): void {
  const method = ex.req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") throw methodNotAllowed();
  const rep = negotiate(ex.req.headers.accept) ?? { form: "json" };
  const json = (body: object | undefined): void => {
    if (body === undefined) throw resourceNotServed();
    ex.send(200, JSON.stringify(body));
  };
  const parts = path.split("/").filter((p) => p !== "");
  if (path === "/version" || path === "/version/") return json(versionBody(ex.core.version));
  if (path === "/healthz" || path === "/livez" || path === "/readyz") return ex.send(200, "ok", {}, "text/plain; charset=utf-8");
  if (path === "/api" || path === "/api/" || path === "/apis" || path === "/apis/") {
    const core = parts[0] === "api";
    if (rep.form === "aggregated") {
      return ex.send(200, JSON.stringify(aggregatedDiscovery(core, rep.version)), {}, `application/json;g=apidiscovery.k8s.io;v=${rep.version};as=APIGroupDiscoveryList`);
    }
    return json(core ? apiVersions() : apiGroupList());
  }
  if (parts[0] === "api" && parts.length === 2) return json(apiResourceList("", parts[1] as string));
  if (parts[0] === "apis" && parts.length === 2) return json(apiGroupBody(parts[1] as string));
  if (parts[0] === "apis" && parts.length === 3) return json(apiResourceList(parts[1] as string, parts[2] as string));
  if (path === "/openapi/v3" || path === "/openapi/v3/") return ex.send(200, ex.core.openapi.index);
  if (path.startsWith("/openapi/v3/")) {
    const doc = ex.core.openapi.documents.get(path.slice("/openapi/v3/".length));
    if (!doc) throw resourceNotServed();
    return ex.send(200, doc.json, { "Cache-Control": "public, immutable", Etag: `"${doc.hash}"` });
  }
  throw resourceNotServed();
}

/** The bearer token of the request, "" without one. Nothing checks it: it only names the client in the request log. */
function bearerToken(req: IncomingMessage): string {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m?.[1] ?? "";
}

export function handleRequest(core: ServerCore, req: IncomingMessage, res: ServerResponse): void {
  const arrival = core.now();
  const url = new URL(req.url ?? "/", "http://kube-sim");
  const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
  const target =
    info.kind === "resource"
      ? { verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name, path: "" }
      : { verb: info.verb, group: "", resource: "", subresource: "", namespace: "", name: "", path: info.path };
  const ex = new Exchange(core, req, res, target, arrival, bearerToken(req));
  const run = (body: Buffer | undefined): void => {
    try {
      if (info.kind === "resource") handleResource(ex, info, url.searchParams, body);
      else handleNonResource(ex, info.path);
    } catch (err) {
      ex.sendError(err);
    }
  };
  const needsBody = req.method === "POST" || req.method === "PUT" || req.method === "PATCH" || req.method === "DELETE";
  const bodyReady: Promise<Buffer | undefined> = needsBody ? readBody(req) : Promise.resolve(undefined);
  const delay = core.faults.latencyFor(target);
  bodyReady.then(
    (body) => (delay > 0 ? void setTimeout(() => run(body), delay) : run(body)),
    (err: unknown) => ex.sendError(err),
  );
}
