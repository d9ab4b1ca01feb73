// The generic registry: what the apiserver does for every resource between
// decoding a request and writing to storage. System metadata (uid,
// creationTimestamp, generateName, generation), the single resourceVersion,
// optimistic concurrency (409 Conflict on a stale resourceVersion or uid),
// the status subresource rule in both directions, no-op writes that keep the
// resourceVersion, finalizers and deletionTimestamp, namespace existence and
// termination, dry runs, and field validation (Strict, Warn, Ignore).
//
// Not here: HTTP (server.ts), watch streams (watch.ts), per-kind rules
// (strategies). Garbage collection by ownerReferences is not simulated.
import { randomUUID } from "node:crypto";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  STALE_OBJECT,
  fieldForbidden,
  type FieldError,
} from "./errors.ts";
import type { ServiceAllocators } from "./ip-alloc.ts";
import { applyJsonPatch, parseJsonPatch } from "./json-patch.ts";
import { applyMergePatch } from "./merge-patch.ts";
import { clone, deepEqual, isObject, objectKey, type JsonObject, type JsonValue, type KubeObject } from "./object.ts";
import { apiVersionOf, RESOURCES, type ResourceType } from "./resources.ts";
import { decode, formatTime, ref } from "./schema.ts";
import { definitions } from "./schemas/definitions.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";
import type { AdmissionContext } from "./strategy.ts";
import type { Store, StoredObject } from "./store.ts";
import { validateObjectMeta } from "./validation.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";
export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface WriteOptions {
  readonly subresource?: "" | "status";
  readonly dryRun?: boolean;
  readonly fieldValidation?: FieldValidation;
  /** Server-side apply needs one (400 without). */
  readonly fieldManager?: string;
}

export interface WriteResult {
  /** The object as the client's group/version sees it. */
  readonly obj: KubeObject;
  /** `obj` serialised (the stored serialisation when there is no view conversion). */
  readonly json: string;
  /** HTTP status: 201 for a create, 200 otherwise. */
  readonly code: 200 | 201;
  readonly warnings: readonly string[];
}

export interface DeleteOptions {
  readonly dryRun?: boolean;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface DeleteResult {
  /** The object (pending or deleted) in the client's view. */
  readonly obj: KubeObject;
  readonly json: string;
  /** Whether the object is gone (false: it waits for finalizers). */
  readonly deleted: boolean;
}

export interface RegistryOptions {
  readonly now: () => number;
  readonly random: () => number;
  readonly allocators: ServiceAllocators;
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const namespacesType = RESOURCES.find((r) => r.resource === "namespaces") as ResourceType;

export class Registry {
  /** Namespaces whose contents are being deleted right now (finalised once, at the end). */
  private readonly sweeping = new Set<string>();

  constructor(
    readonly store: Store,
    private readonly options: RegistryOptions,
  ) {
    // Every collection exists from resourceVersion 0 on, so that a watch on a
    // resource nobody has touched yet resumes from any earlier resourceVersion
    // instead of getting 410 (history starts when the collection does).
    for (const rt of RESOURCES) store.collection(rt.storage);
  }

  private ctx(subresource: "" | "status", dryRun: boolean): AdmissionContext {
    return { subresource, dryRun, now: this.options.now, allocators: this.options.allocators };
  }

  /** The client's view of a stored object. */
  served(rt: ResourceType, obj: KubeObject): KubeObject {
    return rt.view ? rt.view.fromStored(obj) : obj;
  }

  /** The client's view and its serialisation, reusing the store's when no conversion is needed. */
  out(rt: ResourceType, stored: StoredObject): { obj: KubeObject; json: string } {
    if (!rt.view) return { obj: stored.obj, json: stored.json };
    return this.outObject(rt, stored.obj);
  }

  private outObject(rt: ResourceType, o: KubeObject): { obj: KubeObject; json: string } {
    const obj = this.served(rt, o);
    return { obj, json: JSON.stringify(obj) };
  }

  get(rt: ResourceType, namespace: string, name: string): StoredObject {
    const found = this.store.get(rt.storage, objectKey(rt.namespaced ? namespace : "", name));
    if (!found) throw notFound(rt.resource, rt.group, name);
    return found;
  }

