// The request log: what clients asked for, named like apiserver audit
// entries (verb, group, resource, subresource, namespace, name, status
// code) and who asked: the bearer token the client presented (kube-sim
// authenticates nobody; a token per component in its kubeconfig tells the
// components apart, as service account tokens do on a cluster). Counters by verb/group/resource/subresource are exact for the whole
// run; individual entries are kept up to a bound, newest last.
export interface RequestLogEntry {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  /** The bearer token of the request ("" without one): who asked. */
  readonly user: string;
  /** Path of a non-resource request (discovery, OpenAPI, /version); "" otherwise. */
  readonly path: string;
  readonly code: number;
  /** Arrival time, ms since the epoch. */
  readonly time: number;
}

export interface RequestFilter {
  readonly verb?: string;
  readonly group?: string;
  /** Plural (`services`) or group-qualified (`leases.coordination.k8s.io`). */
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly user?: string;
  readonly code?: number;
}

function matches(e: RequestLogEntry, f: RequestFilter): boolean {
  if (f.resource !== undefined) {
    const dot = f.resource.indexOf(".");
    const res = dot < 0 ? f.resource : f.resource.slice(0, dot);
    if (e.resource !== res || (dot >= 0 && e.group !== f.resource.slice(dot + 1))) return false;
  }
  return (
    (f.verb === undefined || e.verb === f.verb) &&
    (f.group === undefined || e.group === f.group) &&
    (f.subresource === undefined || e.subresource === f.subresource) &&
    (f.namespace === undefined || e.namespace === f.namespace) &&
    (f.name === undefined || e.name === f.name) &&
    (f.user === undefined || e.user === f.user) &&
    (f.code === undefined || e.code === f.code)
  );
}

export class RequestLog {
  private buf: RequestLogEntry[] = [];
  private readonly counters = new Map<string, { entry: RequestLogEntry; n: number }>();

  constructor(private readonly capacity: number) {}

  /** @internal Called by the server once the status code is known. */
  record(e: RequestLogEntry): void {
    const k = `${e.verb} ${e.group} ${e.resource} ${e.subresource} ${e.code}`;
    const c = this.counters.get(k);
    if (c) c.n++;
    else this.counters.set(k, { entry: e, n: 1 });
    if (this.capacity <= 0) return;
    this.buf.push(e);
    // Trim in batches so recording stays O(1) amortised.
    if (this.buf.length > this.capacity * 2) this.buf = this.buf.slice(-this.capacity);
  }

  /** The most recent entries (at most the configured capacity), oldest first. */
  entries(filter: RequestFilter = {}): RequestLogEntry[] {
    const recent = this.buf.length > this.capacity ? this.buf.slice(-this.capacity) : this.buf;
    return recent.filter((e) => matches(e, filter));
  }

  /**
   * How many requests matched. Exact over the whole run when the filter uses
   * only verb, group, resource, subresource and code; otherwise (namespace,
   * name, user) counted over the kept entries.
   */
  count(filter: RequestFilter = {}): number {
    if (filter.namespace !== undefined || filter.name !== undefined || filter.user !== undefined) return this.entries(filter).length;
    let n = 0;
    for (const c of this.counters.values()) if (matches(c.entry, filter)) n += c.n;
    return n;
  }

  clear(): void {
    this.buf = [];
    this.counters.clear();
  }
}
