// The least any controller does for a LoadBalancer Service, as a bound for
// bench/controller.ts: the same informer (list, watch, cache) and the same
// status request as IronLB's controller, through the same REST client, and
// nothing else. No allocator (IPs come from a counter), no decisions, no work
// queue, no Events, no metrics, no logs.
//
// What IronLB's controller reaches against this loop, in the same run, is the
// cost of its own logic; what this loop reaches against the raw patch rate is
// the cost of the protocol (the informer's list and watch, the creates and
// watch events on the API server's side) that every controller pays.
import { Informer, realClock, writeServiceStatus, type Clients, type V1Service } from "@ironlb/kube";

export class IdealController {
  readonly #clients: Clients;
  readonly #concurrency: number;
  readonly #informer: Informer<V1Service>;
  // Keys seen without an IP and not written yet, in arrival order.
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  #head = 0;
  #inFlight = 0;
  #next = 0;
  #stopped = false;

  constructor(clients: Clients, options: { readonly concurrency: number; readonly namespace: string }) {
    this.#clients = clients;
    this.#concurrency = options.concurrency;
    // Cluster-wide, as the controller watches.
    const path = "/api/v1/services";
    this.#informer = new Informer<V1Service>({
      kubeConfig: clients.kubeConfig,
      path,
      list: () => clients.rest.request("GET", path),
      clock: realClock,
      onEvent: (e) => {
        const s = e.object;
        if (e.type !== "delete" && s.metadata?.namespace === options.namespace && (s.status?.loadBalancer?.ingress ?? []).length === 0) this.#enqueue(s);
      },
    });
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.stop();
  }

  #enqueue(svc: V1Service): void {
    const key = `${svc.metadata?.namespace ?? ""}/${svc.metadata?.name ?? ""}`;
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight < this.#concurrency && this.#head < this.#queue.length) {
      const key = this.#queue[this.#head++] as string;
      this.#inFlight++;
      void this.#write(key).then((written) => {
        this.#inFlight--;
        this.#queued.delete(key);
        // A failed write (a 409 after a change) is tried again on what the cache holds now.
        const svc = written ? undefined : this.#cached(key);
        if (svc !== undefined && (svc.status?.loadBalancer?.ingress ?? []).length === 0) this.#enqueue(svc);
        this.#pump();
      });
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
  }

  #cached(key: string): V1Service | undefined {
    const slash = key.indexOf("/");
    return this.#informer.get(key.slice(slash + 1), key.slice(0, slash));
  }

  #write(key: string): Promise<boolean> {
    const svc = this.#cached(key);
    if (svc === undefined || this.#stopped) return Promise.resolve(true);
    const n = this.#next++;
    const ip = `198.19.${(n >> 8) & 0xff}.${n & 0xff}`;
    return writeServiceStatus(this.#clients.rest, {
      namespace: svc.metadata?.namespace ?? "",
      name: svc.metadata?.name ?? "",
      resourceVersion: svc.metadata?.resourceVersion ?? "",
      annotations: { "ironlb.io/ip-allocated-from-pool": "bench" },
      ingress: [{ ip }],
      conditions: [{ type: "ironlb.io/Allocated", status: "True", reason: "Allocated", message: `assigned ${ip} from pool "bench"`, lastTransitionTime: new Date() }],
    }).then(
      () => true,
      () => false,
    );
  }
}
