// A Service's EndpointSlices reduced to what the announcement decision reads:
// can any endpoint serve, and on which nodes.
//
// "Can serve" is MetalLB's EndpointCanServe: `ready` unset or true, or
// `serving` true, so a terminating pod that still serves keeps its node
// eligible until it stops (KEP-1669).
//
// Two views, because MetalLB's two controllers count differently:
// - layer 2 (usableNodes / activeEndpointExists): an endpoint entry that can
//   serve makes its node usable;
// - BGP (hasHealthyEndpoint): per address, and one entry of that address that
//   cannot serve (a not-ready port in another slice) makes the address
//   unhealthy; a node is healthy with at least one healthy address on it.
//
// Deliberately not here: which slices belong to which Service (the daemon
// indexes slices by their kubernetes.io/service-name label).

export interface EndpointConditions {
  readonly ready?: boolean | null | undefined;
  readonly serving?: boolean | null | undefined;
  readonly terminating?: boolean | null | undefined;
}

export interface EndpointSliceObject {
  readonly metadata?: {
    readonly name?: string | undefined;
    readonly namespace?: string | undefined;
    readonly labels?: Readonly<Record<string, string>> | undefined;
  } | undefined;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[] | undefined;
    readonly nodeName?: string | null | undefined;
    readonly conditions?: EndpointConditions | undefined;
  }[] | null | undefined;
}

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export function endpointCanServe(c: EndpointConditions | undefined): boolean {
  if (c === undefined || c.ready === undefined || c.ready === null || c.ready) return true;
  return c.serving === true;
}

export interface EndpointSummary {
  /** Some endpoint can serve (layer 2's "no endpoint anywhere" test). */
  readonly anyServing: boolean;
  /** Nodes with an endpoint entry that can serve (layer 2, ETP=Local). */
  readonly servingNodes: ReadonlySet<string>;
  /** Some address is healthy in every entry that lists it (BGP, ETP=Cluster). */
  readonly anyHealthy: boolean;
  /** Nodes with a healthy address (BGP, ETP=Local). */
  readonly healthyNodes: ReadonlySet<string>;
}

export const NO_ENDPOINTS: EndpointSummary = Object.freeze({ anyServing: false, servingNodes: new Set<string>(), anyHealthy: false, healthyNodes: new Set<string>() });

export function summarizeEndpoints(slices: Iterable<EndpointSliceObject>): EndpointSummary {
  let anyServing = false;
  const servingNodes = new Set<string>();
  // address -> healthy so far (false wins), over all entries
  const global = new Map<string, boolean>();
  // node -> address -> healthy so far
  const perNode = new Map<string, Map<string, boolean>>();
  const note = (m: Map<string, boolean>, addr: string, ok: boolean) => {
    if (!ok) m.set(addr, false);
    else if (!m.has(addr)) m.set(addr, true);
  };
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      const ok = endpointCanServe(ep.conditions);
      const node = ep.nodeName ?? undefined;
      if (ok) {
        anyServing = true;
        if (node !== undefined) servingNodes.add(node);
      }
      for (const addr of ep.addresses ?? []) {
        note(global, addr, ok);
        if (node !== undefined) {
          let m = perNode.get(node);
          if (m === undefined) perNode.set(node, (m = new Map()));
          note(m, addr, ok);
        }
      }
    }
  }
  const healthyNodes = new Set<string>();
  for (const [node, m] of perNode) if ([...m.values()].some(Boolean)) healthyNodes.add(node);
  return { anyServing, servingNodes, anyHealthy: [...global.values()].some(Boolean), healthyNodes };
}
