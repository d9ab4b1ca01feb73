// The speaker's Prometheus metrics, on an injected registry. Names are
// MetalLB's (reference §4) with the `ironlb_` prefix, plus what IronLB adds:
// the failover histogram (no peer has one, peers.md §10 item 7), membership
// size, withdraw reasons and layer 2 conflicts.
//
// Layer 2 counters are fed from the announcer's typed events (one increment
// per request, reply and gratuitous frame); BGP session gauges and counters
// are read from the sessions when scraped, so they never drift from them.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface SessionSample {
  readonly peer: string;
  readonly up: boolean;
  readonly updatesSent: number;
  readonly prefixesAdvertised: number;
  readonly prefixesPending: number;
}

export interface MetricSources {
  /** The BGP sessions as they are now; updatesSent is cumulative per peer across session restarts. */
  readonly sessions: () => readonly SessionSample[];
  /** Members the membership considers alive (0 when it is off). */
  readonly members: () => number;
  /** Members reachable but clock-skewed beyond the replay window: name -> offset (ms). */
  readonly skewed?: (() => ReadonlyMap<string, number>) | undefined;
}

/** Failover buckets: a SIGKILL takes ~0.3-1 s with the default membership, a link cut about as long, an API-only signal many seconds. */
const FAILOVER_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60];

export class SpeakerMetrics {
  readonly #announced: Gauge<"service" | "protocol" | "node" | "ip">;
  readonly #requests: Counter<"ip">;
  readonly #responses: Counter<"ip">;
  readonly #gratuitous: Counter<"ip">;
  readonly #conflicts: Counter<"ip">;
  readonly #failover: Histogram<"protocol" | "cause">;
  readonly #configLoaded: Gauge;
  readonly #configStale: Gauge;
  readonly #reconciles: Counter<"kind">;
  readonly #errors: Counter<"kind">;
  readonly #withdrawals: Counter<"protocol" | "reason">;
  readonly #eventsDropped: Counter;
  readonly #statusWrites: Counter<"result">;

