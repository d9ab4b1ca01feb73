// Writes the speaker's status document (status-doc.ts) to its pod, only when
// it changed, at most once per `delayMs` (changes in a burst, a full
// reprocess or a flapping session, coalesce into one write), retrying
// failed writes with a capped backoff. A new pod (restart) gets the document
// written again even if the text is the same.
import type { Clock, TimerHandle } from "@ironlb/kube";

export interface PublisherOptions {
  readonly clock: Clock;
  /** Coalescing delay before a write (default 250 ms). */
  readonly delayMs?: number | undefined;
  /** Writes `value` to the pod's annotation. */
  readonly write: (pod: string, value: string) => Promise<void>;
  readonly onResult?: ((ok: boolean, err?: unknown) => void) | undefined;
}

export class StatusPublisher {
  readonly #o: PublisherOptions;
  #pod: string | undefined;
  #doc: string | undefined;
  #written: { pod: string; doc: string } | undefined;
  #timer: TimerHandle | undefined;
  #inFlight: Promise<void> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: PublisherOptions) {
    this.#o = options;
  }

  /** The latest document for `pod` (undefined: pod not known yet). */
  update(pod: string | undefined, doc: string): void {
    this.#pod = pod;
    this.#doc = doc;
    this.#schedule(this.#o.delayMs ?? 250);
  }

  /** Writes now if something is pending; resolves when done. */
  async flush(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#inFlight;
    await this.#write();
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
  }

  get writtenDoc(): string | undefined {
    return this.#written?.doc;
  }

  #dirty(): boolean {
    return this.#pod !== undefined && this.#doc !== undefined && (this.#written?.pod !== this.#pod || this.#written.doc !== this.#doc);
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#timer !== undefined || !this.#dirty()) return;
    this.#timer = this.#o.clock.setTimer(ms, () => {
      this.#timer = undefined;
      void this.#write();
    });
  }

  async #write(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    if (!this.#dirty()) return;
    const pod = this.#pod as string;
    const doc = this.#doc as string;
    this.#inFlight = this.#o
      .write(pod, doc)
      .then(
        () => {
          this.#written = { pod, doc };
          this.#failures = 0;
          this.#o.onResult?.(true);
        },
        (err: unknown) => {
          this.#failures++;
          this.#o.onResult?.(false, err);
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
        // Something newer arrived meanwhile, or the write failed: go again (backing off on failures).
        this.#schedule(this.#failures === 0 ? (this.#o.delayMs ?? 250) : Math.min(30_000, 500 * 2 ** (this.#failures - 1)));
      });
    return this.#inFlight;
  }
}
