// A list+watch cache over client-node's ListWatch that keeps itself alive.
//
// ListWatch re-watches when a stream ends and re-lists after 410 Gone, but
// after any other error (connection refused, 5xx, 429) it stops for good and
// only reports the error. This wrapper restarts it with capped exponential
// backoff, knows when the first list has completed (`synced`), and swallows
// the "aborted" error that stop() itself causes.
//
// Deliberately not here: deciding what a change means. Events are handed to
// `onEvent`; consumers queue keys.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Clock, TimerHandle } from "./clock.ts";

export type InformerEventType = "add" | "update" | "delete";

export interface InformerEvent<T> {
  readonly type: InformerEventType;
  readonly object: T;
}

export interface InformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** Watch path, e.g. "/api/v1/services" or "/api/v1/namespaces/x/configmaps". */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly clock: Clock;
  readonly onEvent: (event: InformerEvent<T>) => void;
  /** Reports errors that caused a restart (for logs and metrics). */
  readonly onError?: ((err: unknown) => void) | undefined;
  readonly minBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
}

export class Informer<T extends KubernetesObject> {
  readonly #opts: InformerOptions<T>;
  readonly #lw: ListWatch<T>;
  #stopped = false;
  #synced = false;
  #failures = 0;
  #restart: TimerHandle | null = null;
  #syncWaiters: (() => void)[] = [];

  constructor(options: InformerOptions<T>) {
    this.#opts = options;
    this.#lw = new ListWatch<T>(options.path, new Watch(options.kubeConfig), options.list, false, options.labelSelector, options.fieldSelector);
    this.#lw.on("add", (o) => this.#emit("add", o));
    this.#lw.on("update", (o) => this.#emit("update", o));
    this.#lw.on("delete", (o) => this.#emit("delete", o));
    this.#lw.on("error", (err) => this.#onError(err));
  }

  /** True once the first list has been applied to the cache. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Starts listing and watching; resolves once synced (or when stopped). */
  async start(): Promise<void> {
    this.#stopped = false;
    const wait = this.waitForSync();
    await this.#startOnce();
    await wait;
  }

  waitForSync(): Promise<void> {
    if (this.#synced || this.#stopped) return Promise.resolve();
    return new Promise((r) => this.#syncWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#restart?.cancel();
    this.#restart = null;
    await this.#lw.stop();
    this.#releaseWaiters();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.#lw.list(namespace);
  }

  async #startOnce(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#lw.start();
    } catch (err) {
      this.#onError(err);
      return;
    }
    if (this.#lw.latestResourceVersion() !== "" && !this.#synced) {
      this.#synced = true;
      this.#failures = 0;
      this.#releaseWaiters();
    }
  }

  #emit(type: InformerEventType, object: T): void {
    if (this.#stopped) return;
    this.#failures = 0;
    this.#opts.onEvent({ type, object });
  }

  #onError(err: unknown): void {
    if (this.#stopped) return; // stop() aborts the watch: not an error
    this.#opts.onError?.(err);
    if (this.#restart !== null) return;
    const min = this.#opts.minBackoffMs ?? 200;
    const max = this.#opts.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.#failures);
    this.#failures++;
    this.#restart = this.#opts.clock.setTimer(delay, () => {
      this.#restart = null;
      void this.#startOnce();
    });
  }

  #releaseWaiters(): void {
    const w = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const r of w) r();
  }
}
