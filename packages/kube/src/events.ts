// Kubernetes Events for the objects IronLB acts on (core/v1, what
// `kubectl describe` shows).
//
// As client-go's recorder: a repeat of the same (object, type, reason,
// message) within the aggregation window patches count and lastTimestamp of
// the existing Event instead of creating a new one, and a per-object token
// bucket (burst 25, one token per 5 minutes) keeps a flapping object from
// flooding the API. Both are LRU caches of 4096 objects, as client-go's, so
// memory stays bounded and a burst over 10k Services costs O(1) per Event.
// Recording never blocks or fails a reconcile: writes are queued and errors
// go to `onError`.
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

const BURST = 25;
const REFILL_MS = 5 * 60_000;
const MAX_MESSAGE = 1024;
const CACHE_ENTRIES = 4096;

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
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #serial = 0;

  readonly #bound: number;

  constructor(options: EventRecorderOptions) {
    this.#opts = options;
    this.#bound = options.cacheEntries ?? CACHE_ENTRIES;
  }

  /** Queues an Event; returns at once. */
  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    const now = this.#opts.clock.now();
    const objectKey = `${target.kind}/${target.namespace}/${target.name}/${target.uid ?? ""}`;
    if (!this.#take(objectKey, now)) return;
    const msg = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 3) + "..." : message;
    const key = `${objectKey}\u0000${type}\u0000${reason}\u0000${msg}`;
    this.#pending++;
    this.#chain = this.#chain
      .then(() => this.#write(key, target, type, reason, msg, now))
      .catch((err: unknown) => this.#opts.onError?.(err, { reason, message: msg }))
      .finally(() => void this.#pending--);
  }

  /** Resolves when every queued Event has been written (or failed). */
  async flush(): Promise<void> {
    while (this.#pending > 0) await this.#chain;
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
