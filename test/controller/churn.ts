// Helpers for the churn suites: a seeded create/delete generator, and a
// watcher that replays every Service change the API server commits (one
// watch, resourceVersion order) and records any moment at which one IP
// belonged to two Services.
import { createClients, Informer, realClock, type V1Service } from "@ironlb/kube";
import type { Cluster } from "./harness.ts";

/** mulberry32: a small seeded PRNG, so a failing churn can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Churn {
  readonly live = new Set<string>();
  #next = 0;
  ops = 0;
  constructor(
    private readonly cluster: Cluster,
    private readonly random: () => number,
    private readonly createShare = 0.6,
  ) {}

  /** `n` creates or deletes (create when fewer than 10 live, else by createShare). */
  step(n: number): void {
    for (let i = 0; i < n; i++) {
      this.ops++;
      if (this.live.size < 10 || this.random() < this.createShare) {
        const name = `churn-${this.#next++}`;
        this.cluster.createService(name, { spec: { allocateLoadBalancerNodePorts: false } });
        this.live.add(name);
      } else {
        const names = [...this.live];
        const name = names[Math.floor(this.random() * names.length)] as string;
        this.cluster.deleteService(name);
        this.live.delete(name);
      }
    }
  }
}

/** Watches Services through the API and checks every committed state for an IP held twice. */
export class DoubleAssignmentWatch {
  readonly violations: string[] = [];
  events = 0;
  // service key -> its ingress IPs
  readonly #held = new Map<string, string[]>();
  readonly #informer: Informer<V1Service>;

  constructor(kubeconfig: string) {
    const { core, kubeConfig } = createClients({ kubeconfig });
    this.#informer = new Informer<V1Service>({
      kubeConfig,
      path: "/api/v1/services",
      list: () => core.listServiceForAllNamespaces(),
      clock: realClock,
      onEvent: (e) => {
        this.events++;
        const key = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
        if (e.type === "delete") {
          this.#held.delete(key);
          return;
        }
        const ips = (e.object.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? "").filter((ip) => ip !== "");
        this.#held.set(key, ips);
        for (const ip of ips) {
          for (const [other, theirs] of this.#held) {
            if (other !== key && theirs.includes(ip)) this.violations.push(`${ip} held by ${key} and ${other} (rv ${e.object.metadata?.resourceVersion})`);
          }
        }
      },
    });
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}
