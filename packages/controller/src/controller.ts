// The controller daemon: caches of Services, the config ConfigMap and
// Namespaces; one work queue; the per-Service reconcile (converge.ts) and the
// full pass (MetalLB reprocessAll, reference §2.6); the status writer; Events;
// Lease leader election.
//
// Order of work, as MetalLB's ServiceReconciler and PoolReconciler:
// - the config key is handled first; a config whose pools changed goes to
//   allocator.setPools (always accepted, §2.7) and queues a full pass;
// - per-Service reconciles are held back until the first full pass after the
//   config loaded has succeeded (initialLoadPerformed), and that pass visits IP
//   holders first, so no IP changes hands across restarts;
// - a deletion, a freed IP or a changed allocation key queues a full pass,
//   which is how pending Services get freed IPs (allocation failures are not
//   retried on their own).
//
// Only the leader reconciles and writes; a standby keeps its caches and the
// parsed config warm, and starts from a fresh allocator rebuilt by a full
// pass when it takes over. Status writes overlap (queue concurrency): each
// decision is made synchronously before the write, so decisions stay strictly
// one at a time. A write carries the resourceVersion the decision was made on
// (409 -> retry with backoff); the object the API returns is used until the
// watch catches up, so a second reconcile never re-decides from a stale cache.
import type { V1ConfigMap, V1Namespace, V1Service } from "@ironlb/kube";
import type { Registry } from "prom-client";
import { Allocator } from "@ironlb/core/allocator";
import type { Labels } from "@ironlb/core/config";
import { formatIp } from "@ironlb/core/ip";
import {
  describeError,
  EventRecorder,
  Informer,
  isConflict,
  isNotFound,
  LeaderElector,
  realClock,
  REPROCESS_ALL,
  silentLogger,
  WorkQueue,
  writeServiceStatus,
  type Clients,
  type Clock,
  type EventTarget,
  type InformerEvent,
  type Logger,
  type ReadinessCheck,
  type SyncState,
} from "@ironlb/kube";
import { ConfigTracker, type ConfigObservation } from "./config-state.ts";
import { converge, type ConvergeContext, type Decision } from "./converge.ts";
import { ControllerMetrics, type ReconcileKind } from "./metrics.ts";
import { EventReason } from "./reasons.ts";
import { reprocessOrder, serviceKeyOf } from "./reprocess.ts";

/** A list response (client-node's KubernetesListObject, read as plain JSON). */
interface ObjectList<T> {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly resourceVersion?: string };
  readonly items: T[];
}

/** The queue key of the config ConfigMap (cannot collide with "namespace/name"). */
const CONFIG_KEY = "\u0000config";

export interface LeaderElectionSettings {
  /** Lease name in the controller's namespace. */
  readonly leaseName: string;
  readonly leaseDurationMs?: number | undefined;
  readonly renewDeadlineMs?: number | undefined;
  readonly retryPeriodMs?: number | undefined;
}

export interface ControllerOptions {
  readonly clients: Clients;
  /** Where the ConfigMap and the Lease live. */
  readonly namespace: string;
  /** Default "config". */
  readonly configMapName?: string | undefined;
  /** --lb-class; null or "" handles Services without spec.loadBalancerClass (§2.8). */
  readonly lbClass?: string | null | undefined;
  /** Pod name (Lease holder, Event reportingInstance). */
  readonly identity: string;
  readonly registry: Registry;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Without it this replica leads from the start (a single replica, as MetalLB runs). */
  readonly leaderElection?: LeaderElectionSettings | undefined;
  /** Status writes in flight at once. Default 16 (bench/controller.ts: 8 -> 16 -> 32 raised allocation from about 0.4 to 0.5 of the raw patch rate; 16 keeps a real API server comfortable). */
  readonly concurrency?: number | undefined;
  /** Informer restart backoff after API errors (default 200 ms doubling to 30 s). */
  readonly informerBackoff?: { readonly minMs: number; readonly maxMs: number } | undefined;
}

export interface StopOptions {
  /** false: stop as a crash would, leaving the Lease to expire. Default true. */
  readonly release?: boolean | undefined;
}

