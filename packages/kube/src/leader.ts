// Lease-based leader election (coordination.k8s.io/v1), as client-go's
// leaderelection package: one holder at a time, acquired when the lease is
// free or expired, renewed every retry period, lost when renewal has failed
// for the renew deadline, released on shutdown.
//
// Expiry is judged on the local clock from when *we* last saw the record
// change (client-go's observedTime), never by comparing our clock with the
// renewTime another node wrote, so clock skew between nodes cannot make two
// leaders. Writes use the lease's resourceVersion, so of two candidates racing
// for an expired lease exactly one wins (the other gets 409 Conflict).
import type { CoordinationV1Api, V1Lease } from "@kubernetes/client-node";
import { V1MicroTime } from "@kubernetes/client-node";
import { sleep, type Clock } from "./clock.ts";
import { describeError, isConflict, isNotFound } from "./errors.ts";

export interface LeaderElectionOptions {
  readonly api: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate, e.g. the pod name. */
  readonly identity: string;
  readonly clock: Clock;
  /** How long a lease is valid after its last renewal. Default 15 s. */
  readonly leaseDurationMs?: number | undefined;
  /** The leader gives up if it could not renew for this long. Default 10 s. */
  readonly renewDeadlineMs?: number | undefined;
  /** Interval between acquire/renew attempts. Default 2 s. */
  readonly retryPeriodMs?: number | undefined;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onNewLeader?: ((identity: string) => void) | undefined;
  readonly onError?: ((message: string) => void) | undefined;
  /** Jitter source; default Math.random. */
  readonly random?: (() => number) | undefined;
}

interface Observed {
  holder: string;
  resourceVersion: string;
  renewTime: string;
  seenAt: number;
}

export class LeaderElector {
  readonly #o: LeaderElectionOptions;
  readonly #duration: number;
  readonly #deadline: number;
  readonly #retry: number;
  readonly #abort = new AbortController();
  #observed: Observed | null = null;
  #leading = false;
  #lastRenew = 0;
  #done: Promise<void> | null = null;
  #lastLeader = "";

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.#duration = options.leaseDurationMs ?? 15_000;
    this.#deadline = options.renewDeadlineMs ?? 10_000;
    this.#retry = options.retryPeriodMs ?? 2_000;
    if (!(this.#duration > this.#deadline && this.#deadline > this.#retry)) {
      throw new RangeError("leader election needs leaseDuration > renewDeadline > retryPeriod");
    }
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Runs the election loop until stop(). */
  start(): void {
    if (this.#done === null) this.#done = this.#loop();
  }

  /**
   * Stops campaigning; a leader releases the lease so a successor need not
   * wait for expiry. `release: false` leaves the lease to expire, as a crash
   * would (tests of takeover use it).
   */
  async stop(options: { readonly release?: boolean | undefined } = {}): Promise<void> {
    this.#abort.abort();
    await this.#done;
    if (this.#leading) {
      this.#leading = false;
      if (options.release !== false) await this.#release();
      this.#o.onStoppedLeading();
    }
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const ok = await this.#tryAcquireOrRenew();
      const now = this.#o.clock.now();
      if (ok) {
        this.#lastRenew = now;
        if (!this.#leading) {
          this.#leading = true;
          this.#o.onStartedLeading();
        }
      } else if (this.#leading && now - this.#lastRenew >= this.#deadline) {
        this.#leading = false;
        this.#o.onStoppedLeading();
      }
      // client-go jitters the acquire period by up to 1.2x so candidates do not march in step.
      const wait = this.#leading ? this.#retry : this.#retry * (1 + (this.#o.random ?? Math.random)() * 0.2);
      await sleep(this.#o.clock, wait, signal);
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity, clock } = this.#o;
    const now = clock.now();
    const spec = (acquireTime: V1MicroTime, transitions: number) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.#duration / 1000),
      acquireTime,
      renewTime: new V1MicroTime(now),
      leaseTransitions: transitions,
    });
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) {
        this.#o.onError?.(`reading lease: ${describeError(err)}`);
        return false;
      }
      try {
        const created = await api.createNamespacedLease({
          namespace,
          body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec: spec(new V1MicroTime(now), 0) },
        });
        this.#observe(created, now);
        return true;
      } catch (e) {
        if (!isConflict(e)) this.#o.onError?.(`creating lease: ${describeError(e)}`);
        return false;
      }
    }
    this.#observe(lease, now);
    const holder = lease.spec?.holderIdentity ?? "";
    const observed = this.#observed as Observed;
    const expired = holder === "" || clock.now() - observed.seenAt >= (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== identity && !expired) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const acquireTime = holder === identity && lease.spec?.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : new V1MicroTime(now);
    try {
      const updated = await api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, ...spec(acquireTime, transitions) } },
      });
      this.#observe(updated, clock.now());
      return true;
    } catch (err) {
      if (!isConflict(err)) this.#o.onError?.(`updating lease: ${describeError(err)}`);
      return false;
    }
  }

  #observe(lease: V1Lease, now: number): void {
    const holder = lease.spec?.holderIdentity ?? "";
    const rv = lease.metadata?.resourceVersion ?? "";
    const renew = String(lease.spec?.renewTime ?? "");
    const prev = this.#observed;
    if (prev === null || prev.holder !== holder || prev.renewTime !== renew || prev.resourceVersion !== rv) {
      this.#observed = { holder, resourceVersion: rv, renewTime: renew, seenAt: now };
    }
    if (holder !== "" && holder !== this.#lastLeader) {
      this.#lastLeader = holder;
      this.#o.onNewLeader?.(holder);
    }
  }

  async #release(): Promise<void> {
    const { api, namespace, name, identity } = this.#o;
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      // client-go's ReleaseOnCancel: empty holder and a 1 s duration, so the
      // next candidate acquires on its next attempt.
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.#o.clock.now()) } },
      });
    } catch (err) {
      this.#o.onError?.(`releasing lease: ${describeError(err)}`);
    }
  }
}
