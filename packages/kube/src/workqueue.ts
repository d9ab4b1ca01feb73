// The one queue that owns retries: reconcile handlers return a verdict and
// never requeue or sleep themselves (MetalLB's SyncState, client-go's
// rate-limited workqueue).
//
// - A key is queued at most once; a key added while its handler runs is run
//   again afterwards (never twice at the same time).
// - One worker: handlers are single-threaded by construction.
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
  #running: string | null = null;
  #dirty = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(handler: (key: string) => Promise<SyncState> | SyncState, options: WorkQueueOptions) {
    this.#handler = handler;
    this.#clock = options.clock;
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 60_000;
    this.#opts = options;
  }

  /** Queues `key` now (dropping any delayed retry of it). */
  add(key: string): void {
    if (this.#stopped) return;
    this.#delayed.get(key)?.cancel();
    this.#delayed.delete(key);
    if (this.#running === key) {
      this.#dirty = true;
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
    if (this.#running === null && this.#queue.size === 0) return Promise.resolve();
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
    if (this.#running !== null || this.#stopped) return;
    const next = this.#queue.values().next();
    if (next.done) {
      this.#notifyIdle();
      return;
    }
    const key = next.value;
    this.#queue.delete(key);
    this.#running = key;
    this.#dirty = false;
    void this.#run(key);
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
    this.#running = null;
    switch (verdict) {
      case "ok":
      case "give-up":
        this.#failures.delete(key);
        break;
      case "retry": {
        const n = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, n);
        if (!this.#dirty) this.addAfter(key, Math.min(this.#max, this.#base * 2 ** (n - 1)));
        break;
      }
      case "reprocess-all":
        this.#failures.delete(key);
        this.#queue.add(REPROCESS_ALL);
        break;
    }
    if (this.#dirty) this.#queue.add(key);
    // Yield between keys so a long queue never starves timers and I/O.
    setImmediate(() => this.#pump());
  }

  #notifyIdle(): void {
    if (this.#running !== null || this.#queue.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
