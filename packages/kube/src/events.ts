// Kubernetes Events for the objects IronLB acts on (core/v1, what
// `kubectl describe` shows).
//
// As client-go's recorder: a repeat of the same (object, type, reason,
// message) within the aggregation window patches count and lastTimestamp of
// the existing Event instead of creating a new one, and a per-object token
// bucket (burst 25, one token per 5 minutes) keeps a flapping object from
// flooding the API. Both are LRU caches of 4096 objects, as client-go's, so
// memory stays bounded and a burst over 10k Services costs O(1) per Event.
// Recording never blocks or fails a reconcile: Events wait in a queue of at
// most 1,000 (client-go's broadcaster drops beyond its 1,000 too) and are
// written one at a time; what does not fit is counted through `onDropped`,
// and write errors go to `onError`.
//
// The queue holds plain records, not a promise chain: chaining three promises
// and a closure per Event cost 2.5 us and 1.5 kB of heap for each queued
// Event (10k Services allocated in one burst: 15 MB, all of it promoted to the
// old generation before the writes caught up).
import type { CoreV1Api, CoreV1Event, V1ObjectReference } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Clock } from "./clock.ts";
import type { RestClient } from "./rest.ts";

export type EventType = "Normal" | "Warning";

export interface EventTarget {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

export interface EventRecorderOptions {
  readonly api: CoreV1Api;
  /** When given, Events go through the lean REST path (one per allocation in the controller). */
  readonly rest?: RestClient | undefined;
  readonly clock: Clock;
  /** e.g. "ironlb-controller" or "ironlb-speaker". */
  readonly component: string;
  /** The host (node or pod name) for source.host / reportingInstance. */
  readonly host: string;
  readonly onError?: ((err: unknown, event: { reason: string; message: string }) => void) | undefined;
  /** Called for each Event dropped because the queue was full. */
  readonly onDropped?: ((event: { reason: string; message: string }) => void) | undefined;
  /** Events waiting to be written at most (client-go: 1000). */
  readonly queueLength?: number | undefined;
  readonly aggregationWindowMs?: number | undefined;
  /** Objects remembered by the aggregator and the spam filter each (client-go: 4096). */
  readonly cacheEntries?: number | undefined;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

interface Queued {
  readonly target: EventTarget;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly objectKey: string;
  readonly now: number;
}

const BURST = 25;
const REFILL_MS = 5 * 60_000;
const MAX_MESSAGE = 1024;
const CACHE_ENTRIES = 4096;
const QUEUE_LENGTH = 1000;

/** Makes `key` the newest entry of an insertion-ordered map used as an LRU cache, dropping the oldest beyond `bound`. */
function touch<V>(cache: Map<string, V>, key: string, value: V, bound: number): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > bound) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

export class EventRecorder {
  readonly #opts: EventRecorderOptions;
  // correlation key -> the Event already written for it
  readonly #seen = new Map<string, Seen>();
  // object key -> spam-filter bucket
  readonly #buckets = new Map<string, Bucket>();
  // Events to write, oldest first from #head
  #queue: Queued[] = [];
  #head = 0;
  #writing = false;
  #idleWaiters: (() => void)[] = [];
  #serial = 0;

  readonly #bound: number;
  readonly #queueLength: number;

  constructor(options: EventRecorderOptions) {
    this.#opts = options;
    this.#bound = options.cacheEntries ?? CACHE_ENTRIES;
    this.#queueLength = options.queueLength ?? QUEUE_LENGTH;
  }

  /** Queues an Event; returns at once. */
  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    const msg = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 3) + "..." : message;
    // Dropped before the spam filter, as client-go's broadcaster drops before its correlator:
    // an Event that is never sent spends none of its object's tokens.
    if (this.#queue.length - this.#head >= this.#queueLength) {
      this.#opts.onDropped?.({ reason, message: msg });
      return;
    }
    const now = this.#opts.clock.now();
    const objectKey = `${target.kind}/${target.namespace}/${target.name}/${target.uid ?? ""}`;
    if (!this.#take(objectKey, now)) return;
    this.#queue.push({ target, type, reason, message: msg, objectKey, now });
    if (this.#writing) return;
    // Written after the caller's turn, never from inside record().
    this.#writing = true;
    queueMicrotask(() => void this.#drain());
  }

  /** Resolves when every queued Event has been written (or failed). */
  flush(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#queue.length) {
      const e = this.#queue[this.#head++] as Queued;
      const key = `${e.objectKey}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
      try {
        await this.#write(key, e.target, e.type, e.reason, e.message, e.now);
      } catch (err) {
        this.#opts.onError?.(err, { reason: e.reason, message: e.message });
      }
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
    this.#queue = [];
    this.#head = 0;
    this.#writing = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #take(objectKey: string, now: number): boolean {
    const b = this.#buckets.get(objectKey) ?? { tokens: BURST, updated: now };
    touch(this.#buckets, objectKey, b, this.#bound);
    const refill = Math.floor((now - b.updated) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.updated += refill * REFILL_MS;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  async #write(key: string, target: EventTarget, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const window = this.#opts.aggregationWindowMs ?? 10 * 60_000;
    const ts = new Date(now);
    const seen = this.#seen.get(key);
    if (seen !== undefined && now - seen.lastSeen < window) {
      seen.count++;
      seen.lastSeen = now;
      touch(this.#seen, key, seen, this.#bound);
      try {
        const body = { count: seen.count, lastTimestamp: ts.toISOString() };
        const rest = this.#opts.rest;
        if (rest !== undefined) await rest.request("PATCH", `/api/v1/namespaces/${encodeURIComponent(seen.namespace)}/events/${encodeURIComponent(seen.name)}`, body, "application/merge-patch+json");
        else await this.#opts.api.patchNamespacedEvent({ name: seen.name, namespace: seen.namespace, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
        return;
      } catch {
        // The Event may have been garbage-collected (TTL): fall through and create anew.
      }
    }
    const involved: V1ObjectReference = {
      kind: target.kind,
      apiVersion: target.apiVersion,
      namespace: target.namespace,
      name: target.name,
      ...(target.uid !== undefined ? { uid: target.uid } : {}),
      ...(target.resourceVersion !== undefined ? { resourceVersion: target.resourceVersion } : {}),
    };
    // client-go names Events NAME.<unix nanoseconds in hex>; a serial stands in
    // for the nanoseconds so two Events in one millisecond never collide.
    const name = `${target.name}.${(BigInt(now) * 1_000_000n + BigInt(this.#serial++ % 1_000_000)).toString(16)}`;
    const body: CoreV1Event = {
      metadata: { name, namespace: target.namespace },
      involvedObject: involved,
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      source: { component: this.#opts.component, host: this.#opts.host },
      reportingComponent: this.#opts.component,
      reportingInstance: this.#opts.host,
    };
    const rest = this.#opts.rest;
    if (rest !== undefined) {
      // Plain JSON on the wire: timestamps as RFC 3339 text, as the serializer would write them.
      await rest.request("POST", `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/events`, { apiVersion: "v1", kind: "Event", ...body });
    } else await this.#opts.api.createNamespacedEvent({ namespace: target.namespace, body });
    touch(this.#seen, key, { name, namespace: target.namespace, count: 1, lastSeen: now }, this.#bound);
  }
}
