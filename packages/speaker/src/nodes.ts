// What the speaker needs to know about a Node: its labels (peer and layer2
// node-selectors, the exclude label), whether its network is available, and
// its addresses (BGP router ID fallback). Read from any object shaped like a
// core/v1 Node, so the decision layer stays free of a Kubernetes client.
//
// MetalLB reads the same two signals (internal/k8s/nodes): the
// NetworkUnavailable condition with status "True", and the presence (any
// value) of the node.kubernetes.io/exclude-from-external-load-balancers
// label. Node readiness is deliberately not used (reference §3.1): liveness
// comes from the speakers themselves.
import type { Labels } from "@ironlb/core/config";

export const EXCLUDE_BALANCERS_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

export interface NodeObject {
  readonly metadata?: { readonly name?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined } | undefined;
  readonly status?: {
    readonly conditions?: readonly { readonly type?: string | undefined; readonly status?: string | undefined }[] | undefined;
    readonly addresses?: readonly { readonly type?: string | undefined; readonly address?: string | undefined }[] | undefined;
  } | undefined;
}

export interface NodeState {
  readonly name: string;
  readonly labels: Labels;
  readonly networkUnavailable: boolean;
  readonly excludedFromBalancers: boolean;
  /** InternalIP addresses first, then ExternalIP, as listed. */
  readonly addresses: readonly string[];
}

export function nodeState(node: NodeObject): NodeState {
  const labels = node.metadata?.labels ?? {};
  const conditions = node.status?.conditions ?? [];
  const addrs = node.status?.addresses ?? [];
  const of = (type: string) => addrs.filter((a) => a.type === type && a.address !== undefined && a.address !== "").map((a) => a.address as string);
  return {
    name: node.metadata?.name ?? "",
    labels,
    networkUnavailable: conditions.some((c) => c.type === "NetworkUnavailable" && c.status === "True"),
    excludedFromBalancers: Object.prototype.hasOwnProperty.call(labels, EXCLUDE_BALANCERS_LABEL),
    addresses: [...of("InternalIP"), ...of("ExternalIP")],
  };
}

/** Whether a change between two views of a node can change any election or session (MetalLB's isNodeAvailableChanged, plus labels for selectors). */
export function nodeChangeMatters(before: NodeState | undefined, after: NodeState | undefined): boolean {
  if (before === undefined || after === undefined) return before !== after;
  if (before.networkUnavailable !== after.networkUnavailable || before.excludedFromBalancers !== after.excludedFromBalancers) return true;
  return !sameLabels(before.labels, after.labels) || before.addresses.join(",") !== after.addresses.join(",");
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
