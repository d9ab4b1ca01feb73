// createKubeSim: wires the store, registry, HTTP server, faults and request
// log into one running simulator, seeds what a fresh cluster has (the
// default, kube-system, kube-public and kube-node-lease namespaces and the
// default/kubernetes Service), and offers direct typed access to the store
// for tests and benchmarks that want to skip HTTP.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { VersionInfo } from "./discovery.ts";
import { Faults } from "./faults.ts";
import { formatIp, ServiceAllocators } from "./ip-alloc.ts";
import { renderKubeconfig, type KubeconfigOptions } from "./kubeconfig.ts";
import type { KubeObject } from "./object.ts";
import { buildOpenApiSite } from "./openapi.ts";
import { list } from "./query.ts";
import { Registry, type PatchType } from "./registry.ts";
import { RequestLog } from "./request-log.ts";
import { resolveResourceName, type ResourceType } from "./resources.ts";
import { handleRequest } from "./server.ts";
import { Store } from "./store.ts";
import type { Watch } from "./watch.ts";

export interface KubeSimOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number | undefined;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Change events kept per resource for watches that resume from a resourceVersion (default 10,000). */
  readonly historySize?: number | undefined;
  /** Interval of BOOKMARK events on watches that allow them (default 5,000 ms; 0 disables). */
  readonly bookmarkIntervalMs?: number | undefined;
  /** Service CIDRs, primary first (default 10.96.0.0/12 and fd00:10:96::/112: dual-stack). */
  readonly serviceClusterIPRanges?: readonly string[] | undefined;
  /** Node port range (default "30000-32767"). */
  readonly serviceNodePortRange?: string | undefined;
  /** Create the namespaces and the kubernetes Service a new cluster has (default true). */
  readonly bootstrap?: boolean | undefined;
  /** Request log entries kept (counters are kept in full regardless; default 10,000). */
  readonly requestLogSize?: number | undefined;
  /** Clock for timestamps, ms since the epoch (default Date.now). */
  readonly now?: (() => number) | undefined;
  /** Randomness for generated names, cluster IPs and node ports (default Math.random). */
  readonly random?: (() => number) | undefined;
}

export interface ListOptions {
  /** Namespace to list in; omitted or "" lists all namespaces. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface StoreWriteOptions {
  readonly subresource?: "status" | undefined;
  readonly dryRun?: boolean | undefined;
}

/**
 * Direct access to the simulator's objects, with the same semantics as the
 * HTTP API (defaulting, validation, resourceVersions, watch events). Objects
 * returned are copies. `resource` is a plural, short or group-qualified name
 * (`services`, `svc`, `leases`, `events.events.k8s.io`); errors are
 * KubeSimError with the Kubernetes reason as `code`.
 */
export interface SimStore {
  /** The latest resourceVersion. */
  readonly resourceVersion: string;
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(resource: string, options?: ListOptions): T[];
  /** Creates `obj` in `obj.metadata.namespace` (default "default" for namespaced resources). */
  create<T extends KubeObject = KubeObject>(resource: string, obj: object, options?: StoreWriteOptions): T;
  /** Replaces an object (or its status); a set metadata.resourceVersion must be current (409 otherwise). */
  update<T extends KubeObject = KubeObject>(resource: string, obj: object, options?: StoreWriteOptions): T;
  patch<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string,
    name: string,
    patch: unknown,
    options?: StoreWriteOptions & { readonly type?: Exclude<PatchType, "apply"> | undefined },
  ): T;
  /** Deletes (or marks for deletion when finalizers remain); returns whether the object is gone. */
  delete(resource: string, namespace: string, name: string): boolean;
}

export interface KubeSim {
  /** Base URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** A kubeconfig (YAML) that points kubectl or client-node at this simulator. */
  kubeconfig(options?: Omit<KubeconfigOptions, "server">): string;
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  readonly store: SimStore;
  /** Ends open watches and stops listening. */
  close(): Promise<void>;
}

const VERSION: VersionInfo = { major: "1", minor: "32", gitVersion: "v1.32.0" };

