// One watch stream: newline-delimited JSON events over a chunked HTTP
// response whose headers are flushed at once (client-node's informer waits
// for them). It starts from a resourceVersion (replaying the collection's
// history after it, or 410 Expired as an ERROR event when the history no
// longer reaches back that far), or from "now" with synthetic ADDED events
// for what exists. It emits BOOKMARKs when asked, ends cleanly after
// `timeoutSeconds`, and, like the apiserver's cacheWatcher, turns a
// MODIFIED into ADDED or DELETED for a watcher whose selector the object
// starts or stops matching.
//
// Lines are serialised once per event and shared by all plain watchers;
// each watcher batches what arrives in one event-loop turn into one write.
import type { ServerResponse } from "node:http";
import { expired, type KubeSimError } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import type { Filter } from "./query.ts";
import { apiVersionOf, type ResourceType } from "./resources.ts";
import type { ChangeEvent, ChangeSink, Collection, Store, StoredObject } from "./store.ts";
import { columnDefinitions, tableRow, type Column, type IncludeObject } from "./tables.ts";

/** Bytes a watch may have queued unsent before it is ended. */
const MAX_BUFFERED = 64 * 1024 * 1024;

export interface WatchSpec {
  readonly rt: ResourceType;
  readonly filter: Filter;
  /** undefined, "" or "0": start now with the current state as ADDED events. */
  readonly resourceVersion: number | undefined;
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly sendInitialEvents: boolean;
  readonly table: { readonly columns: readonly Column[]; readonly include: IncludeObject } | undefined;
}

export interface WatchEnv {
  readonly store: Store;
  readonly bookmarkIntervalMs: number;
  readonly now: () => number;
  /** Open watches, for fault injection and shutdown. */
  readonly open: Set<Watch>;
}

export class Watch implements ChangeSink {
  private pending: Buffer[] = [];
  private flushScheduled = false;
  private closed = false;
  private sentColumns = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private collection: Collection | undefined;

  constructor(
    private readonly res: ServerResponse,
    readonly spec: WatchSpec,
    private readonly env: WatchEnv,
  ) {}

  get resource(): ResourceType {
    return this.spec.rt;
  }

  /** Answers with a single ERROR event and ends, as the apiserver does for an expired resourceVersion. */
  static refuse(res: ServerResponse, err: KubeSimError): void {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.end(`${JSON.stringify({ type: "ERROR", object: err.toStatus() })}\n`);
  }

  start(): void {
    const { rt, resourceVersion } = this.spec;
    const c = this.env.store.collection(rt.storage);
    let backlog: ChangeEvent[] | undefined;
    let initial: StoredObject[] = [];
    if (resourceVersion === undefined || resourceVersion === 0) {
      initial = [...c.objects.values()].filter((o) => this.spec.filter(o.obj));
      initial.sort((a, b) => (key(a.obj) < key(b.obj) ? -1 : 1));
    } else {
      backlog = c.history.since(resourceVersion);
      if (backlog === undefined) {
        Watch.refuse(this.res, expired(`too old resource version: ${resourceVersion} (${c.history.floor})`));
        return;
      }
    }
    this.res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    // Without this the client sees no response until the first event, and informer.start() never resolves.
    this.res.flushHeaders();
    this.collection = c;
    c.watchers.add(this);
    this.env.open.add(this);
    this.res.on("close", () => this.detach());
    for (const o of initial) this.push(this.line("ADDED", o.obj, o.json));
    if (this.spec.sendInitialEvents) this.push(this.bookmark(true));
    for (const e of backlog ?? []) this.deliver(e);
    if (this.spec.timeoutSeconds !== undefined && this.spec.timeoutSeconds > 0) {
      this.timers.push(setTimeout(() => this.close("end"), this.spec.timeoutSeconds * 1000));
    }
    if (this.spec.allowBookmarks && this.env.bookmarkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.push(this.bookmark(false)), this.env.bookmarkIntervalMs));
    }
  }

  deliver(e: ChangeEvent): void {
    if (this.closed) return;
    const f = this.spec.filter;
    const curPasses = e.type !== "DELETED" && f(e.cur.obj);
    const prevPasses = e.prev !== undefined && f(e.prev.obj);
    if (e.type === "DELETED") {
      if (prevPasses) this.push(this.shared(e, "DELETED", e.cur));
    } else if (curPasses && !prevPasses) this.push(this.shared(e, "ADDED", e.cur));
    else if (curPasses && prevPasses) this.push(this.shared(e, "MODIFIED", e.cur));
    else if (!curPasses && prevPasses && e.prev) {
      // The object stopped matching: DELETED with its previous content at the event's resourceVersion.
      const cacheKey = "DELETED-prev";
      let line = this.plain() ? e.lines[cacheKey] : undefined;
      if (line === undefined) {
        const prev = JSON.parse(e.prev.json) as KubeObject;
        prev.metadata.resourceVersion = String(e.rv);
        line = this.line("DELETED", prev, undefined);
        if (this.plain()) e.lines[cacheKey] = line;
      }
      this.push(line);
    }
  }

  private plain(): boolean {
    return this.spec.table === undefined && this.spec.rt.view === undefined;
  }

  /** The line for an event, cached on the event for plain watchers. */
  private shared(e: ChangeEvent, type: string, o: StoredObject): Buffer {
    if (!this.plain()) return this.line(type, o.obj, undefined);
    let line = e.lines[type];
    if (line === undefined) e.lines[type] = line = this.line(type, o.obj, o.json);
    return line;
  }

  private line(type: string, obj: KubeObject, json: string | undefined): Buffer {
    const { rt, table } = this.spec;
    if (table) {
      const served = rt.view ? rt.view.fromStored(obj) : obj;
      const t: Record<string, unknown> = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: obj.metadata.resourceVersion } };
      if (!this.sentColumns) {
        t["columnDefinitions"] = columnDefinitions(table.columns);
        this.sentColumns = true;
      } else t["columnDefinitions"] = null;
      t["rows"] = [tableRow(table.columns, obj, served, table.include, this.env.now())];
      return Buffer.from(`${JSON.stringify({ type, object: t })}\n`);
    }
    if (rt.view) return Buffer.from(`${JSON.stringify({ type, object: rt.view.fromStored(obj) })}\n`);
    return Buffer.from(`{"type":"${type}","object":${json ?? JSON.stringify(obj)}}\n`);
  }

  private bookmark(initialEventsEnd: boolean): Buffer {
    const { rt } = this.spec;
    const metadata: Record<string, unknown> = { resourceVersion: String(this.env.store.resourceVersion) };
    if (initialEventsEnd) metadata["annotations"] = { "k8s.io/initial-events-end": "true" };
    return Buffer.from(`${JSON.stringify({ type: "BOOKMARK", object: { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata } })}\n`);
  }

  private push(line: Buffer): void {
    if (this.closed) return;
    this.pending.push(line);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.closed) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.res.write(chunk);
    // A watcher that does not read falls ever further behind; like the apiserver, end its
    // stream rather than buffer without bound. It resumes from its last resourceVersion.
    if (this.res.writableLength > MAX_BUFFERED) this.close("end");
  }

  /** Ends the stream: "end" finishes it cleanly (clients re-watch), "reset" destroys the connection. */
  close(mode: "end" | "reset"): void {
    if (this.closed) return;
    if (mode === "end") {
      this.flush();
      this.detach();
      this.res.end();
    } else {
      this.detach();
      this.res.socket?.destroy();
    }
  }

  private detach(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.collection?.watchers.delete(this);
    this.env.open.delete(this);
  }
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}
