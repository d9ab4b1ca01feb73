// The BGP writer: the sessions this node runs (one per peer that selects
// it) and, for each, the whole set of routes it should announce.
//
// `sync(specs)` applies the smallest change (peers.ts planSessions): new
// peers start, removed or deselected peers stop with a Cease, a peer whose
// parameters changed is replaced, and every other session is left alone.
// `setRoutes(desired)` hands each session its complete set
// (`setAdvertisements(all)`, house style 19) when that set changed; a session
// started later gets the current set at once. Nothing is handed over before
// the first full computation (`setRoutes` not yet called), so a restarting
// speaker does not send an empty set (and End-of-RIB) to a graceful-restart
// peer that still holds its routes.
//
// Sessions come from an injected factory: the daemon's drives real sockets
// (@ironlb/bgp/node), tests' record what they were given.
//
// Published state (status-doc.ts) is up/down with the time of the last
// transition and the last error; counters are for metrics only.
import type { Advertisement, SessionEvent } from "@ironlb/bgp";
import { formatIp } from "@ironlb/core/ip";
import type { Clock } from "@ironlb/kube";
import type { BgpRoute } from "./desired.ts";
import type { SessionSample } from "./metrics.ts";
import { planSessions, type SessionPlan, type SessionSpec } from "./peers.ts";
import type { PublishedSession } from "./status-doc.ts";

export interface BgpSessionCounters {
  readonly established: boolean;
  readonly updatesSent: number;
  readonly prefixesAdvertised: number;
  readonly prefixesPending: number;
}

export interface BgpSessionHandle {
  setAdvertisements(all: readonly Advertisement[]): void;
  counters(): BgpSessionCounters;
  /**
   * Ends the session with a Cease (RFC 4486 subcode by why: the peer left the
   * config, its parameters changed, or the speaker shuts down with an RFC 9003
   * message); the router drops every route of the session at once.
   */
  stop(why: StopReason, message?: string): void;
  /** Resolves once the session's connections have closed (bounded wait). */
  settled(): Promise<void>;
}

export type StopReason = "deconfigured" | "changed" | "shutdown";

export type BgpSessionFactory = (spec: SessionSpec, onEvent: (e: SessionEvent) => void) => BgpSessionHandle;

export interface BgpSessionsOptions {
  readonly factory: BgpSessionFactory;
  readonly clock: Clock;
  /** Published state changed (a session went up or down, started or stopped). */
  readonly onChange?: (() => void) | undefined;
  readonly onEvent?: ((peer: string, e: SessionEvent) => void) | undefined;
}

interface Running {
  readonly spec: SessionSpec;
  readonly handle: BgpSessionHandle;
  routesKey: string | undefined;
  published: PublishedSession;
}

export class BgpSessions {
  readonly #o: BgpSessionsOptions;
  readonly #running = new Map<string, Running>();
  // peer name -> UPDATEs sent by sessions already replaced (keeps the counter monotonic)
  readonly #retiredUpdates = new Map<string, number>();
  #desired: ReadonlyMap<string, readonly BgpRoute[]> | undefined;

  constructor(options: BgpSessionsOptions) {
    this.#o = options;
  }

