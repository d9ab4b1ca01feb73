// LIST and the filter every watch applies: namespace, name, label selector
// and field selector (only the fields the resource supports; others are a
// 400 "field label not supported"), pagination with `limit` and an opaque
// `continue` token, items in etcd key order.
//
// Not here: consistent snapshots across pages. A continued list reads the
// current state after the last key returned (the apiserver would read the
// first page's revision).
import { badRequest } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import type { ResourceType } from "./resources.ts";
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import type { Store, StoredObject } from "./store.ts";

export interface Query {
  /** "" for all namespaces (or a cluster-scoped resource). */
  readonly namespace: string;
  readonly name?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export type Filter = (obj: KubeObject) => boolean;

export function compileFilter(rt: ResourceType, q: Query): Filter {
  const labels = parseLabelSelector(q.labelSelector ?? "");
  const fields = parseFieldSelector(q.fieldSelector ?? "");
  for (const f of fields) {
    if (rt.fieldSelectors[f.field] === undefined) throw badRequest(`field label not supported: ${f.field}`);
  }
  const ns = rt.namespaced ? q.namespace : "";
  const name = q.name;
  const get = (obj: KubeObject) => (field: string) => rt.fieldSelectors[field]?.(obj);
  return (obj) =>
    (ns === "" || obj.metadata.namespace === ns) &&
    (name === undefined || obj.metadata.name === name) &&
    (labels.length === 0 || matchLabels(labels, obj.metadata.labels ?? {})) &&
    (fields.length === 0 || matchFields(fields, get(obj)));
}

export interface ListPage {
  readonly items: readonly StoredObject[];
  readonly resourceVersion: number;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString("base64url");
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as ContinueToken;
    if (typeof t.start === "string" && typeof t.rv === "number") return t;
  } catch {
    // fall through
  }
  throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
}

export function list(store: Store, rt: ResourceType, q: Query, page: { readonly limit?: number; readonly continue?: string } = {}): ListPage {
  const filter = compileFilter(rt, q);
  const c = store.collection(rt.storage);
  const ns = rt.namespaced && q.namespace !== "" ? q.namespace : undefined;
  const token = page.continue ? decodeContinue(page.continue) : undefined;
  const rv = token?.rv ?? store.resourceVersion;
  let keys = c.keys(ns);
  if (token) {
    // Binary search for the first key after the token's.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) <= token.start) lo = mid + 1;
      else hi = mid;
    }
    keys = keys.slice(lo);
  }
  const limit = page.limit !== undefined && page.limit > 0 ? page.limit : Infinity;
  const items: StoredObject[] = [];
  let i = 0;
  for (; i < keys.length && items.length < limit; i++) {
    const o = c.objects.get(keys[i] as string);
    if (o && filter(o.obj)) items.push(o);
  }
  if (i < keys.length && items.length >= limit) {
    let remaining = 0;
    for (let j = i; j < keys.length; j++) {
      const o = c.objects.get(keys[j] as string);
      if (o && filter(o.obj)) remaining++;
    }
    if (remaining > 0) return { items, resourceVersion: rv, continue: encodeContinue({ rv, start: keys[i - 1] as string }), remainingItemCount: remaining };
  }
  return { items, resourceVersion: rv };
}