  /** Decodes a request body into the stored form; returns warnings for unknown fields. */
  private decodeBody(rt: ResourceType, body: unknown, validation: FieldValidation): { obj: KubeObject; warnings: string[] } {
    if (!isObject(body)) throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the object provided is not a JSON object`);
    const apiVersion = body["apiVersion"];
    const kind = body["kind"];
    if ((kind !== undefined && kind !== rt.kind) || (apiVersion !== undefined && apiVersion !== apiVersionOf(rt))) {
      throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the object of kind ${String(kind)} in version ${String(apiVersion)} does not match the expected ${apiVersionOf(rt)}, Kind=${rt.kind}`);
    }
    if (body["metadata"] !== undefined && !isObject(body["metadata"])) throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: metadata must be an object`);
    const { unknownFields } = decode(body, rt.typeName, definitions);
    const warnings = unknownFields.map((f) => `unknown field "${f}"`);
    if (unknownFields.length > 0 && validation === "Strict") {
      throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${warnings.join(", ")}`);
    }
    const obj = body as unknown as KubeObject;
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    if (!isObject(obj.metadata)) obj.metadata = {};
    return { obj: rt.view ? rt.view.toStored(obj) : obj, warnings: validation === "Ignore" ? [] : warnings };
  }

  private checkNamespace(rt: ResourceType, namespace: string, name: string): void {
    if (!rt.namespaced) return;
    const ns = this.store.get(namespacesType.storage, namespace);
    if (!ns) throw notFound("namespaces", "", namespace);
    if (ns.obj.metadata.deletionTimestamp !== undefined) {
      throw forbidden(`${rt.resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  create(rt: ResourceType, namespace: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const { obj, warnings } = this.decodeBody(rt, body, opts.fieldValidation ?? "Warn");
    const meta = obj.metadata;
    if (rt.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace;
    } else delete meta.namespace;
    if ((meta.name ?? "") === "" && (meta.generateName ?? "") !== "") {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(this.options.random() * GENERATE_ALPHABET.length)];
      meta.name = `${meta.generateName}${suffix}`;
    }
    const name = meta.name ?? "";
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.options.now() / 1000);
    for (const k of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"]) delete meta[k];
    if (rt.generation) meta.generation = 1;
    else delete meta.generation;
    const metaErrs = validateObjectMeta(meta, rt.nameRule, rt.namespaced);
    if (metaErrs.length > 0) throw invalid(rt.kind, rt.group, name, metaErrs);
    this.checkNamespace(rt, namespace, name);
    const key = objectKey(rt.namespaced ? namespace : "", name);
    if (this.store.get(rt.storage, key)) throw alreadyExists(rt.resource, rt.group, name);
    if (rt.statusSubresource && rt.strategy.statusOnCreate === "reset") delete obj["status"];
    const errs = rt.strategy.create?.(obj, this.ctx("", opts.dryRun === true)) ?? [];
    if (errs.length > 0) throw invalid(rt.kind, rt.group, name, errs);
    if (opts.dryRun) return { ...this.outObject(rt, obj), code: 201, warnings };
    const rv = this.store.nextResourceVersion();
    meta.resourceVersion = String(rv);
    const stored = this.store.commit(rt.storage, key, rt.namespaced ? namespace : "", "ADDED", obj, rv);
    return { ...this.out(rt, stored), code: 201, warnings };
  }

  update(rt: ResourceType, namespace: string, name: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const key = objectKey(rt.namespaced ? namespace : "", name);
    const cur = this.store.get(rt.storage, key);
    if (!cur) {
      if (rt.allowCreateOnUpdate && opts.subresource !== "status") return this.create(rt, namespace, body, opts);
      throw notFound(rt.resource, rt.group, name);
    }
    const { obj, warnings } = this.decodeBody(rt, body, opts.fieldValidation ?? "Warn");
    this.checkIdentity(rt, obj, namespace, name);
    return { ...this.commitUpdate(rt, cur, obj, opts), warnings };
  }

  patch(rt: ResourceType, namespace: string, name: string, type: PatchType, body: unknown, opts: WriteOptions = {}): WriteResult {
    const key = objectKey(rt.namespaced ? namespace : "", name);
    const cur = this.store.get(rt.storage, key);
    if (type === "apply" && (opts.fieldManager ?? "") === "") {
      throw invalid("PatchOptions", "meta.k8s.io", "", [{ reason: "FieldValueRequired", field: "fieldManager", detail: "is required for apply patch" }]);
    }
    if (!cur) {
      // Server-side apply creates what does not exist yet.
      if (type === "apply" && opts.subresource !== "status") return this.create(rt, namespace, body, opts);
      throw notFound(rt.resource, rt.group, name);
    }
    const current = this.served(rt, JSON.parse(cur.json) as KubeObject) as unknown as JsonObject;
    let patched: JsonValue;
    switch (type) {
      case "json":
        patched = applyJsonPatch(current, parseJsonPatch(body));
        break;
      case "merge":
        if (!isObject(body)) throw badRequest("json: cannot unmarshal into Go value of type map[string]interface {}: a merge patch must be a JSON object");
        patched = applyMergePatch(current, body);
        break;
      case "strategic":
      case "apply":
        if (!isObject(body)) throw badRequest("json: cannot unmarshal into Go value of type map[string]interface {}: a strategic merge patch must be a JSON object");
        patched = applyStrategicMergePatch(current, body, ref(rt.typeName), definitions);
        break;
    }
    const { obj, warnings } = this.decodeBody(rt, patched, opts.fieldValidation ?? "Warn");
    this.checkIdentity(rt, obj, namespace, name);
    // The patch functions never modify their input, so `current` still holds the stored
    // values of everything the patch did not replace: a /status write can start from it.
    return { ...this.commitUpdate(rt, cur, obj, opts, rt.view ? undefined : (current as unknown as KubeObject)), warnings };
  }

  private checkIdentity(rt: ResourceType, obj: KubeObject, namespace: string, name: string): void {
    if ((obj.metadata.name ?? "") !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name ?? ""}) does not match the name on the URL (${name})`);
    }
    if (rt.namespaced) {
      if ((obj.metadata.namespace ?? "") !== "" && obj.metadata.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
  }

  /**
   * The shared tail of update and patch: preconditions, status rule, admission, no-op check, commit.
   * `base`, when given, is a private mutable copy of the stored object.
   */
  private commitUpdate(rt: ResourceType, cur: StoredObject, incoming: KubeObject, opts: WriteOptions, base?: KubeObject): Omit<WriteResult, "warnings"> {
    const old = cur.obj;
    const name = old.metadata.name ?? "";
    const sentRv = incoming.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== "" && sentRv !== old.metadata.resourceVersion) throw conflict(rt.resource, rt.group, name, STALE_OBJECT);
    const sentUid = incoming.metadata.uid;
    if (sentUid !== undefined && sentUid !== "" && sentUid !== old.metadata.uid) {
      throw conflict(rt.resource, rt.group, name, `Precondition failed: UID in precondition: ${sentUid}, UID in object meta: ${old.metadata.uid ?? ""}`);
    }
    const subresource = opts.subresource ?? "";
    let next: KubeObject;
    if (subresource === "status") {
      // A /status write changes status and the user-settable metadata (labels,
      // annotations, finalizers); spec stays as stored. The API server's status
      // strategies reset only spec, and controllers rely on it: MetalLB writes
      // its ip-allocated-from-pool annotation together with the status.
      next = base ?? (JSON.parse(cur.json) as KubeObject);
      if (incoming["status"] === undefined) delete next["status"];
      else next["status"] = incoming["status"];
      for (const k of ["labels", "annotations", "finalizers"] as const) {
        if (incoming.metadata[k] === undefined) delete next.metadata[k];
        else next.metadata[k] = incoming.metadata[k] as never;
      }
    } else {
      next = incoming;
      if (rt.statusSubresource) {
        // Status sent to the main resource is ignored.
        if (old["status"] === undefined) delete next["status"];
        else next["status"] = clone(old["status"]);
      }
      const meta = next.metadata;
      for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] as const) {
        if (old.metadata[k] === undefined) delete meta[k];
        else meta[k] = old.metadata[k] as never;
      }
      delete meta.selfLink;
      delete meta.managedFields;
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion as string;
    const errs: FieldError[] = validateObjectMeta(next.metadata, rt.nameRule, rt.namespaced);
    if (old.metadata.deletionTimestamp !== undefined) {
      const before = new Set(old.metadata.finalizers ?? []);
      if ((next.metadata.finalizers ?? []).some((f) => !before.has(f))) {
        errs.push(fieldForbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"));
      }
    }
    errs.push(...(rt.strategy.update?.(next, old, this.ctx(subresource, opts.dryRun === true)) ?? []));
    if (errs.length > 0) throw invalid(rt.kind, rt.group, name, errs);
    if (rt.generation && subresource === "" && !deepEqual(next["spec"], old["spec"])) {
      next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    // A write that changes nothing keeps the resourceVersion and sends no watch event.
    if (deepEqual(next, old)) return { ...this.out(rt, cur), code: 200 };
    if (opts.dryRun) return { ...this.outObject(rt, next), code: 200 };
    const key = objectKey(old.metadata.namespace ?? "", name);
    const namespace = old.metadata.namespace ?? "";
    const rv = this.store.nextResourceVersion();
    next.metadata.resourceVersion = String(rv);
    if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
      // The last finalizer is gone: the deletion completes now.
      const gone = this.store.commit(rt.storage, key, namespace, "DELETED", next, rv);
      rt.strategy.deleted?.(gone.obj, this.ctx("", false));
      this.afterDelete(rt, namespace);
      return { ...this.out(rt, gone), code: 200 };
    }
    const stored = this.store.commit(rt.storage, key, namespace, "MODIFIED", next, rv);
    return { ...this.out(rt, stored), code: 200 };
  }

  delete(rt: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): DeleteResult {
    const cur = this.get(rt, namespace, name);
    const old = cur.obj;
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== old.metadata.uid) {
      throw conflict(rt.resource, rt.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ""}`);
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt.resource, rt.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ""}`);
    }
    const ns = rt.namespaced ? namespace : "";
    const key = objectKey(ns, name);
    const next = JSON.parse(cur.json) as KubeObject;
    if (rt.storage === "namespaces") return this.deleteNamespace(cur, next, opts);
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp !== undefined || opts.dryRun) return { ...this.out(rt, cur), deleted: false };
      next.metadata.deletionTimestamp = formatTime(this.options.now() / 1000);
      next.metadata.deletionGracePeriodSeconds = 0;
      const rv = this.store.nextResourceVersion();
      next.metadata.resourceVersion = String(rv);
      return { ...this.out(rt, this.store.commit(rt.storage, key, ns, "MODIFIED", next, rv)), deleted: false };
    }
    if (opts.dryRun) return { ...this.out(rt, cur), deleted: true };
    const rv = this.store.nextResourceVersion();
    next.metadata.resourceVersion = String(rv);
    const gone = this.store.commit(rt.storage, key, ns, "DELETED", next, rv);
    rt.strategy.deleted?.(gone.obj, this.ctx("", false));
    this.afterDelete(rt, ns);
    return { ...this.out(rt, gone), deleted: true };
  }

  /**
   * Namespace deletion: phase Terminating, then everything in it is deleted
   * (what the namespace controller does), then the namespace itself once it
   * is empty. Objects held by finalizers keep it Terminating.
   */
  private deleteNamespace(cur: StoredObject, next: KubeObject, opts: DeleteOptions): DeleteResult {
    const name = cur.obj.metadata.name ?? "";
    if (opts.dryRun) return { ...this.out(namespacesType, cur), deleted: false };
    if (cur.obj.metadata.deletionTimestamp === undefined) {
      next.metadata.deletionTimestamp = formatTime(this.options.now() / 1000);
      next.metadata.deletionGracePeriodSeconds = 0;
      next["status"] = { ...(isObject(next["status"]) ? next["status"] : {}), phase: "Terminating" };
      const rv = this.store.nextResourceVersion();
      next.metadata.resourceVersion = String(rv);
      this.store.commit("namespaces", name, "", "MODIFIED", next, rv);
      this.sweeping.add(name);
      try {
        for (const rt of RESOURCES) {
          if (!rt.namespaced || rt.view) continue;
          const c = this.store.collection(rt.storage);
          for (const key of [...c.keys(name)]) {
            const o = c.objects.get(key);
            if (o) this.delete(rt, name, o.obj.metadata.name ?? "");
          }
        }
      } finally {
        this.sweeping.delete(name);
      }
    }
    const done = this.finalizeNamespace(name);
    return { ...this.out(namespacesType, done ?? (this.store.get("namespaces", name) as StoredObject)), deleted: done !== undefined };
  }

  private finalizeNamespace(name: string): StoredObject | undefined {
    const ns = this.store.get("namespaces", name);
    if (!ns || ns.obj.metadata.deletionTimestamp === undefined || (ns.obj.metadata.finalizers ?? []).length > 0) return undefined;
    for (const rt of RESOURCES) if (rt.namespaced && this.store.collection(rt.storage).namespaceSize(name) > 0) return undefined;
    const next = JSON.parse(ns.json) as KubeObject;
    const rv = this.store.nextResourceVersion();
    next.metadata.resourceVersion = String(rv);
    return this.store.commit("namespaces", name, "", "DELETED", next, rv);
  }

  private afterDelete(rt: ResourceType, namespace: string): void {
    if (rt.namespaced && namespace !== "" && !this.sweeping.has(namespace)) {
      const ns = this.store.get("namespaces", namespace);
      if (ns?.obj.metadata.deletionTimestamp !== undefined) this.finalizeNamespace(namespace);
    }
  }
}