  constructor(registry: Registry, sources: MetricSources) {
    const registers = [registry];
    this.#announced = new Gauge({
      name: "ironlb_speaker_announced",
      help: "1 while this node announces the Service's IP with the protocol (desired state, not proof of convergence).",
      labelNames: ["service", "protocol", "node", "ip"],
      registers,
    });
    this.#requests = new Counter({ name: "ironlb_layer2_requests_received", help: "ARP requests and Neighbor Solicitations received for an announced IP.", labelNames: ["ip"], registers });
    this.#responses = new Counter({ name: "ironlb_layer2_responses_sent", help: "ARP replies and Neighbor Advertisements sent for an announced IP.", labelNames: ["ip"], registers });
    this.#gratuitous = new Counter({ name: "ironlb_layer2_gratuitous_sent", help: "Gratuitous ARP frames and unsolicited Neighbor Advertisements sent for an IP.", labelNames: ["ip"], registers });
    this.#conflicts = new Counter({ name: "ironlb_layer2_conflicts_total", help: "Claims on an announced (or probed) IP by another host.", labelNames: ["ip"], registers });
    this.#failover = new Histogram({
      name: "ironlb_failover_seconds",
      help: "From a peer declared dead (or gone) to this node's takeover announcement being sent.",
      labelNames: ["protocol", "cause"],
      buckets: FAILOVER_BUCKETS,
      registers,
    });
    new Gauge({
      name: "ironlb_bgp_session_up",
      help: "1 while the BGP session with the peer is Established.",
      labelNames: ["peer"],
      registers,
      collect() {
        this.reset();
        for (const s of sources.sessions()) this.set({ peer: s.peer }, s.up ? 1 : 0);
      },
    });
    new Counter({
      name: "ironlb_bgp_updates_total",
      help: "UPDATE messages sent to the peer (summed over the sessions this process ran with it).",
      labelNames: ["peer"],
      registers,
      collect() {
        // The totals only grow (sessions.ts keeps the count of replaced sessions), so setting them keeps counter semantics.
        this.reset();
        for (const s of sources.sessions()) if (s.updatesSent > 0) this.inc({ peer: s.peer }, s.updatesSent);
      },
    });
    new Gauge({
      name: "ironlb_bgp_announced_prefixes_total",
      help: "Prefixes the peer holds from this node.",
      labelNames: ["peer"],
      registers,
      collect() {
        this.reset();
        for (const s of sources.sessions()) this.set({ peer: s.peer }, s.prefixesAdvertised);
      },
    });
    new Gauge({
      name: "ironlb_bgp_pending_prefixes_total",
      help: "Prefixes waiting to be announced or withdrawn to the peer.",
      labelNames: ["peer"],
      registers,
      collect() {
        this.reset();
        for (const s of sources.sessions()) this.set({ peer: s.peer }, s.prefixesPending);
      },
    });
    new Gauge({
      name: "ironlb_membership_members",
      help: "Speakers the membership considers alive, this one included.",
      registers,
      collect() {
        this.set(sources.members());
      },
    });
    new Gauge({
      name: "ironlb_membership_clock_skew_seconds",
      help: "Offset of a reachable speaker's clock from this one's, for speakers beyond the membership's replay window (alert on any series: check NTP).",
      labelNames: ["member"],
      registers,
      collect() {
        this.reset();
        for (const [member, ms] of sources.skewed?.() ?? []) this.set({ member }, ms / 1000);
      },
    });
    this.#configLoaded = new Gauge({ name: "ironlb_config_loaded", help: "1 once a configuration has been loaded.", registers });
    this.#configStale = new Gauge({ name: "ironlb_config_stale", help: "1 when the ConfigMap is invalid, missing or rejected and the last good configuration is in force.", registers });
    this.#reconciles = new Counter({ name: "ironlb_k8s_client_updates_total", help: "Reconcile invocations (Services, full passes, config, sessions).", labelNames: ["kind"], registers });
    this.#errors = new Counter({ name: "ironlb_k8s_client_update_errors_total", help: "Reconciles that failed and were retried.", labelNames: ["kind"], registers });
    this.#withdrawals = new Counter({ name: "ironlb_speaker_withdrawals_total", help: "Announcements this node stopped, by protocol and reason.", labelNames: ["protocol", "reason"], registers });
    this.#statusWrites = new Counter({ name: "ironlb_speaker_status_writes_total", help: "Writes of this speaker's published state, by result.", labelNames: ["result"], registers });
    this.#eventsDropped = new Counter({ name: "ironlb_events_dropped_total", help: "Kubernetes Events not sent because 1,000 were already waiting.", registers });
  }

  announced(service: string, protocol: string, node: string, ip: string, on: boolean): void {
    if (on) this.#announced.set({ service, protocol, node, ip }, 1);
    else this.#announced.remove({ service, protocol, node, ip });
  }

  withdrawn(protocol: string, reason: string): void {
    this.#withdrawals.inc({ protocol, reason });
  }

  layer2Request(ip: string, replied: boolean): void {
    this.#requests.inc({ ip });
    if (replied) this.#responses.inc({ ip });
  }

  /** Requests the kernel fast path answered: each one was received and replied to. */
  layer2KernelAnswered(ip: string, answered: number): void {
    this.#requests.inc({ ip }, answered);
    this.#responses.inc({ ip }, answered);
  }

  gratuitousSent(ip: string, frames: number): void {
    this.#gratuitous.inc({ ip }, frames);
  }

  conflict(ip: string): void {
    this.#conflicts.inc({ ip });
  }

  failover(protocol: string, cause: string, seconds: number): void {
    this.#failover.observe({ protocol, cause }, seconds);
  }

  config(loaded: boolean, stale: boolean): void {
    this.#configLoaded.set(loaded ? 1 : 0);
    this.#configStale.set(stale ? 1 : 0);
  }

  reconciled(kind: string, failed: boolean): void {
    this.#reconciles.inc({ kind });
    if (failed) this.#errors.inc({ kind });
  }

  statusWrite(result: "ok" | "error"): void {
    this.#statusWrites.inc({ result });
  }

  eventDropped(): void {
    this.#eventsDropped.inc();
  }
}
