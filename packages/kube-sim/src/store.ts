// The object store: one collection per storage resource, O(1) get and put by
// `namespace/name`, one global monotonic resourceVersion (like an etcd
// revision), a bounded history of change events per collection for watches
// that resume from a resourceVersion, and the list of open watchers each
// change is pushed to.
//
// Every stored object is serialised once, when it is stored; GET, LIST and
// every watcher reuse that string. The store knows nothing about semantics
// (defaults, validation, finalizers): the registry decides what to store.
import type { KubeObject } from "./object.ts";

export interface StoredObject {
  readonly obj: KubeObject;
  /** JSON.stringify(obj), computed once. */
  readonly json: string;
  readonly rv: number;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface ChangeEvent {
  readonly type: ChangeType;
  readonly rv: number;
  /** The object after the change; for DELETED the last state, stamped with the deletion's resourceVersion. */
  readonly cur: StoredObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly prev: StoredObject | undefined;
  /**
   * Serialised watch lines, filled lazily by the first watcher that needs
   * each; Buffers, so that a hundred watchers write the same bytes instead
   * of each converting the string again.
   */
  lines: { [type: string]: Buffer | undefined };
}

/** Something that receives every change of a collection (a watch). */
export interface ChangeSink {
  deliver(event: ChangeEvent): void;
}

/** A ring buffer of the most recent change events, ordered by resourceVersion. */
export class History {
  private readonly buf: (ChangeEvent | undefined)[];
  private head = 0;
  private size = 0;
  /**
   * The resourceVersion below which history is incomplete: a watch must start
   * at or after it, or it gets 410 Expired.
   */
  floor: number;

  constructor(
    readonly capacity: number,
    floor: number,
  ) {
    this.buf = new Array<ChangeEvent | undefined>(capacity);
    this.floor = floor;
  }

  push(e: ChangeEvent): void {
    if (this.capacity === 0) {
      this.floor = e.rv;
      return;
    }
    if (this.size === this.capacity) {
      this.floor = (this.buf[this.head] as ChangeEvent).rv;
      this.buf[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.buf[(this.head + this.size) % this.capacity] = e;
      this.size++;
    }
  }

  private at(i: number): ChangeEvent {
    return this.buf[(this.head + i) % this.capacity] as ChangeEvent;
  }

  /** Events newer than `rv`, or undefined when `rv` is older than the kept history. */
  since(rv: number): ChangeEvent[] | undefined {
    if (rv < this.floor) return undefined;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: ChangeEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  get length(): number {
    return this.size;
  }
}

export class Collection {
  readonly objects = new Map<string, StoredObject>();
  readonly watchers = new Set<ChangeSink>();
  readonly history: History;
  private byNamespace = new Map<string, Set<string>>();
  private sorted: string[] | undefined;
  private sortedByNs = new Map<string, string[]>();

  constructor(historySize: number, floor: number) {
    this.history = new History(historySize, floor);
  }

  /** Keys in etcd order (`namespace/name` compared as strings), optionally one namespace only. */
  keys(namespace?: string): readonly string[] {
    if (namespace === undefined) {
      this.sorted ??= [...this.objects.keys()].sort();
      return this.sorted;
    }
    let keys = this.sortedByNs.get(namespace);
    if (!keys) {
      keys = [...(this.byNamespace.get(namespace) ?? [])].sort();
      this.sortedByNs.set(namespace, keys);
    }
    return keys;
  }

  namespaceSize(namespace: string): number {
    return this.byNamespace.get(namespace)?.size ?? 0;
  }

  set(key: string, namespace: string, value: StoredObject): void {
    if (!this.objects.has(key)) {
      this.sorted = undefined;
      this.sortedByNs.delete(namespace);
      let s = this.byNamespace.get(namespace);
      if (!s) this.byNamespace.set(namespace, (s = new Set()));
      s.add(key);
    }
    this.objects.set(key, value);
  }

  delete(key: string, namespace: string): void {
    if (!this.objects.delete(key)) return;
    this.sorted = undefined;
    this.sortedByNs.delete(namespace);
    const s = this.byNamespace.get(namespace);
    s?.delete(key);
    if (s?.size === 0) this.byNamespace.delete(namespace);
  }
}

export interface StoreOptions {
  /** Change events kept per collection for resuming watches. */
  readonly historySize: number;
}

export class Store {
  private rv = 0;
  private readonly collections = new Map<string, Collection>();

  constructor(private readonly options: StoreOptions) {}

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Reserves the next resourceVersion. */
  nextResourceVersion(): number {
    return ++this.rv;
  }

  collection(storage: string): Collection {
    let c = this.collections.get(storage);
    if (!c) this.collections.set(storage, (c = new Collection(this.options.historySize, this.rv)));
    return c;
  }

  get(storage: string, key: string): StoredObject | undefined {
    return this.collections.get(storage)?.objects.get(key);
  }

  /**
   * Records a change: `obj` already carries its resourceVersion `rv`. For
   * DELETED the object leaves the collection.
   */
  commit(storage: string, key: string, namespace: string, type: ChangeType, obj: KubeObject, rv: number): StoredObject {
    const c = this.collection(storage);
    const prev = c.objects.get(key);
    const cur: StoredObject = { obj, json: JSON.stringify(obj), rv };
    if (type === "DELETED") c.delete(key, namespace);
    else c.set(key, namespace, cur);
    const event: ChangeEvent = { type, rv, cur, prev, lines: {} };
    c.history.push(event);
    for (const w of c.watchers) w.deliver(event);
    return cur;
  }
}
