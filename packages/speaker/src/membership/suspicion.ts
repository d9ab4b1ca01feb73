// Suspicion timeouts, Lifeguard-style (Dadgar et al., "Lifeguard: Local Health
// Awareness for More Accurate Failure Detection", 2018, §IV-B; memberlist
// suspicion.go). A suspicion starts at `max` and shrinks logarithmically
// towards `min` as independent members confirm it:
//
//   timeout(c) = max(min, max - (max - min) * log(c + 1) / log(k + 1))
//
// where c counts distinct confirmers other than the member that raised the
// suspicion and k is how many are expected. When fewer than k other members
// could possibly confirm (n - 2 < k: everyone but the suspect and the
// suspecter), k is 0 and the timeout is `min` from the start, so a three-node
// cluster is not slowed down waiting for confirmations that cannot come.
//
// Pure arithmetic over injected numbers; the state machine owns the records.
import type { MembershipConfig } from "./config.ts";

export interface SuspicionBounds {
  readonly min: number;
  readonly max: number;
  /** Confirmations that bring the timeout to `min`. */
  readonly k: number;
}

/** Bounds for a suspicion raised while the cluster has `n` live members (self included). */
export function suspicionBounds(config: MembershipConfig, n: number): SuspicionBounds {
  const scale = Math.max(1, Math.log10(Math.max(1, n)));
  const min = Math.floor(config.suspicionMult * scale * config.probeInterval);
  const k = n - 2 < config.suspicionConfirmations ? 0 : config.suspicionConfirmations;
  const max = k === 0 ? min : Math.floor(config.suspicionMaxMult * min);
  return { min, max, k };
}

/** Timeout (ms from the start of the suspicion) after `confirmations` independent confirmations. */
export function suspicionTimeout(bounds: SuspicionBounds, confirmations: number): number {
  const { min, max, k } = bounds;
  if (k <= 0) return min;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(min, Math.floor(max - frac * (max - min)));
}

/** One member's suspicion as the state machine keeps it. */
export class Suspicion {
  readonly start: number;
  readonly bounds: SuspicionBounds;
  readonly #confirmers = new Set<string>();

  /** `from` raised it; its own repeats do not count as confirmations. */
  constructor(start: number, bounds: SuspicionBounds, from: string) {
    this.start = start;
    this.bounds = bounds;
    this.#confirmers.add(from);
  }

  /** Distinct confirmations beyond the first suspecter. */
  get confirmations(): number {
    return this.#confirmers.size - 1;
  }

  /** Records `from`; true when it is new (and the deadline may have moved). */
  confirm(from: string): boolean {
    if (this.#confirmers.has(from) || this.confirmations >= this.bounds.k) return false;
    this.#confirmers.add(from);
    return true;
  }

  get deadline(): number {
    return this.start + suspicionTimeout(this.bounds, this.confirmations);
  }
}