export class Controller {
  readonly metrics: ControllerMetrics;
  readonly #o: ControllerOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #config: ConfigTracker;
  readonly #services: Informer<V1Service>;
  readonly #configMaps: Informer<V1ConfigMap>;
  readonly #namespaces: Informer<V1Namespace>;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;
  readonly #elector: LeaderElector | null;
  // namespace name -> its labels as last seen (to notice label changes)
  readonly #nsLabels = new Map<string, string>();
  // service key -> allocation key, mirroring what the allocator holds
  readonly #allocationKeys = new Map<string, string>();
  // service key -> the object our last write returned, until the cache moves past the version it was based on
  readonly #written = new Map<string, { readonly baseVersion: string; readonly service: V1Service }>();
  #allocator: Allocator | null = null;
  #leading = false;
  #leaderName = "";
  #synced = false;
  #initialLoadPerformed = false;
  #stopped = false;
  #readyWaiters: (() => void)[] = [];

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger ?? silentLogger;
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    const cmName = options.configMapName ?? "config";
    this.#config = new ConfigTracker(`${options.namespace}/${cmName}`);
    this.metrics = new ControllerMetrics(options.registry, () => (this.#leading ? this.#allocator : null));
    const { core, kubeConfig, rest } = options.clients;
    // Lists as plain JSON, the form watch events arrive in: client-node's typed
    // list would build class instances for every object (measured: the bulk of
    // the startup CPU with 4,000 Services).
    const list = <T>(path: string) => () => rest.request<ObjectList<T>>("GET", path);
    const backoff = { minBackoffMs: options.informerBackoff?.minMs, maxBackoffMs: options.informerBackoff?.maxMs };
    const onError = (what: string) => (err: unknown) => this.#log.warn("watch failed, restarting", { op: "informer", resource: what, error: describeError(err) });
    this.#services = new Informer<V1Service>({
      kubeConfig,
      path: "/api/v1/services",
      list: list<V1Service>("/api/v1/services"),
      clock: this.#clock,
      onEvent: (e) => this.#onService(e),
      onError: onError("services"),
      ...backoff,
    });
    this.#configMaps = new Informer<V1ConfigMap>({
      kubeConfig,
      path: `/api/v1/namespaces/${options.namespace}/configmaps`,
      list: list<V1ConfigMap>(`/api/v1/namespaces/${encodeURIComponent(options.namespace)}/configmaps?fieldSelector=${encodeURIComponent(`metadata.name=${cmName}`)}`),
      fieldSelector: `metadata.name=${cmName}`,
      clock: this.#clock,
      onEvent: () => this.#queue.add(CONFIG_KEY),
      onError: onError("configmaps"),
      ...backoff,
    });
    this.#namespaces = new Informer<V1Namespace>({
      kubeConfig,
      path: "/api/v1/namespaces",
      list: list<V1Namespace>("/api/v1/namespaces"),
      clock: this.#clock,
      onEvent: (e) => this.#onNamespace(e),
      onError: onError("namespaces"),
      ...backoff,
    });
    this.#queue = new WorkQueue((key) => this.#handle(key), {
      clock: this.#clock,
      concurrency: this.#concurrency,
      // The config key changes the allocator's pools: nothing else may run beside it.
      exclusive: (key) => key === REPROCESS_ALL || key === CONFIG_KEY,
      onProcessed: (key, verdict, ms) => this.metrics.reconciled(kindOf(key), verdict === "retry", ms),
      onHandlerError: (key, err) => this.#log.error("reconcile threw (bug), retrying", { op: "reconcile", key: printable(key), error: describeError(err) }),
    });
    this.#events = new EventRecorder({
      api: core,
      rest: options.clients.rest,
      clock: this.#clock,
      component: "ironlb-controller",
      host: options.identity,
      onError: (err, ev) => this.#log.debug("event not recorded", { op: "event", reason: ev.reason, error: describeError(err) }),
      onDropped: () => this.metrics.eventDropped(),
    });
    const le = options.leaderElection;
    this.#elector =
      le === undefined
        ? null
        : new LeaderElector({
            api: options.clients.coordination,
            namespace: options.namespace,
            name: le.leaseName,
            identity: options.identity,
            clock: this.#clock,
            leaseDurationMs: le.leaseDurationMs,
            renewDeadlineMs: le.renewDeadlineMs,
            retryPeriodMs: le.retryPeriodMs,
            onStartedLeading: () => this.#startLeading(),
            onStoppedLeading: () => this.#stopLeading(),
            onNewLeader: (id) => {
              this.#leaderName = id;
              this.#log.info("leader observed", { op: "leader-election", leader: id });
            },
            onError: (message) => this.#log.warn(message, { op: "leader-election" }),
          });
  }

  /** Starts the caches (resolves once they are synced) and then leads or campaigns. */
  async start(): Promise<void> {
    this.#log.info("starting", { op: "startup", namespace: this.#o.namespace, configMap: this.#config.where, lbClass: this.#o.lbClass ?? "", identity: this.#o.identity });
    await Promise.all([this.#services.start(), this.#configMaps.start(), this.#namespaces.start()]);
    if (this.#stopped) return;
    this.#synced = true;
    this.#log.info("caches synced", { op: "startup", services: this.#services.list().length });
    // Even without a ConfigMap: "missing" is an observation too.
    this.#queue.add(CONFIG_KEY);
    if (this.#elector === null) this.#startLeading();
    else this.#elector.start();
    this.#checkReady();
  }

  /** Stops everything; a leader releases its Lease unless `release` is false. */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const release = options.release !== false;
    if (this.#elector !== null) await this.#elector.stop({ release });
    else this.#stopLeading();
    this.#queue.stop();
    await Promise.all([this.#services.stop(), this.#configMaps.stop(), this.#namespaces.stop()]);
    if (release) await this.#events.flush();
    this.#log.info("stopped", { op: "shutdown", released: release });
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Ready: caches synced, a config loaded and not stale, and (leading) the first full pass done. */
  get ready(): boolean {
    return this.readinessChecks().every((c) => c.check() === null);
  }

  /** Resolves the first time `ready` holds. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Resolves once no key is queued or running (tests and benchmarks). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Resolves once every queued Event has been sent. */
  flushEvents(): Promise<void> {
    return this.#events.flush();
  }

  readinessChecks(): ReadinessCheck[] {
    return [
      { name: "informers", check: () => (this.#synced ? null : "caches of services, configmaps and namespaces not synced yet") },
      {
        name: "config",
        check: () => {
          if (this.#config.config === null) return this.#config.noConfigReason();
          if (this.#config.stale) return `stale, the last good configuration is in force: ${this.#config.problem ?? ""}`;
          return null;
        },
      },
      {
        name: "leader-election",
        check: () => (this.#leading && !this.#initialLoadPerformed ? "leading, first full pass over the Services not finished" : null),
        detail: () => (this.#leading ? "leader" : this.#elector === null ? "not started" : `standby, leader is ${this.#leaderName === "" ? "unknown" : this.#leaderName}`),
      },
    ];
  }

  // ---- informer events ----------------------------------------------------------------

  #onService(e: InformerEvent<V1Service>): void {
    if (!this.#leading) return;
    const key = serviceKeyOf(e.object);
    if (e.type === "delete") this.#written.delete(key);
    const w = this.#written.get(key);
    if (w !== undefined && e.type === "update" && e.object.metadata?.resourceVersion === w.service.metadata?.resourceVersion) {
      // The echo of our own write: the object is exactly what was decided (the
      // write carried its base version as a precondition), so deciding again
      // cannot change anything. Anything that could (a deletion, a config or
      // Namespace change) queues a full pass of its own. Measured: skipping
      // echoes saves one reconcile per write.
      this.#written.delete(key);
      return;
    }
    this.#queue.add(key);
  }

  #onNamespace(e: InformerEvent<V1Namespace>): void {
    const name = e.object.metadata?.name ?? "";
    if (e.type === "delete") {
      this.#nsLabels.delete(name);
      return;
    }
    const labels = JSON.stringify(sortedLabels(e.object.metadata?.labels));
    const before = this.#nsLabels.get(name);
    this.#nsLabels.set(name, labels);
    // Pools may select namespaces by label (§2.3): a relabelled namespace can open or close pools.
    if (before !== undefined && before !== labels && this.#leading && this.#usesNamespaceSelectors()) this.#queue.add(REPROCESS_ALL);
  }

  #usesNamespaceSelectors(): boolean {
    return (this.#config.config?.pools ?? []).some((p) => (p.serviceAllocation?.namespaceSelectors.length ?? 0) > 0);
  }

  // ---- leadership ---------------------------------------------------------------------

  #startLeading(): void {
    if (this.#stopped) return;
    // A new term starts from nothing: the statuses are the only truth (§2.6).
    this.#allocator = new Allocator();
    this.#allocationKeys.clear();
    this.#written.clear();
    this.#initialLoadPerformed = false;
    const cfg = this.#config.config;
    if (cfg !== null) this.#allocator.setPools(cfg.pools);
    this.#leading = true;
    this.#leaderName = this.#o.identity;
    this.metrics.leader(true);
    this.#log.info("started leading", { op: "leader-election", identity: this.#o.identity });
    this.#queue.add(REPROCESS_ALL);
  }

  #stopLeading(): void {
    if (!this.#leading) return;
    this.#leading = false;
    this.#initialLoadPerformed = false;
    this.#allocator = null;
    this.metrics.leader(false);
    this.#log.info("stopped leading", { op: "leader-election", identity: this.#o.identity });
  }

  // ---- the queue's handler ------------------------------------------------------------

  async #handle(key: string): Promise<SyncState> {
    if (key === CONFIG_KEY) return this.#syncConfig();
    if (key === REPROCESS_ALL) return this.#reprocessAll();
    if (!this.#leading) return "ok";
    // Held back until the first full pass has re-claimed every IP in a status (§2.6).
    if (this.#config.config !== null && !this.#initialLoadPerformed) return "ok";
    const d = converge(key, this.#current(key, this.#cached(key)), this.#context());
    this.#emit(d);
    return d.write === null ? d.verdict : this.#write(d);
  }

  #syncConfig(): SyncState {
    const cm = this.#configMaps.list()[0];
    const obs = this.#config.observe(cm);
    this.metrics.config(this.#config.config !== null, this.#config.stale);
    this.#reportConfig(obs, cm);
    this.#checkReady();
    if (!this.#leading || this.#allocator === null) return "ok";
    if (obs.kind === "loaded" && obs.poolsChanged) {
      const report = this.#allocator.setPools(obs.config.pools);
      for (const r of report.released) {
        this.#log.info("IPs left every pool, the service will get new ones", { op: "setPools", service: r.service, pool: r.pool, ip: r.ips.map(formatIp), reason: r.reason });
      }
      for (const m of report.moved) this.#log.info("pool renamed, IPs kept", { op: "setPools", service: m.service, pool: m.to, from: m.from });
      return "reprocess-all";
    }
    // Still no config: a pass tells pending Services why (condition NoConfig).
    if (this.#config.config === null && obs.kind !== "unchanged") return "reprocess-all";
    return "ok";
  }

  async #reprocessAll(): Promise<SyncState> {
    if (!this.#leading) return "ok";
    const allocator = this.#allocator;
    // Forget Services that are gone (deleted while per-Service reconciles were held back).
    for (const key of [...this.#allocationKeys.keys()]) {
      if (this.#cached(key) === undefined) {
        allocator?.unassign(key);
        this.#allocationKeys.delete(key);
      }
    }
    const services = reprocessOrder(this.#services.list().map((s) => this.#current(serviceKeyOf(s), s) ?? s));
    const ctx = this.#context();
    let again = false;
    // Writes in flight, and the pass waiting for one of them to finish (a counter
    // and one waiter: racing every in-flight promise cost O(concurrency) per Service).
    let inFlight = 0;
    let slotFreed: (() => void) | null = null;
    const waitForSlot = () => new Promise<void>((r) => (slotFreed = r));
    for (const svc of services) {
      // Leadership lost mid-pass: stop deciding; the next leader starts over.
      if (!this.#leading || this.#allocator !== allocator) return "ok";
      const d = converge(serviceKeyOf(svc), svc, ctx);
      this.#emit(d);
      if (d.write === null) {
        if (d.verdict === "retry" || d.verdict === "reprocess-all") again = true;
        continue;
      }
      inFlight++;
      void this.#write(d).then((v) => {
        if (v === "retry" || v === "reprocess-all") again = true;
        inFlight--;
        const wake = slotFreed;
        slotFreed = null;
        wake?.();
      });
      if (inFlight >= this.#concurrency) await waitForSlot();
    }
    while (inFlight > 0) await waitForSlot();
    // MetalLB: any Service asking for another pass makes the whole pass retry with backoff.
    if (again) return "retry";
    if (this.#config.config !== null && this.#leading && this.#allocator === allocator && !this.#initialLoadPerformed) {
      this.#initialLoadPerformed = true;
      this.#log.info("full pass done, per-service reconciles enabled", { op: "reprocessAll", services: services.length });
      this.#checkReady();
    }
    return "ok";
  }

  // ---- helpers ------------------------------------------------------------------------

  #context(): ConvergeContext {
    const allocator = this.#allocator ?? new Allocator();
    return {
      allocator,
      pools: this.#config.config?.pools ?? null,
      noConfigReason: this.#config.noConfigReason(),
      lbClass: this.#o.lbClass ?? null,
      namespaceLabels: (ns) => (this.#namespaces.get(ns)?.metadata?.labels ?? {}) as Labels,
      allocationKeys: this.#allocationKeys,
      now: () => new Date(this.#clock.now()),
    };
  }

  #cached(key: string): V1Service | undefined {
    const slash = key.indexOf("/");
    return this.#services.get(key.slice(slash + 1), key.slice(0, slash));
  }

  /** The newest known version: our last write while the cache still holds the version it replaced. */
  #current(key: string, cached: V1Service | undefined): V1Service | undefined {
    const w = this.#written.get(key);
    if (w === undefined) return cached;
    if (cached !== undefined && cached.metadata?.resourceVersion === w.baseVersion) return w.service;
    this.#written.delete(key);
    return cached;
  }

  async #write(d: Decision): Promise<SyncState> {
    const w = d.write;
    if (w === null) return d.verdict;
    try {
      const updated = await writeServiceStatus(this.#o.clients.rest, w);
      // Remembered only while the cache lags behind (the echo may have come first).
      if (this.#cached(d.key)?.metadata?.resourceVersion === w.resourceVersion) this.#written.set(d.key, { baseVersion: w.resourceVersion, service: updated });
      this.metrics.statusWrite("ok");
      this.#log.debug("status written", { op: "updateServiceStatus", service: d.key, resourceVersion: updated.metadata?.resourceVersion });
      return d.verdict;
    } catch (err) {
      if (isNotFound(err)) {
        // Deleted meanwhile; its delete event follows.
        this.#log.debug("service gone before its status was written", { op: "updateServiceStatus", service: d.key });
        return d.verdict;
      }
      this.metrics.statusWrite(isConflict(err) ? "conflict" : "error");
      this.#log.warn("status write failed, will retry", { op: "updateServiceStatus", service: d.key, error: describeError(err) });
      // A freed IP must still reach pending Services even though this write failed.
      if (d.verdict === "reprocess-all") this.#queue.add(REPROCESS_ALL);
      return "retry";
    }
  }

  #emit(d: Decision): void {
    for (const l of d.logs) this.#log[l.level](l.msg, { op: "reconcile", ...l.fields });
    if (d.failure !== null) this.metrics.allocationFailed(d.failure);
    if (d.events.length === 0) return;
    const svc = this.#current(d.key, this.#cached(d.key));
    const slash = d.key.indexOf("/");
    const target: EventTarget = {
      kind: "Service",
      apiVersion: "v1",
      namespace: d.key.slice(0, slash),
      name: d.key.slice(slash + 1),
      uid: svc?.metadata?.uid,
      resourceVersion: svc?.metadata?.resourceVersion,
    };
    for (const e of d.events) this.#events.record(target, e.type, e.reason, e.message);
  }

  #reportConfig(obs: ConfigObservation, cm: V1ConfigMap | undefined): void {
    const where = this.#config.where;
    const slash = where.indexOf("/");
    const target: EventTarget = { kind: "ConfigMap", apiVersion: "v1", namespace: where.slice(0, slash), name: where.slice(slash + 1), uid: cm?.metadata?.uid };
    const log = this.#log.with({ op: "setConfig", configMap: where });
    switch (obs.kind) {
      case "unchanged":
        return;
      case "loaded": {
        const pools = obs.config.pools.length;
        log.info(obs.first ? "configuration loaded" : "configuration changed", { pools, poolsChanged: obs.poolsChanged, warnings: obs.warnings.length });
        for (const w of obs.warnings) log.warn("configuration warning", { code: w.code, path: w.path, line: w.line, error: w.message });
        if (this.#leading && (obs.first || obs.recovered || obs.poolsChanged)) {
          this.#events.record(target, "Normal", EventReason.ConfigLoaded, `configuration loaded: ${pools} address pool${pools === 1 ? "" : "s"}`);
        }
        return;
      }
      case "invalid": {
        const kept = obs.keptLast ? "keeping the last good configuration" : "no configuration in force";
        log.error("configuration rejected", { kept: obs.keptLast, error: obs.errors.join("; ") });
        if (this.#leading) this.#events.record(target, "Warning", EventReason.ConfigInvalid, `configuration rejected, ${kept}: ${obs.errors.join("; ")}`);
        return;
      }
      case "missing": {
        // MetalLB: "configuration is missing, MetalLB will not function" (and keeps the old config).
        log.error(obs.keptLast ? "configuration is missing, keeping the last good configuration" : "configuration is missing, IronLB will not function", { kept: obs.keptLast });
        if (this.#leading && obs.keptLast) this.#events.record(target, "Warning", EventReason.ConfigMissing, `ConfigMap ${where} was deleted, keeping the last good configuration`);
        return;
      }
    }
  }

  #checkReady(): void {
    if (this.#readyWaiters.length === 0 || !this.ready) return;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
  }
}

function kindOf(key: string): ReconcileKind {
  return key === REPROCESS_ALL ? "reprocess-all" : key === CONFIG_KEY ? "config" : "service";
}

function printable(key: string): string {
  return key === REPROCESS_ALL ? "reprocess-all" : key === CONFIG_KEY ? "config" : key;
}

function sortedLabels(labels: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
