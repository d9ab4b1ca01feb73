// The controller suites' cluster: a kube-sim, a kubeconfig file for it, and
// real Controllers talking to it over HTTP through client-node (the same
// createClients the daemon uses). Objects are arranged and inspected through
// kube-sim's store (same semantics as the API, no HTTP on the test side).
// Waiting is always polling for a state with a deadline.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { Controller, type ControllerOptions, type LeaderElectionSettings } from "@ironlb/controller";
import { createClients, createLogger, silentLogger, type Logger } from "@ironlb/kube";
import { createKubeSim, type KubeObject, type KubeSim, type KubeSimOptions } from "@ironlb/kube-sim";
import { waitFor } from "../lib/wait-for.ts";

export const NS = "ironlb-system";
export const CONDITION = "ironlb.io/Allocated";
export const POOL_ANNOTATION = "ironlb.io/ip-allocated-from-pool";

export interface ServiceArgs {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** Merged over `type: LoadBalancer, ports: [{port: 80}]`. */
  readonly spec?: Record<string, unknown>;
}

/** The parts of a Service the controller owns, as a test compares them. */
export interface Observed {
  readonly ips: readonly string[];
  readonly pool: string | null;
  /** Condition reason, or null when there is no ironlb.io/Allocated condition. */
  readonly reason: string | null;
  readonly message: string | null;
}

export interface StartOptions {
  readonly lbClass?: string | null;
  readonly identity?: string;
  readonly leaderElection?: LeaderElectionSettings;
  readonly registry?: Registry;
  readonly concurrency?: number;
}

export interface Running {
  readonly controller: Controller;
  readonly registry: Registry;
  readonly identity: string;
  /** A metric's value summed over its series matching `labels` (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

interface K8sObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { loadBalancer?: { ingress?: { ip?: string }[] }; conditions?: { type: string; status: string; reason: string; message: string }[] };
}

interface EventObject extends KubeObject {
  type: string;
  reason: string;
  message: string;
  count?: number;
  involvedObject: { kind: string; name: string; namespace: string };
}

let serial = 0;

export class Cluster {
  readonly sim: KubeSim;
  readonly kubeconfig: string;
  readonly #dir: string;
  readonly #running: Running[] = [];

  private constructor(sim: KubeSim, dir: string) {
    this.sim = sim;
    this.#dir = dir;
    this.kubeconfig = join(dir, "kubeconfig");
    writeFileSync(this.kubeconfig, sim.kubeconfig(), { mode: 0o600 });
  }

  static async start(options: { config?: string; sim?: KubeSimOptions; namespaces?: Record<string, Record<string, string>> } = {}): Promise<Cluster> {
    const sim = await createKubeSim(options.sim);
    const c = new Cluster(sim, mkdtempSync(join(tmpdir(), "ironlb-controller-test-")));
    sim.store.create("namespaces", { metadata: { name: NS } });
    for (const [name, labels] of Object.entries(options.namespaces ?? {})) c.namespace(name, labels);
    if (options.config !== undefined) c.setConfig(options.config);
    return c;
  }

  /** Starts a controller (own clients, own metrics registry) and waits for its caches. */
  async startController(options: StartOptions = {}): Promise<Running> {
    const registry = options.registry ?? new Registry();
    const identity = options.identity ?? `controller-${process.pid}-${++serial}`;
    const opts: ControllerOptions = {
      clients: createClients({ kubeconfig: this.kubeconfig }),
      namespace: NS,
      lbClass: options.lbClass ?? null,
      identity,
      registry,
      logger: testLogger(identity),
      leaderElection: options.leaderElection,
      concurrency: options.concurrency,
      // Faults make informers restart; keep the backoff short so suites stay fast.
      informerBackoff: { minMs: 20, maxMs: 500 },
    };
    const controller = new Controller(opts);
    await controller.start();
    const running: Running = {
      controller,
      registry,
      identity,
      metric: async (name, labels = {}) => {
        const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
        if (m === undefined) return 0;
        let sum = 0;
        for (const v of (m as unknown as { values: { value: number; labels: Record<string, string | number> }[] }).values) {
          if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
        }
        return sum;
      },
    };
    this.#running.push(running);
    return running;
  }

  /** Stops one controller (release: false stops it as a crash would). */
  async stopController(r: Running, options: { release?: boolean } = {}): Promise<void> {
    const i = this.#running.indexOf(r);
    if (i >= 0) this.#running.splice(i, 1);
    await r.controller.stop(options);
  }

