// Polling with a deadline: the only way suites wait for state. It never sleeps
// a fixed time for correctness: it re-checks `fn` every `interval` and returns
// as soon as the state holds; on timeout it says what it waited for and what it
// saw last, so a red test explains itself. Not a retry loop for flaky commands:
// errors thrown by `fn` count as "not yet" only when `ignoreErrors` is set.
import { setTimeout as sleep } from "node:timers/promises";
import { LabError } from "./errors.ts";

export interface WaitForOptions {
  /** Milliseconds until LAB_TIMEOUT. Default 10 000. */
  readonly timeout?: number | undefined;
  /** Milliseconds between checks. Default 50. */
  readonly interval?: number | undefined;
  /** Human description used in the timeout error: "BIRD to hold 3 paths for 198.51.100.1/32". */
  readonly what: string;
  /** Treat a throwing `fn` as "not yet" (e.g. a daemon's control socket not up yet). */
  readonly ignoreErrors?: boolean | undefined;
}

/**
 * Calls `fn` until it returns something other than `undefined`, `null` or
 * `false`, and returns that. Throws LabError LAB_TIMEOUT after `timeout`.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitForOptions,
): Promise<T> {
  const timeout = options.timeout ?? 10_000;
  const interval = options.interval ?? 50;
  const deadline = performance.now() + timeout;
  let last: unknown = undefined;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (error) {
      if (options.ignoreErrors !== true) throw error;
      last = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new LabError(
        "LAB_TIMEOUT",
        `timed out after ${timeout} ms (${attempts} checks) waiting for ${options.what}; last: ${describe(last)}`,
        last,
      );
    }
    await sleep(Math.min(interval, left));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (value === undefined) return "undefined";
  try {
    const text = JSON.stringify(value);
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(value);
  }
}
