// Fault injection for tests: drop every open watch now (cleanly, so clients
// re-watch, or by resetting the connection), answer the next watches with
// 410 Expired, fail the next N requests that match with 409, 429 (with
// Retry-After), 500 or 503, and add a fixed latency to requests.
import type { Verb } from "./request-info.ts";
import type { Watch } from "./watch.ts";

export interface RequestMatch {
  readonly verb?: Verb;
  /** Plural (`services`) or group-qualified (`leases.coordination.k8s.io`). */
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface InjectedFailure {
  readonly code: 409 | 429 | 500 | 503;
  /** Sent as Retry-After (and in the Status details) for 429 and 503; default 1. */
  readonly retryAfterSeconds?: number;
}

/** What a request looks like to the matcher. */
export interface MatchTarget {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export function requestMatches(m: RequestMatch, t: MatchTarget): boolean {
  if (m.resource !== undefined) {
    const dot = m.resource.indexOf(".");
    const res = dot < 0 ? m.resource : m.resource.slice(0, dot);
    if (t.resource !== res || (dot >= 0 && t.group !== m.resource.slice(dot + 1))) return false;
  }
  return (
    (m.verb === undefined || m.verb === t.verb) &&
    (m.subresource === undefined || m.subresource === t.subresource) &&
    (m.namespace === undefined || m.namespace === t.namespace) &&
    (m.name === undefined || m.name === t.name)
  );
}

interface Pending<T> {
  remaining: number;
  readonly match: RequestMatch;
  readonly value: T;
}

export class Faults {
  private failures: Pending<InjectedFailure>[] = [];
  private expiries: Pending<true>[] = [];
  private latency: { readonly ms: number; readonly match: RequestMatch } | undefined;

  constructor(private readonly openWatches: Set<Watch>) {}

  /**
   * Closes every open watch (optionally of one resource). "end" finishes the
   * streams cleanly, as an apiserver restart or timeout does: informers
   * re-watch from their last resourceVersion. "reset" destroys the
   * connections. Returns how many watches were dropped.
   */
  dropWatches(opts: { readonly mode?: "end" | "reset"; readonly resource?: string } = {}): number {
    let n = 0;
    for (const w of [...this.openWatches]) {
      if (opts.resource !== undefined && !requestMatches({ resource: opts.resource }, { verb: "watch", group: w.resource.group, resource: w.resource.resource, subresource: "", namespace: "", name: "" })) continue;
      w.close(opts.mode ?? "end");
      n++;
    }
    return n;
  }

  /** The next `count` watch requests (matching `match`) get 410 Expired, so clients re-list. */
  expireNextWatches(count = 1, match: RequestMatch = {}): void {
    this.expiries.push({ remaining: count, match: { ...match, verb: "watch" }, value: true });
  }

  /** The next `count` requests matching `match` fail with `failure.code`. */
  failNext(count: number, match: RequestMatch, failure: InjectedFailure): void {
    this.failures.push({ remaining: count, match, value: failure });
  }

  /** Adds `ms` of latency before every matching request is handled (0 removes it). */
  setLatency(ms: number, match: RequestMatch = {}): void {
    this.latency = ms > 0 ? { ms, match } : undefined;
  }

  /** Removes every pending fault (open watches are left alone). */
  clear(): void {
    this.failures = [];
    this.expiries = [];
    this.latency = undefined;
  }

  /** @internal */
  latencyFor(t: MatchTarget): number {
    return this.latency && requestMatches(this.latency.match, t) ? this.latency.ms : 0;
  }

  /** @internal Consumes one pending failure that matches. */
  takeFailure(t: MatchTarget): InjectedFailure | undefined {
    return take(this.failures, t);
  }

  /** @internal */
  takeExpiry(t: MatchTarget): boolean {
    return take(this.expiries, t) !== undefined;
  }
}

function take<T>(list: Pending<T>[], t: MatchTarget): T | undefined {
  const i = list.findIndex((p) => requestMatches(p.match, t));
  if (i < 0) return undefined;
  const p = list[i] as Pending<T>;
  if (--p.remaining <= 0) list.splice(i, 1);
  return p.value;
}