  async close(): Promise<void> {
    for (const r of this.#running.splice(0)) await r.controller.stop();
    await this.sim.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  namespace(name: string, labels: Record<string, string> = {}): void {
    const existing = this.sim.store.get("namespaces", "", name);
    if (existing === undefined) this.sim.store.create("namespaces", { metadata: { name, labels } });
    else this.sim.store.update("namespaces", { ...existing, metadata: { ...existing.metadata, labels } });
  }

  setConfig(text: string): void {
    const existing = this.sim.store.get("configmaps", NS, "config");
    if (existing === undefined) this.sim.store.create("configmaps", { metadata: { name: "config", namespace: NS }, data: { config: text } });
    else this.sim.store.update("configmaps", { ...existing, data: { config: text } });
  }

  deleteConfig(): void {
    this.sim.store.delete("configmaps", NS, "config");
  }

  createService(name: string, args: ServiceArgs = {}): void {
    const namespace = args.namespace ?? "default";
    if (namespace !== "default" && this.sim.store.get("namespaces", "", namespace) === undefined) this.namespace(namespace);
    this.sim.store.create("services", {
      metadata: { name, namespace, labels: args.labels ?? { app: name }, annotations: args.annotations ?? {} },
      spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ name: "p80", port: 80, protocol: "TCP" }], ...args.spec },
    });
  }

  /** A JSON merge patch on the Service (spec or metadata), as kubectl patch --type merge. */
  patchService(name: string, patch: object, namespace = "default"): void {
    this.sim.store.patch("services", namespace, name, patch, { type: "merge" });
  }

  deleteService(name: string, namespace = "default"): void {
    this.sim.store.delete("services", namespace, name);
  }

  service(name: string, namespace = "default"): K8sObject | undefined {
    return this.sim.store.get<K8sObject>("services", namespace, name);
  }

  observed(name: string, namespace = "default"): Observed | undefined {
    const s = this.service(name, namespace);
    if (s === undefined) return undefined;
    const cond = s.status?.conditions?.find((c) => c.type === CONDITION);
    return {
      ips: (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ""),
      pool: s.metadata?.annotations?.[POOL_ANNOTATION] ?? null,
      reason: cond?.reason ?? null,
      message: cond?.message ?? null,
    };
  }

  /** Events about an object, oldest first. */
  events(name: string, namespace = "default", kind = "Service"): EventObject[] {
    return this.sim.store
      .list<EventObject>("events", { namespace })
      .filter((e) => e.involvedObject.name === name && e.involvedObject.kind === kind);
  }

  /** Waits until the Service shows `want` (every given field). Returns what it saw. */
  async expectService(name: string, want: Partial<Observed>, options: { namespace?: string; timeout?: number } = {}): Promise<Observed> {
    const ns = options.namespace ?? "default";
    const matches = (o: Observed | undefined): o is Observed =>
      o !== undefined &&
      (want.ips === undefined || JSON.stringify(o.ips) === JSON.stringify(want.ips)) &&
      (want.pool === undefined || o.pool === want.pool) &&
      (want.reason === undefined || o.reason === want.reason) &&
      (want.message === undefined || o.message === want.message);
    try {
      return await waitFor(() => {
        const o = this.observed(name, ns);
        return matches(o) ? o : false;
      }, { what: `${ns}/${name} to show ${JSON.stringify(want)}`, timeout: options.timeout ?? 10_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}; it shows ${JSON.stringify(this.observed(name, ns))}`, { cause: err });
    }
  }

  /** Waits until Events with these reasons (in this order, others may come between) exist for the Service. */
  async expectEvents(name: string, reasons: readonly string[], namespace = "default", kind = "Service"): Promise<EventObject[]> {
    return waitFor(
      () => {
        const evs = this.events(name, namespace, kind);
        let i = 0;
        for (const e of evs) if (i < reasons.length && e.reason === reasons[i]) i++;
        return i === reasons.length ? evs : false;
      },
      { what: `events ${JSON.stringify(reasons)} on ${kind} ${namespace}/${name} (have ${JSON.stringify(this.events(name, namespace, kind).map((e) => e.reason))})` },
    );
  }

  /** Status writes so far (patches and updates of services/status). */
  statusWrites(): number {
    return this.sim.requestLog.count({ verb: "patch", resource: "services", subresource: "status" }) + this.sim.requestLog.count({ verb: "update", resource: "services", subresource: "status" });
  }
}

function testLogger(identity: string): Logger {
  if (process.env["IRONLB_TEST_LOG"] === undefined) return silentLogger;
  return createLogger({ component: identity, level: "debug", write: (line) => process.stderr.write(line + "\n") });
}

/** A layer2 pool entry for configs. */
export function pool(name: string, addresses: readonly string[], extra = ""): string {
  return [`- name: ${name}`, "  protocol: layer2", "  addresses:", ...addresses.map((a) => `  - ${a}`), ...(extra === "" ? [] : extra.split("\n").map((l) => `  ${l}`))].join("\n");
}

export function config(...pools: string[]): string {
  return pools.length === 0 ? "address-pools: []\n" : `address-pools:\n${pools.join("\n")}\n`;
}
