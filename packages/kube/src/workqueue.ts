// The one queue that owns retries: reconcile handlers return a verdict and
// never requeue or sleep themselves (MetalLB's SyncState, client-go's
// rate-limited workqueue).
//
// - A key is queued at most once; a key added while its handler runs is run
//   again afterwards (never twice at the same time).
// - One worker by default: handlers are single-threaded by construction.
//   With `concurrency` > 1 (client-go's MaxConcurrentReconciles) up to that
//   many different keys run at once; in Node that overlaps only their I/O, so
//   a handler that decides synchronously before its first await still decides
//   alone. An exclusive key (REPROCESS_ALL by default) waits for the running
//   keys to finish and runs with nothing beside it.
// - "retry" requeues the key after a per-key exponential delay
//   (base * 2^failures, capped); "ok" and "give-up" reset it.
// - "reprocess-all" queues the special key REPROCESS_ALL, which the owner's
//   handler interprets (e.g. run every Service, IP holders first).
import type { Clock, TimerHandle } from "./clock.ts";

export type SyncState = "ok" | "retry" | "reprocess-all" | "give-up";

export const REPROCESS_ALL = "\u0000reprocess-all";

export interface WorkQueueOptions {
  readonly clock: Clock;
  /** First retry delay; doubles per consecutive failure of the same key. Default 5 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Retry delay cap. Default 60 s. */
  readonly maxDelayMs?: number | undefined;
  /** Called when a handler throws (a bug): the key is retried as for "retry". */
  readonly onHandlerError?: ((key: string, err: unknown) => void) | undefined;
  /** Called after each handler run, with the verdict and duration (metrics). */
  readonly onProcessed?: ((key: string, verdict: SyncState, ms: number) => void) | undefined;
  /** Different keys that may run at the same time. Default 1. */
  readonly concurrency?: number | undefined;
  /** Keys that must run alone when concurrency > 1. Default: REPROCESS_ALL only. */
  readonly exclusive?: ((key: string) => boolean) | undefined;
}

export class WorkQueue {
  readonly #handler: (key: string) => Promise<SyncState> | SyncState;
  readonly #clock: Clock;
  readonly #base: number;
  readonly #max: number;
  readonly #opts: WorkQueueOptions;
  // keys waiting to run, in arrival order (a Set keeps insertion order)
  readonly #queue = new Set<string>();
  // key -> consecutive failures
  readonly #failures = new Map<string, number>();
  // key -> pending delayed add
  readonly #delayed = new Map<string, TimerHandle>();
  readonly #concurrency: number;
  readonly #exclusive: (key: string) => boolean;
  // keys whose handler is running now
  readonly #running = new Set<string>();
  // running keys that were added again meanwhile
  readonly #dirty = new Set<string>();
  #exclusiveRunning = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(handler: (key: string) => Promise<SyncState> | SyncState, options: WorkQueueOptions) {
    this.#handler = handler;
    this.#clock = options.clock;
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 60_000;
    this.#opts = options;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.#exclusive = options.exclusive ?? ((key) => key === REPROCESS_ALL);
  }

  /** Queues `key` now (dropping any delayed retry of it). */
  add(key: string): void {
    if (this.#stopped) return;
    this.#delayed.get(key)?.cancel();
    this.#delayed.delete(key);
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#queue.add(key);
    this.#pump();
  }

  /** Queues `key` after `ms`, unless it is queued earlier by add(). */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    if (this.#delayed.has(key) || this.#queue.has(key)) return;
    this.#delayed.set(
      key,
      this.#clock.setTimer(ms, () => {
        this.#delayed.delete(key);
        this.add(key);
      }),
    );
  }

  /** Number of keys waiting (not counting delayed retries). */
  get length(): number {
    return this.#queue.size;
  }

  /** Resolves once nothing is queued or running (delayed retries may remain). */
  idle(): Promise<void> {
    if (this.#running.size === 0 && this.#queue.size === 0) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#delayed.values()) t.cancel();
    this.#delayed.clear();
    this.#queue.clear();
    this.#notifyIdle();
  }

  #pump(): void {
    if (this.#stopped) {
      this.#notifyIdle();
      return;
    }
    while (this.#running.size < this.#concurrency && !this.#exclusiveRunning) {
      const next = this.#queue.values().next();
      if (next.done) break;
      const key = next.value;
      const exclusive = this.#concurrency > 1 && this.#exclusive(key);
      // An exclusive key waits at the head of the queue until the others are done.
      if (exclusive && this.#running.size > 0) break;
      this.#queue.delete(key);
      this.#running.add(key);
      this.#dirty.delete(key);
      this.#exclusiveRunning = exclusive;
      void this.#run(key);
    }
    this.#notifyIdle();
  }

  async #run(key: string): Promise<void> {
    const started = this.#clock.now();
    let verdict: SyncState;
    try {
      verdict = await this.#handler(key);
    } catch (err) {
      this.#opts.onHandlerError?.(key, err);
      verdict = "retry";
    }
    this.#opts.onProcessed?.(key, verdict, this.#clock.now() - started);
    this.#running.delete(key);
    if (this.#exclusiveRunning && this.#running.size === 0) this.#exclusiveRunning = false;
    const dirty = this.#dirty.delete(key);
    switch (verdict) {
      case "ok":
      case "give-up":
        this.#failures.delete(key);
        break;
      case "retry": {
        const n = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, n);
        if (!dirty) this.addAfter(key, Math.min(this.#max, this.#base * 2 ** (n - 1)));
        break;
      }
      case "reprocess-all":
        this.#failures.delete(key);
        this.#queue.add(REPROCESS_ALL);
        break;
    }
    if (dirty && !this.#stopped) this.#queue.add(key);
    // Yield between keys so a long queue never starves timers and I/O.
    setImmediate(() => this.#pump());
  }

  #notifyIdle(): void {
    if (this.#running.size > 0 || this.#queue.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