function resourceOrThrow(name: string): ResourceType {
  const rt = resolveResourceName(name);
  if (!rt) throw new Error(`kube-sim: unknown resource ${JSON.stringify(name)}`);
  return rt;
}

function copy<T>(o: unknown): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/**
 * A caller's copy of what the registry returned, parsed from the serialisation
 * it made anyway instead of serialising the object again (in a profile of 10k
 * creates, copying in and out was half the time of a create).
 */
function fromJson<T>(r: { readonly json: string }): T {
  return JSON.parse(r.json) as T;
}

function makeStore(registry: Registry): SimStore {
  const nsOf = (rt: ResourceType, obj: object): string => {
    const meta = (obj as { metadata?: { namespace?: unknown } }).metadata;
    return rt.namespaced ? (typeof meta?.namespace === "string" && meta.namespace !== "" ? meta.namespace : "default") : "";
  };
  const nameOf = (obj: object): string => {
    const n = (obj as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof n === "string" ? n : "";
  };
  return {
    get resourceVersion() {
      return String(registry.store.resourceVersion);
    },
    get(resource, namespace, name) {
      const rt = resourceOrThrow(resource);
      const o = registry.store.get(rt.storage, rt.namespaced ? `${namespace}/${name}` : name);
      return o ? fromJson(registry.out(rt, o)) : undefined;
    },
    list(resource, options = {}) {
      const rt = resourceOrThrow(resource);
      const page = list(registry.store, rt, { namespace: options.namespace ?? "", labelSelector: options.labelSelector, fieldSelector: options.fieldSelector });
      return page.items.map((i) => fromJson(registry.out(rt, i)));
    },
    create(resource, obj, options = {}) {
      const rt = resourceOrThrow(resource);
      return fromJson(registry.create(rt, nsOf(rt, obj), copy<object>(obj), { dryRun: options.dryRun === true }));
    },
    update(resource, obj, options = {}) {
      const rt = resourceOrThrow(resource);
      return fromJson(registry.update(rt, nsOf(rt, obj), nameOf(obj), copy<object>(obj), { subresource: options.subresource ?? "", dryRun: options.dryRun === true }));
    },
    patch(resource, namespace, name, patch, options = {}) {
      const rt = resourceOrThrow(resource);
      return fromJson(registry.patch(rt, namespace, name, options.type ?? "merge", copy(patch), { subresource: options.subresource ?? "", dryRun: options.dryRun === true }));
    },
    delete(resource, namespace, name) {
      const rt = resourceOrThrow(resource);
      return registry.delete(rt, namespace, name).deleted;
    },
  };
}

function bootstrap(store: SimStore, allocators: ServiceAllocators): void {
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    store.create("namespaces", { metadata: { name } });
  }
  const primary = allocators.ips[0];
  if (!primary) return;
  const ip = formatIp(primary.family, primary.cidr.base + 1n);
  store.create("services", {
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { clusterIP: ip, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], sessionAffinity: "None", type: "ClusterIP" },
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

export async function createKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const allocators = new ServiceAllocators({
    clusterIPRanges: options.serviceClusterIPRanges ?? ["10.96.0.0/12", "fd00:10:96::/112"],
    nodePortRange: options.serviceNodePortRange ?? "30000-32767",
    random,
  });
  const store = new Store({ historySize: options.historySize ?? 10_000 });
  const registry = new Registry(store, { now, random, allocators });
  const open = new Set<Watch>();
  const faults = new Faults(open);
  const requestLog = new RequestLog(options.requestLogSize ?? 10_000);
  const simStore = makeStore(registry);
  if (options.bootstrap !== false) bootstrap(simStore, allocators);
  const core = {
    registry,
    faults,
    requestLog,
    openapi: buildOpenApiSite(),
    watchEnv: { store, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5_000, now, open },
    version: VERSION,
    now,
  };
  const server = createServer((req, res) => handleRequest(core, req, res));
  // Long-lived watches must not be cut by Node's request timeout; idle keep-alive
  // connections stay open longer than clients' own idle timeouts.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    kubeconfig: (o = {}) => renderKubeconfig({ ...o, server: url }),
    faults,
    requestLog,
    store: simStore,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const w of [...open]) w.close("end");
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
