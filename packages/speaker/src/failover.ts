// ironlb_failover_seconds: from the moment this speaker learnt that the
// owner of an IP is gone (the membership declared it dead, it left, or its
// speaker pod stopped being Ready) to the moment this node sent its takeover
// announcement for that IP (the announcer's "announcing" event, emitted as
// the first gratuitous ARP / unsolicited NA goes out).
//
// No peer exports this (peers.md §10 item 7); MetalLB users measure failover
// by hand. What it does not include: the dead owner's failure before
// detection (the membership reports the suspicion start separately) and the
// clients' reaction to the announcement.
//
// Pure: the clock is injected and the histogram is a callback.

export type GoneCause = "dead" | "left" | "not-ready";

interface Gone {
  readonly at: number;
  readonly cause: GoneCause;
}

export interface FailoverOptions {
  readonly now: () => number;
  readonly observe: (cause: GoneCause, seconds: number, ip: string, from: string) => void;
  /** A takeover later than this after the loss is not attributed to it (default 60 s). */
  readonly windowMs?: number | undefined;
}

export class FailoverTracker {
  readonly #o: FailoverOptions;
  // node -> when it was lost (first signal wins)
  readonly #gone = new Map<string, Gone>();
  // formatted IP -> the loss it is taking over from
  readonly #pending = new Map<string, Gone & { readonly from: string }>();

  constructor(options: FailoverOptions) {
    this.#o = options;
  }

  /** `node` is gone since `at` (ms on the injected clock's scale). */
  gone(node: string, at: number, cause: GoneCause): void {
    if (!this.#gone.has(node)) this.#gone.set(node, { at, cause });
  }

  /** `node` is back: later takeovers of its IPs are not failovers from this loss. */
  back(node: string): void {
    this.#gone.delete(node);
  }

  /** This node was assigned `ip`, which `previousOwner` announced before. */
  takeover(ip: string, previousOwner: string | undefined): void {
    if (previousOwner === undefined) return;
    const g = this.#gone.get(previousOwner);
    if (g === undefined || this.#o.now() - g.at > (this.#o.windowMs ?? 60_000)) return;
    this.#pending.set(ip, { ...g, from: previousOwner });
  }

  /** The takeover announcement for `ip` went out. */
  announced(ip: string): void {
    const p = this.#pending.get(ip);
    if (p === undefined) return;
    this.#pending.delete(ip);
    this.#o.observe(p.cause, Math.max(0, this.#o.now() - p.at) / 1000, ip, p.from);
  }

  /** `ip` is no longer ours before it was announced. */
  cancelled(ip: string): void {
    this.#pending.delete(ip);
  }

  /** Forgets losses older than the window. */
  prune(): void {
    const limit = this.#o.now() - (this.#o.windowMs ?? 60_000);
    for (const [node, g] of this.#gone) if (g.at < limit) this.#gone.delete(node);
  }
}