  get names(): string[] {
    return [...this.#running.keys()];
  }

  sync(specs: readonly SessionSpec[]): SessionPlan {
    const running = new Map([...this.#running].map(([name, r]) => [name, r.spec.identity]));
    const plan = planSessions(running, specs);
    const replaced = new Set(plan.start.map((s) => s.name));
    for (const name of plan.stop) this.#stop(name, replaced.has(name) ? "changed" : "deconfigured");
    for (const spec of plan.start) this.#start(spec);
    if (plan.start.length > 0 || plan.stop.length > 0) this.#o.onChange?.();
    return plan;
  }

  /** The desired routes per peer (every running session should have an entry). */
  setRoutes(desired: ReadonlyMap<string, readonly BgpRoute[]>): void {
    this.#desired = desired;
    for (const r of this.#running.values()) this.#push(r);
  }

  published(): Map<string, PublishedSession> {
    return new Map([...this.#running].map(([name, r]) => [name, r.published]));
  }

  samples(): SessionSample[] {
    const out: SessionSample[] = [];
    const peers = new Set([...this.#running.keys(), ...this.#retiredUpdates.keys()]);
    for (const peer of peers) {
      const c = this.#running.get(peer)?.handle.counters();
      out.push({
        peer,
        up: c?.established ?? false,
        updatesSent: (this.#retiredUpdates.get(peer) ?? 0) + (c?.updatesSent ?? 0),
        prefixesAdvertised: c?.prefixesAdvertised ?? 0,
        prefixesPending: c?.prefixesPending ?? 0,
      });
    }
    return out;
  }

  /** Stops every session with a Cease carrying `message` and waits for them to close. */
  async close(message: string): Promise<void> {
    const handles = [...this.#running.values()].map((r) => r.handle);
    for (const name of [...this.#running.keys()]) this.#stop(name, "shutdown", message);
    await Promise.all(handles.map((h) => h.settled()));
  }

  #start(spec: SessionSpec): void {
    const now = new Date(this.#o.clock.now()).toISOString();
    const r: Running = {
      spec,
      handle: undefined as unknown as BgpSessionHandle,
      routesKey: undefined,
      published: { address: hostPort(spec), state: "down", since: now },
    };
    this.#running.set(spec.name, r);
    try {
      (r as { handle: BgpSessionHandle }).handle = this.#o.factory(spec, (e) => this.#onEvent(r, e));
    } catch (err) {
      // Options the session refuses (BgpConfigError): visible in the status, retried when the config changes.
      (r as { handle: BgpSessionHandle }).handle = inertSession;
      r.published = { ...r.published, lastError: `session not started: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.#push(r);
  }

  #stop(name: string, why: StopReason, message?: string): void {
    const r = this.#running.get(name);
    if (r === undefined) return;
    this.#running.delete(name);
    this.#retiredUpdates.set(name, (this.#retiredUpdates.get(name) ?? 0) + r.handle.counters().updatesSent);
    r.handle.stop(why, message);
  }

  #push(r: Running): void {
    if (this.#desired === undefined) return;
    const routes = this.#desired.get(r.spec.name) ?? [];
    const key = routesKey(routes);
    if (key === r.routesKey) return;
    r.routesKey = key;
    r.handle.setAdvertisements(routes.map(toAdvertisement));
  }

  #onEvent(r: Running, e: SessionEvent): void {
    this.#o.onEvent?.(r.spec.name, e);
    if (this.#running.get(r.spec.name) !== r) return;
    const now = () => new Date(this.#o.clock.now()).toISOString();
    if (e.type === "stateChanged") {
      if (e.to === "Established" && r.published.state !== "up") {
        r.published = { address: r.published.address, state: "up", since: now() };
        this.#o.onChange?.();
      } else if (e.from === "Established" && e.to !== "Established") {
        r.published = { address: r.published.address, state: "down", since: now(), lastError: r.published.lastError ?? e.reason };
        this.#o.onChange?.();
      }
    } else if (e.type === "notificationReceived" || e.type === "notificationSent") {
      const dir = e.type === "notificationReceived" ? "received" : "sent";
      const lastError = `notification ${dir}: ${e.codeName}/${e.subcodeName}${e.message === undefined ? "" : ` "${e.message}"`}`;
      if (lastError !== r.published.lastError) {
        r.published = { ...r.published, lastError };
        this.#o.onChange?.();
      }
    }
  }
}

const inertSession: BgpSessionHandle = {
  setAdvertisements: () => {},
  counters: () => ({ established: false, updatesSent: 0, prefixesAdvertised: 0, prefixesPending: 0 }),
  stop: () => {},
  settled: () => Promise.resolve(),
};

function hostPort(spec: SessionSpec): string {
  const a = formatIp(spec.peer.peerAddress);
  return `${spec.peer.peerAddress.family === "ipv6" ? `[${a}]` : a}:${spec.peer.peerPort}`;
}

export function toAdvertisement(r: BgpRoute): Advertisement {
  return { prefix: r.prefix, localPref: r.localPref, communities: r.communities, largeCommunities: r.largeCommunities };
}

function routesKey(routes: readonly BgpRoute[]): string {
  return routes
    .map((r) => `${r.prefix.family}/${r.prefix.network}/${r.prefix.length}|${r.localPref ?? ""}|${r.communities.join(",")}|${r.largeCommunities.map((l) => `${l.global}:${l.local1}:${l.local2}`).join(",")}`)
    .join(";");
}
