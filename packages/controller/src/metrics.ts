// The controller's Prometheus metrics, on an injected registry. Names follow
// MetalLB's (reference §4) with the `ironlb_` prefix: the allocator gauges
// per pool (all, IPv4, IPv6; buggy .0/.255 excluded when avoided; a /64 and
// larger saturate at MaxInt64 as in MetalLB), config loaded/stale, reconcile
// and error counters. Added: reconcile latency, allocation failures by
// condition reason, status writes by result, the leader gauge, and Events
// dropped because the recorder's queue was full.
//
// Allocator gauges are read from the allocator when scraped (its counters are
// queries), so they can never drift from it. A standby reports none: it holds
// no allocation state.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Allocator } from "@ironlb/core/allocator";

const MAX_INT64 = 2n ** 63n - 1n;

export type ReconcileKind = "service" | "reprocess-all" | "config";
export type WriteResult = "ok" | "conflict" | "error";

export class ControllerMetrics {
  readonly #reconciles: Counter<"kind">;
  readonly #errors: Counter<"kind">;
  readonly #latency: Histogram<"kind">;
  readonly #failures: Counter<"reason">;
  readonly #writes: Counter<"result">;
  readonly #configLoaded: Gauge;
  readonly #configStale: Gauge;
  readonly #leader: Gauge;
  readonly #eventsDropped: Counter;

  constructor(registry: Registry, allocator: () => Allocator | null) {
    const registers = [registry];
    const poolGauge = (name: string, help: string, value: (a: Allocator, pool: string) => bigint | number) =>
      new Gauge({
        name,
        help,
        labelNames: ["pool"],
        registers,
        collect() {
          this.reset();
          const a = allocator();
          if (a === null) return;
          for (const pool of a.poolNames()) {
            const v = value(a, pool);
            this.set({ pool }, typeof v === "bigint" ? Number(v > MAX_INT64 ? MAX_INT64 : v) : v);
          }
        },
      });
    const c = (a: Allocator, pool: string) => a.counters(pool);
    poolGauge("ironlb_allocator_addresses_total", "Usable addresses in the pool.", (a, p) => (c(a, p)?.ipv4.total ?? 0n) + (c(a, p)?.ipv6.total ?? 0n));
    poolGauge("ironlb_allocator_ipv4_addresses_total", "Usable IPv4 addresses in the pool.", (a, p) => c(a, p)?.ipv4.total ?? 0n);
    poolGauge("ironlb_allocator_ipv6_addresses_total", "Usable IPv6 addresses in the pool.", (a, p) => c(a, p)?.ipv6.total ?? 0n);
    poolGauge("ironlb_allocator_addresses_in_use_total", "Addresses of the pool held by Services (a shared address counts once).", (a, p) => (c(a, p)?.ipv4.inUse ?? 0n) + (c(a, p)?.ipv6.inUse ?? 0n));
    poolGauge("ironlb_allocator_ipv4_addresses_in_use_total", "IPv4 addresses of the pool held by Services.", (a, p) => c(a, p)?.ipv4.inUse ?? 0n);
    poolGauge("ironlb_allocator_ipv6_addresses_in_use_total", "IPv6 addresses of the pool held by Services.", (a, p) => c(a, p)?.ipv6.inUse ?? 0n);
    poolGauge("ironlb_allocator_services_allocated_total", "Services holding addresses of the pool.", (a, p) => c(a, p)?.services ?? 0);

    this.#reconciles = new Counter({ name: "ironlb_k8s_client_updates_total", help: "Reconcile invocations (Services, full passes, config).", labelNames: ["kind"], registers });
    this.#errors = new Counter({ name: "ironlb_k8s_client_update_errors_total", help: "Reconciles that failed and were retried.", labelNames: ["kind"], registers });
    this.#latency = new Histogram({
      name: "ironlb_controller_reconcile_duration_seconds",
      help: "Time to reconcile one key, status write included.",
      labelNames: ["kind"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#failures = new Counter({ name: "ironlb_controller_allocation_failures_total", help: "Services left without IPs, by condition reason.", labelNames: ["reason"], registers });
    this.#writes = new Counter({ name: "ironlb_controller_status_writes_total", help: "Service status writes, by result.", labelNames: ["result"], registers });
    this.#configLoaded = new Gauge({ name: "ironlb_config_loaded", help: "1 once a configuration has been loaded.", registers });
    this.#configStale = new Gauge({ name: "ironlb_config_stale", help: "1 when the ConfigMap is invalid or missing and the last good configuration is in force.", registers });
    this.#leader = new Gauge({ name: "ironlb_controller_leader", help: "1 while this replica leads (reconciles and writes).", registers });
    this.#eventsDropped = new Counter({ name: "ironlb_events_dropped_total", help: "Kubernetes Events not sent because 1,000 were already waiting.", registers });
    this.#configLoaded.set(0);
    this.#configStale.set(0);
    this.#leader.set(0);
  }

  reconciled(kind: ReconcileKind, failed: boolean, ms: number): void {
    this.#reconciles.inc({ kind });
    if (failed) this.#errors.inc({ kind });
    this.#latency.observe({ kind }, ms / 1000);
  }

  allocationFailed(reason: string): void {
    this.#failures.inc({ reason });
  }

  statusWrite(result: WriteResult): void {
    this.#writes.inc({ result });
  }

  config(loaded: boolean, stale: boolean): void {
    this.#configLoaded.set(loaded ? 1 : 0);
    this.#configStale.set(stale ? 1 : 0);
  }

  leader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  eventDropped(): void {
    this.#eventsDropped.inc();
  }
}
