// The speaker's view of the API: self-restarting informers over Services and
// EndpointSlices (all namespaces), Nodes, the config ConfigMap and the
// speaker pods (the speaker's namespace, by label), plus one informer per
// Secret the speaker reads (the membership key, BGP passwords), each limited
// to that one object by a field selector, so the speaker needs `list/watch`
// on exactly the Secrets it uses and never sees the others.
//
// Deliberately not here: what a change means (speaker.ts).
import {
  Informer,
  type Clients,
  type Clock,
  type InformerEvent,
  type V1ConfigMap,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from "@ironlb/kube";

export interface SourceHandlers {
  readonly service: (e: InformerEvent<V1Service>) => void;
  readonly slice: (e: InformerEvent<V1EndpointSlice>) => void;
  readonly node: (e: InformerEvent<V1Node>) => void;
  readonly configMap: (e: InformerEvent<V1ConfigMap>) => void;
  readonly pod: (e: InformerEvent<V1Pod>) => void;
  readonly secret: (key: string, e: InformerEvent<V1Secret>) => void;
}

export interface SourceOptions {
  readonly clients: Clients;
  readonly namespace: string;
  readonly configMapName: string;
  /** Label selector of the speaker pods, e.g. "app.kubernetes.io/component=speaker". */
  readonly speakerSelector: string;
  readonly clock: Clock;
  readonly handlers: SourceHandlers;
  readonly onError: (resource: string, err: unknown) => void;
  readonly backoff?: { readonly minMs: number; readonly maxMs: number } | undefined;
}

export class KubeSources {
  readonly services: Informer<V1Service>;
  readonly slices: Informer<V1EndpointSlice>;
  readonly nodes: Informer<V1Node>;
  readonly configMaps: Informer<V1ConfigMap>;
  readonly pods: Informer<V1Pod>;
  readonly #o: SourceOptions;
  // "namespace/name" -> informer of that one Secret
  readonly #secrets = new Map<string, Informer<V1Secret>>();
  #started = false;

  constructor(o: SourceOptions) {
    this.#o = o;
    const { core, discovery, kubeConfig } = o.clients;
    const common = { kubeConfig, clock: o.clock, minBackoffMs: o.backoff?.minMs, maxBackoffMs: o.backoff?.maxMs };
    const cm = `metadata.name=${o.configMapName}`;
    this.services = new Informer<V1Service>({
      ...common,
      path: "/api/v1/services",
      list: () => core.listServiceForAllNamespaces(),
      onEvent: o.handlers.service,
      onError: (err) => o.onError("services", err),
    });
    this.slices = new Informer<V1EndpointSlice>({
      ...common,
      path: "/apis/discovery.k8s.io/v1/endpointslices",
      list: () => discovery.listEndpointSliceForAllNamespaces(),
      onEvent: o.handlers.slice,
      onError: (err) => o.onError("endpointslices", err),
    });
    this.nodes = new Informer<V1Node>({ ...common, path: "/api/v1/nodes", list: () => core.listNode(), onEvent: o.handlers.node, onError: (err) => o.onError("nodes", err) });
    this.configMaps = new Informer<V1ConfigMap>({
      ...common,
      path: `/api/v1/namespaces/${o.namespace}/configmaps`,
      fieldSelector: cm,
      list: () => core.listNamespacedConfigMap({ namespace: o.namespace, fieldSelector: cm }),
      onEvent: o.handlers.configMap,
      onError: (err) => o.onError("configmaps", err),
    });
    this.pods = new Informer<V1Pod>({
      ...common,
      path: `/api/v1/namespaces/${o.namespace}/pods`,
      labelSelector: o.speakerSelector,
      list: () => core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.speakerSelector }),
      onEvent: o.handlers.pod,
      onError: (err) => o.onError("pods", err),
    });
  }

  /** Starts every informer; resolves once all have listed. */
  async start(): Promise<void> {
    this.#started = true;
    await Promise.all([this.services.start(), this.slices.start(), this.nodes.start(), this.configMaps.start(), this.pods.start(), ...[...this.#secrets.values()].map((s) => s.start())]);
  }

  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all([this.services.stop(), this.slices.stop(), this.nodes.stop(), this.configMaps.stop(), this.pods.stop(), ...[...this.#secrets.values()].map((s) => s.stop())]);
  }

  /** The Secret "namespace/name" from its cache (undefined: absent or not watched yet). */
  secret(key: string): V1Secret | undefined {
    const [namespace, name] = splitKey(key);
    return this.#secrets.get(key)?.get(name, namespace);
  }

  /** Whether the informer of `key` has listed (so "absent" really means absent). */
  secretSynced(key: string): boolean {
    return this.#secrets.get(key)?.synced ?? false;
  }

  /** Watches exactly these Secrets ("namespace/name"), starting and stopping informers as the set changes. */
  watchSecrets(keys: Iterable<string>): void {
    const wanted = new Set(keys);
    for (const [key, inf] of this.#secrets) {
      if (wanted.has(key)) continue;
      this.#secrets.delete(key);
      void inf.stop();
    }
    for (const key of wanted) {
      if (this.#secrets.has(key)) continue;
      const [namespace, name] = splitKey(key);
      const { core, kubeConfig } = this.#o.clients;
      const field = `metadata.name=${name}`;
      const inf = new Informer<V1Secret>({
        kubeConfig,
        clock: this.#o.clock,
        minBackoffMs: this.#o.backoff?.minMs,
        maxBackoffMs: this.#o.backoff?.maxMs,
        path: `/api/v1/namespaces/${namespace}/secrets`,
        fieldSelector: field,
        list: () => core.listNamespacedSecret({ namespace, fieldSelector: field }),
        onEvent: (e) => this.#o.handlers.secret(key, e),
        onError: (err) => this.#o.onError(`secret ${key}`, err),
      });
      this.#secrets.set(key, inf);
      if (this.#started) {
        // A synced informer of an absent Secret emits nothing: tell the handler it listed.
        void inf.start().then(() => {
          if (this.#secrets.get(key) === inf && inf.get(name, namespace) === undefined) this.#o.handlers.secret(key, { type: "delete", object: { metadata: { name, namespace } } });
        });
      }
    }
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
