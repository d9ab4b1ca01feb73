// Timer arithmetic for the FSM, pure: RFC 4271 §10 jitter and the reconnect
// backoff. Timers themselves are actions (startTimer/stopTimer) that a driver
// turns into real ones; a duration of 0 means "do not run" (BIRD's rule, so
// a negotiated hold time of 0 disables hold and keepalive timers at once).

/**
 * RFC 4271 §10: ConnectRetryTimer and KeepaliveTimer (and our idle hold) are
 * jittered by a factor in [0.75, 1.0]. The hold timer is a deadline the peer
 * agreed to, so it is never jittered.
 */
export function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.75 + 0.25 * random()));
}

export interface BackoffConfig {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Cap: RFC 4271's ConnectRetryTime. */
  readonly maxMs: number;
}

/** Exponential: initial * 2^attempt, capped; attempt 0 is the first retry. */
export function backoffDelay(attempt: number, config: BackoffConfig): number {
  return Math.min(config.maxMs, config.initialMs * 2 ** Math.min(attempt, 30));
}
