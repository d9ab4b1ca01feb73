// The speaker daemon: informers (sources.ts) and the membership feed one
// work queue; each key is decided by the pure layer (decide.ts); the desired
// state per protocol (desired.ts) goes to ONE writer each: layer 2
// `announce(set)`, BGP sessions (sessions.ts) with `setAdvertisements(all)`.
//
// Queue keys: "namespace/name" (one Service: its EndpointSlices map to it by
// label), CONFIG_KEY, SESSIONS_KEY (own node labels or a password Secret
// changed) and REPROCESS_ALL (config loaded, membership or speaker-pod
// readiness changed, a node's NetworkUnavailable / exclude label / labels
// changed), as MetalLB's ForceSync.
//
// Layer 2 takeover: an IP this speaker saw announced before (it was in
// place when the speaker started, or another node was elected for it) is
// taken over without a conflict probe, because the previous owner may still
// answer for a moment; an IP new to the cluster is probed first (l2's
// announcer explains the trade-off).
//
// Shutdown (SIGTERM): leave the membership first (the others drop this node
// on the first datagram and take over), then stop answering ARP/NDP, then end
// every BGP session with a Cease, so a rolling update hands over without a
// gap. Partitions: see live.ts.
//
// Deliberately not here: the pure decisions, the writers' I/O, process
// wiring (run.ts).
import type { L2Event } from "@ironlb/l2";
import { formatIp } from "@ironlb/core/ip";
import { ingressIps, serviceKey, type ServiceObject } from "@ironlb/core/service";
import {
  describeError,
  EventRecorder,
  patchPodAnnotations,
  realClock,
  REPROCESS_ALL,
  silentLogger,
  WorkQueue,
  type Clients,
  type Clock,
  type EventTarget,
  type InformerEvent,
  type Logger,
  type ReadinessCheck,
  type SyncState,
  type TimerHandle,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from "@ironlb/kube";
import type { Registry } from "prom-client";
import { diffDecisions, type AnnouncementChange } from "./announcements.ts";
import { SpeakerConfig, type AnnouncedIps } from "./config-state.ts";
import { decisionContext, type DecisionContext } from "./context.ts";
import { decideService, type ServiceDecision } from "./decide.ts";
import { buildDesired, type DesiredState } from "./desired.ts";
import { NO_ENDPOINTS, SERVICE_NAME_LABEL, summarizeEndpoints, type EndpointSliceObject } from "./endpoints.ts";
import { FailoverTracker } from "./failover.ts";
import type { Layer2Writer } from "./layer2-writer.ts";
import { liveSpeakers, readyNodes, sameSet, speakerPod, type SpeakerPod } from "./live.ts";
import { SpeakerMembership, type MembershipSettings } from "./membership-link.ts";
import { SpeakerMetrics } from "./metrics.ts";
import { nodeChangeMatters, nodeState, type NodeState } from "./nodes.ts";
import { peersForNode, routerIdFor, sessionSpec, type SessionSpec } from "./peers.ts";
import { StatusPublisher } from "./publisher.ts";
import { secretText } from "./secrets.ts";
import { BgpSessions, type BgpSessionFactory } from "./sessions.ts";
import { KubeSources } from "./sources.ts";
import { serializeStatus, STATUS_ANNOTATION } from "./status-doc.ts";

const CONFIG_KEY = "\u0000config";
const SESSIONS_KEY = "\u0000sessions";
const KERNEL_POLL_MS = 5_000;
export const DEFAULT_SPEAKER_SELECTOR = "app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker";

export interface SpeakerOptions {
  readonly clients: Clients;
  readonly nodeName: string;
  readonly namespace: string;
  readonly configMapName?: string | undefined;
  readonly lbClass?: string | null | undefined;
  readonly speakerSelector?: string | undefined;
  /** This speaker's pod; default: the speaker pod scheduled on this node. */
  readonly podName?: string | undefined;
  readonly ignoreExcludeLb?: boolean | undefined;
  /** Builds the layer 2 writer; `onEvent` must receive the announcer's events. */
  readonly layer2: (onEvent: (e: L2Event) => void) => Layer2Writer;
  readonly bgp: BgpSessionFactory;
  /** Off when undefined: liveness comes from speaker pod readiness only. */
  readonly membership?: MembershipSettings | undefined;
  readonly registry: Registry;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Publish the status annotation on the own pod (default true). */
  readonly publish?: boolean | undefined;
  readonly publishDelayMs?: number | undefined;
  readonly informerBackoff?: { readonly minMs: number; readonly maxMs: number } | undefined;
}

export class Speaker {
  readonly metrics: SpeakerMetrics;
  readonly #o: SpeakerOptions;
  readonly #clock: Clock;
  #kernelPoll: TimerHandle | undefined;
  readonly #log: Logger;
  readonly #config: SpeakerConfig;
  readonly #sources: KubeSources;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;
  readonly #layer2: Layer2Writer;
  readonly #sessions: BgpSessions;
  readonly #membership: SpeakerMembership | null;
  readonly #publisher: StatusPublisher | null;
  readonly #failover: FailoverTracker;
  readonly #nodes = new Map<string, NodeState>();
  // pod name -> speaker pod
  readonly #pods = new Map<string, SpeakerPod>();
  // service key -> slice name -> slice
  readonly #slices = new Map<string, Map<string, EndpointSliceObject>>();
  readonly #decisions = new Map<string, ServiceDecision>();
  // IPs whose owner was elected before (or that existed when we started): taken over without probing
  readonly #known = new Set<string>();
  #ctx: DecisionContext | null = null;
  #live = new Set<string>();
  #desired: DesiredState | null = null;
  #synced = false;
  #baselined = false;
  #stopping = false;
  #reportedConflicts = new Set<string>();

  constructor(options: SpeakerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.logger ?? silentLogger).with({ node: options.nodeName });
    const cmName = options.configMapName ?? "config";
    this.#config = new SpeakerConfig(`${options.namespace}/${cmName}`);
    this.#sessions = new BgpSessions({
      factory: options.bgp,
      clock: this.#clock,
      onChange: () => this.#publish(),
      onEvent: (peer, e) => {
        if (e.type === "stateChanged") this.#log.info("BGP session state", { op: "bgp", peer, from: e.from, to: e.to, reason: e.reason });
        else if (e.type === "notificationReceived" || e.type === "notificationSent") this.#log.warn("BGP notification", { op: "bgp", peer, event: e.type, code: e.codeName, subcode: e.subcodeName, message: e.message });
      },
    });
    this.#membership = options.membership === undefined ? null : new SpeakerMembership(options.membership, { nodeName: options.nodeName, clock: this.#clock, log: this.#log, onChange: (e) => this.#onMembership(e) });
    this.metrics = new SpeakerMetrics(options.registry, { sessions: () => this.#sessions.samples(), members: () => this.#membership?.alive()?.size ?? 0, skewed: () => this.#membership?.skewed() ?? new Map() });
    this.#failover = new FailoverTracker({
      now: () => this.#clock.now(),
      observe: (cause, seconds, ip, from) => {
        this.metrics.failover("layer2", cause, seconds);
        this.#log.info("took over", { op: "failover", ip, from, cause, seconds });
      },
    });
    this.#layer2 = options.layer2((e) => this.#onLayer2(e));
    this.#sources = new KubeSources({
      clients: options.clients,
      namespace: options.namespace,
      configMapName: cmName,
      speakerSelector: options.speakerSelector ?? DEFAULT_SPEAKER_SELECTOR,
      clock: this.#clock,
      backoff: options.informerBackoff,
      onError: (resource, err) => this.#log.warn("watch failed, restarting", { op: "informer", resource, error: describeError(err) }),
      handlers: {
        service: (e) => this.#enqueue(serviceKey(e.object as ServiceObject)),
        slice: (e) => this.#onSlice(e),
        node: (e) => this.#onNode(e),
        configMap: () => this.#enqueue(CONFIG_KEY),
        pod: (e) => this.#onPod(e),
        secret: (key, e) => this.#onSecret(key, e),
      },
    });
    if (this.#membership !== null) this.#sources.watchSecrets([this.#membership.secretKey(options.namespace)]);
    this.#queue = new WorkQueue((key) => this.#handle(key), {
      clock: this.#clock,
      onProcessed: (key, verdict) => this.metrics.reconciled(key === CONFIG_KEY ? "config" : key === REPROCESS_ALL ? "reprocess-all" : key === SESSIONS_KEY ? "sessions" : "service", verdict === "retry"),
      onHandlerError: (key, err) => this.#log.error("reconcile threw (bug), retrying", { op: "reconcile", key: key.replace("\u0000", ""), error: describeError(err) }),
    });
    this.#events = new EventRecorder({
      api: options.clients.core,
      clock: this.#clock,
      component: "ironlb-speaker",
      host: options.nodeName,
      onError: (err, ev) => this.#log.debug("event not recorded", { op: "event", reason: ev.reason, error: describeError(err) }),
      onDropped: () => this.metrics.eventDropped(),
    });
    this.#publisher =
      options.publish === false
        ? null
        : new StatusPublisher({
            clock: this.#clock,
            delayMs: options.publishDelayMs,
            write: async (pod, value) => void (await patchPodAnnotations(options.clients.core, { namespace: options.namespace, name: pod }, { [STATUS_ANNOTATION]: value })),
            onResult: (ok, err) => {
              this.metrics.statusWrite(ok ? "ok" : "error");
              if (!ok) this.#log.warn("publishing status failed", { op: "status", error: describeError(err) });
            },
          });
  }

  async start(): Promise<void> {
    this.#log.info("starting", { op: "startup", namespace: this.#o.namespace, lbClass: this.#o.lbClass ?? "", membership: this.#membership !== null });
    await this.#sources.start();
    if (this.#stopping) return;
    this.#synced = true;
    this.#log.info("caches synced", { op: "startup", services: this.#sources.services.list().length, nodes: this.#nodes.size });
    await this.#membership?.maybeStart(this.#sources.secret(this.#membership.secretKey(this.#o.namespace)));
    this.#refreshLive();
    this.#queue.add(CONFIG_KEY);
    this.#queue.add(REPROCESS_ALL);
    this.#scheduleKernelPoll();
  }

  /** Requests answered in the kernel (--l2-kernel-arp) reach the metrics every few seconds. */
  #scheduleKernelPoll(): void {
    if (this.#layer2.poll === undefined || this.#stopping) return;
    this.#kernelPoll = this.#clock.setTimer(KERNEL_POLL_MS, () => {
      this.#layer2.poll?.();
      this.#scheduleKernelPoll();
    });
  }

  /** SIGTERM: hand over (membership leave), withdraw everything, then stop. */
  async shutdown(message = "ironlb speaker shutting down"): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#queue.stop();
    this.#kernelPoll?.cancel();
    this.#log.info("shutting down: leaving, withdrawing", { op: "shutdown" });
    const leaving = this.#membership?.leave() ?? Promise.resolve();
    await this.#layer2.close();
    await this.#sessions.close(message);
    await leaving;
    await this.#membership?.stop();
    this.#publisher?.close();
    await this.#sources.stop();
    await Promise.race([this.#events.flush(), new Promise((r) => this.#clock.setTimer(1000, () => r(undefined)))]);
    this.#log.info("stopped", { op: "shutdown" });
  }

  /** Queues a key once the caches are synced; before that, start() queues the full pass that covers it. */
  #enqueue(key: string): void {
    if (this.#synced) this.#queue.add(key);
  }

  /** Resolves once no key is queued or running (tests). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** What this node announces now (tests, status). */
  get desired(): DesiredState | null {
    return this.#desired;
  }

  decision(key: string): ServiceDecision | undefined {
    return this.#decisions.get(key);
  }

  get liveSpeakers(): ReadonlySet<string> {
    return this.#live;
  }

  readinessChecks(): ReadinessCheck[] {
    return [
      { name: "informers", check: () => (this.#synced ? null : "caches not synced yet") },
      { name: "membership", check: () => this.#membership?.notReadyReason(this.#otherSpeakerIps().length) ?? null },
    ];
  }

  // ---- informer and membership events ----------------------------------------------

  #onSlice(e: InformerEvent<V1EndpointSlice>): void {
    const obj = e.object as EndpointSliceObject;
    const svc = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined) return;
    const key = `${obj.metadata?.namespace ?? ""}/${svc}`;
    const name = obj.metadata?.name ?? "";
    let m = this.#slices.get(key);
    if (e.type === "delete") {
      m?.delete(name);
      if (m?.size === 0) this.#slices.delete(key);
    } else {
      if (m === undefined) this.#slices.set(key, (m = new Map()));
      m.set(name, obj);
    }
    this.#enqueue(key);
  }

  #onNode(e: InformerEvent<V1Node>): void {
    const next = e.type === "delete" ? undefined : nodeState(e.object);
    const name = e.object.metadata?.name ?? "";
    const before = this.#nodes.get(name);
    if (next === undefined) this.#nodes.delete(name);
    else this.#nodes.set(name, next);
    if (!nodeChangeMatters(before, next)) return;
    this.#ctx = null;
    if (name === this.#o.nodeName) {
      this.#enqueue(SESSIONS_KEY);
      // MetalLB: a change to the own Node asks memberlist to rejoin.
      if (before !== undefined) this.#membership?.rejoin();
    }
    this.#enqueue(REPROCESS_ALL);
  }

  #onPod(e: InformerEvent<V1Pod>): void {
    const p = speakerPod(e.object);
    const before = new Map(this.#pods);
    if (e.type === "delete") this.#pods.delete(p.name);
    else this.#pods.set(p.name, p);
    const readyBefore = readyNodes(before.values());
    const readyNow = readyNodes(this.#pods.values());
    for (const n of readyBefore) if (!readyNow.has(n)) this.#failover.gone(n, this.#clock.now(), "not-ready");
    for (const n of readyNow) if (!readyBefore.has(n)) this.#failover.back(n);
    this.#membership?.seeds(this.#otherSpeakerIps());
    this.#refreshLive();
    if (p.node === this.#o.nodeName) this.#publish();
  }

  #onMembership(e: { readonly type: "alive" | "gone"; readonly name: string; readonly at: number; readonly cause?: "dead" | "left" }): void {
    if (e.type === "gone") this.#failover.gone(e.name, e.at, e.cause ?? "dead");
    else this.#failover.back(e.name);
    this.#refreshLive();
  }

  #onSecret(key: string, e: InformerEvent<V1Secret>): void {
    const m = this.#membership;
    if (m !== null && key === m.secretKey(this.#o.namespace)) {
      if (this.#synced) void m.maybeStart(e.type === "delete" ? undefined : e.object).then(() => this.#refreshLive());
      return;
    }
    this.#enqueue(SESSIONS_KEY);
  }

  #refreshLive(): void {
    const live = liveSpeakers(this.#membership === null ? null : (this.#membership.alive() ?? new Set()), readyNodes(this.#pods.values()));
    if (sameSet(live, this.#live)) return;
    this.#log.info("live speakers changed", { op: "membership", live: [...live].sort() });
    this.#live = live;
    this.#ctx = null;
    this.#enqueue(REPROCESS_ALL);
  }

  #otherSpeakerIps(): string[] {
    return [...this.#pods.values()].filter((p) => p.node !== this.#o.nodeName && p.ip !== undefined).map((p) => p.ip as string);
  }

  #onLayer2(e: L2Event): void {
    switch (e.type) {
      case "announcing":
        this.#failover.announced(e.ip);
        this.#log.info("announcing", { op: "layer2", ip: e.ip, interfaces: e.interfaces, probed: e.probed });
        return;
      case "withdrawn":
        this.#failover.cancelled(e.ip);
        this.#log.info("withdrawn", { op: "layer2", ip: e.ip });
        return;
      case "request":
        this.metrics.layer2Request(e.ip, e.result === "replied");
        return;
      case "kernel-arp":
        this.#log.info("answering ARP in the kernel", { op: "layer2", interface: e.interface, hook: e.hook });
        return;
      case "kernel-answered":
        this.metrics.layer2KernelAnswered(e.ip, e.answered);
        return;
      case "gratuitous":
        this.metrics.gratuitousSent(e.ip, e.frames);
        return;
      case "conflict":
      case "refused":
        this.metrics.conflict(e.ip);
        this.#log.warn(e.type === "refused" ? "address in use by another host, not announcing" : "another host claims an announced address", { op: "layer2", ip: e.ip, interface: e.interface, foreignMac: e.foreignMac });
        for (const svc of this.#servicesOf(e.ip)) {
          this.#event(svc, "Warning", "AddressConflict", `${e.type === "refused" ? "not announcing" : "announcing"} ${e.ip} from node "${this.#o.nodeName}": ${e.foreignMac} on ${e.interface} claims it too`);
        }
        return;
      case "interfaces-missing":
        for (const svc of this.#servicesOf(e.ip)) {
          this.#event(svc, "Warning", "announceFailed", `the interfaces specified by LB IP "${e.ip}" doesn't exist in assigned node "${this.#o.nodeName}" with protocol "layer2"`);
        }
        return;
      case "interface-error":
        this.#log.warn("layer 2 interface error", { op: "layer2", interface: e.interface, protocol: e.protocol, code: e.code, error: e.message });
        return;
      default:
        return;
    }
  }

  #servicesOf(ip: string): string[] {
    return this.#desired?.layer2.find((a) => formatIp(a.ip) === ip)?.services.slice() ?? [];
  }

  // ---- the queue's handler ---------------------------------------------------------------

  #handle(key: string): SyncState {
    if (this.#stopping) return "ok";
    if (key === CONFIG_KEY) return this.#syncConfig();
    if (this.#config.config === null) return "ok"; // MetalLB: until a config is loaded, nothing is done
    if (key === SESSIONS_KEY) {
      this.#syncSessions();
      this.#flush([]);
      return "ok";
    }
    if (key === REPROCESS_ALL) return this.#reprocessAll();
    const changes = this.#decide(key);
    this.#flush(changes);
    if (this.#config.pending && changes.some((c) => c.type === "withdrawn")) this.#enqueue(CONFIG_KEY);
    return "ok";
  }

  #syncConfig(): SyncState {
    const cm = this.#sources.configMaps.list()[0];
    const obs = this.#config.observe(cm, this.#announcedIps());
    this.metrics.config(this.#config.config !== null, this.#config.stale || this.#config.pending);
    const target: EventTarget = { kind: "ConfigMap", apiVersion: "v1", namespace: this.#o.namespace, name: this.#o.configMapName ?? "config", uid: cm?.metadata?.uid };
    switch (obs.kind) {
      case "unchanged":
        return "ok";
      case "loaded":
        this.#log.info("config loaded", { op: "setConfig", first: obs.first, pools: obs.config.pools.length, peers: obs.config.peers.length });
        this.#ctx = null;
        return "reprocess-all";
      case "invalid":
        this.#log.error("config invalid, keeping the last good one", { op: "setConfig", errors: obs.errors, keptLast: obs.keptLast });
        if (cm !== undefined) this.#event(null, "Warning", "ConfigInvalid", this.#config.problem ?? "", target);
        return "ok";
      case "missing":
        this.#log.error("config missing, keeping the last good one", { op: "setConfig", keptLast: obs.keptLast });
        return "ok";
      case "rejected":
        this.#log.error("new configuration rejected", { op: "setConfig", orphans: obs.orphans });
        if (cm !== undefined) this.#event(null, "Warning", "ConfigRejected", this.#config.problem ?? "", target);
        return "retry";
    }
  }

  #reprocessAll(): SyncState {
    this.#syncSessions();
    const keys = new Set([...this.#sources.services.list().map((s) => serviceKey(s as ServiceObject)), ...this.#decisions.keys()]);
    if (!this.#baselined) {
      // IPs in place when this speaker started are announced by someone already: take them over, do not probe.
      for (const s of this.#sources.services.list()) for (const ip of ingressIps(s as ServiceObject)) this.#known.add(formatIp(ip));
      this.#baselined = true;
    }
    const changes: AnnouncementChange[] = [];
    for (const key of keys) changes.push(...this.#decide(key));
    this.#flush(changes);
    if (this.#config.pending) this.#enqueue(CONFIG_KEY);
    return "ok";
  }

  #context(): DecisionContext {
    if (this.#ctx !== null) return this.#ctx;
    const config = this.#config.config;
    if (config === null) throw new Error("no config");
    this.#ctx = decisionContext(
      { nodeName: this.#o.nodeName, config, nodes: this.#nodes, liveSpeakers: this.#live, lbClass: this.#o.lbClass ?? null, ignoreExcludeLb: this.#o.ignoreExcludeLb ?? false },
      this.#config.pools ?? undefined,
    );
    return this.#ctx;
  }

  /** Decides one Service, records the decision and returns what changed. */
  #decide(key: string): AnnouncementChange[] {
    const [namespace, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
    const svc = this.#sources.services.get(name, namespace) as ServiceObject | undefined;
    const slices = this.#slices.get(key);
    const next = decideService(this.#context(), key, svc, slices === undefined ? NO_ENDPOINTS : summarizeEndpoints(slices.values()));
    const prev = this.#decisions.get(key);
    const changes = diffDecisions(prev, next);
    if (svc === undefined) this.#decisions.delete(key);
    else this.#decisions.set(key, next);
    for (const c of changes) {
      if (c.type === "assigned" && c.protocol === "layer2" && next.layer2.announce) {
        const previousOwner = prev?.layer2.owner;
        if (previousOwner !== undefined && previousOwner !== this.#o.nodeName) for (const ip of c.ips) this.#failover.takeover(ip, previousOwner);
      }
    }
    return changes;
  }

  #syncSessions(): void {
    const config = this.#config.config;
    if (config === null) return;
    const me = this.#nodes.get(this.#o.nodeName);
    const specs: SessionSpec[] = [];
    const secrets = new Set<string>();
    if (this.#membership !== null) secrets.add(this.#membership.secretKey(this.#o.namespace));
    const fallbacks = [...(me?.addresses ?? []), ...(this.#membership?.bindAddress === undefined ? [] : [this.#membership.bindAddress])];
    for (const peer of peersForNode(config.peers, me?.labels ?? {})) {
      let password = peer.password ?? undefined;
      if (peer.passwordSecret !== null) {
        const key = `${peer.passwordSecret.namespace ?? this.#o.namespace}/${peer.passwordSecret.name}`;
        secrets.add(key);
        const read = secretText(this.#sources.secret(key), "password", "kubernetes.io/basic-auth");
        if (!read.ok) {
          // MetalLB treats a missing Secret as transient: the session starts once it appears.
          if (this.#sources.secretSynced(key)) this.#log.warn("BGP password secret unusable, session not started", { op: "bgp", peer: peer.name, secret: key, problem: read.problem });
          continue;
        }
        password = read.value;
      }
      specs.push(sessionSpec(peer, password, routerIdFor(peer, fallbacks, this.#o.nodeName)));
    }
    this.#sources.watchSecrets(secrets);
    const plan = this.#sessions.sync(specs);
    for (const s of plan.start) this.#log.info("BGP session starting", { op: "bgp", peer: s.name, address: formatIp(s.peer.peerAddress), routerId: s.routerId });
    for (const n of plan.stop) this.#log.info("BGP session stopping", { op: "bgp", peer: n });
  }

  /** Hands the desired state to the writers and reports what changed. */
  #flush(changes: readonly AnnouncementChange[]): void {
    const desired = buildDesired(this.#decisions.values(), this.#sessions.names);
    this.#desired = desired;
    this.#layer2.announce(desired.layer2.map((a) => ({ ip: a.ip, interfaces: a.interfaces, conflictCheck: this.#known.has(formatIp(a.ip)) ? "skip" : "probe" })));
    // Known from now on: IPs with an elected owner. Forgotten: IPs no Service holds (a released IP that comes back is new again).
    const held = new Set<string>();
    for (const d of this.#decisions.values()) {
      for (const ip of d.ips) {
        const text = formatIp(ip);
        held.add(text);
        if (d.layer2.owner !== undefined || d.layer2.announce) this.#known.add(text);
      }
    }
    if (this.#baselined) for (const ip of this.#known) if (!held.has(ip)) this.#known.delete(ip);
    this.#sessions.setRoutes(desired.bgp);
    for (const c of desired.conflicts) {
      const k = `${c.peer}|${c.prefix}|${c.kept.localPref}`;
      if (this.#reportedConflicts.has(k)) continue;
      this.#reportedConflicts.add(k);
      this.#log.warn("conflicting LOCAL_PREF for one prefix, the first Service's is sent", { op: "bgp", peer: c.peer, prefix: c.prefix, kept: c.kept, dropped: c.dropped });
    }
    for (const c of changes) this.#report(c);
    this.#failover.prune();
    this.#publish();
  }

  #report(c: AnnouncementChange): void {
    for (const ip of c.ips) this.metrics.announced(c.service, c.protocol, this.#o.nodeName, ip, c.type === "assigned");
    if (c.type === "assigned") {
      this.#log.info("service has IP, announcing", { op: "setBalancer", event: "serviceAnnounced", service: c.service, protocol: c.protocol, ips: c.ips });
      this.#event(c.service, "Normal", "nodeAssigned", `announcing from node "${this.#o.nodeName}" with protocol "${c.protocol}"`);
    } else {
      this.metrics.withdrawn(c.protocol, c.reason);
      this.#log.info("withdrawing service announcement", { op: "deleteBalancer", event: "serviceWithdrawn", service: c.service, protocol: c.protocol, ips: c.ips, reason: c.reason });
    }
  }

  #announcedIps(): AnnouncedIps[] {
    const out: AnnouncedIps[] = [];
    for (const d of this.#decisions.values()) if (d.layer2.announce || d.bgp.announce) out.push({ service: d.key, ips: d.ips });
    return out;
  }

  #event(service: string | null, type: "Normal" | "Warning", reason: string, message: string, target?: EventTarget): void {
    if (target === undefined) {
      if (service === null) return;
      const [namespace, name] = [service.slice(0, service.indexOf("/")), service.slice(service.indexOf("/") + 1)];
      const svc = this.#sources.services.get(name, namespace) as V1Service | undefined;
      target = { kind: "Service", apiVersion: "v1", namespace, name, uid: svc?.metadata?.uid, resourceVersion: svc?.metadata?.resourceVersion };
    }
    this.#events.record(target, type, reason, message);
  }

  #publish(): void {
    if (this.#publisher === null || this.#stopping) return;
    const layer2 = new Map<string, string[]>();
    const bgp = new Map<string, string[]>();
    for (const d of this.#decisions.values()) {
      if (d.layer2.announce) layer2.set(d.key, d.ips.map(formatIp));
      if (d.bgp.announce) bgp.set(d.key, d.ips.map(formatIp));
    }
    const doc = serializeStatus({ node: this.#o.nodeName, layer2, bgp, sessions: this.#sessions.published() });
    this.#publisher.update(this.#podName(), doc);
  }

  #podName(): string | undefined {
    if (this.#o.podName !== undefined) return this.#o.podName;
    return [...this.#pods.values()].find((p) => p.node === this.#o.nodeName)?.name;
  }
}
