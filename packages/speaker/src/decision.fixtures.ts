// Builders for the decision layer's scenario tables: configs parsed by the
// real parser, Nodes, Services and EndpointSlices shaped as the API returns
// them.
import { parseConfig, type Config } from "@ironlb/core/config";
import type { ServiceObject } from "@ironlb/core/service";
import { decisionContext, type DecisionContext } from "./context.ts";
import { summarizeEndpoints, type EndpointSliceObject, type EndpointSummary } from "./endpoints.ts";
import { nodeState, type NodeObject, type NodeState } from "./nodes.ts";

export function config(yaml: string): Config {
  const r = parseConfig(yaml);
  if (!r.ok) throw new Error(`fixture config does not parse: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** One layer2 pool "l2" (198.51.100.0/24, 2001:db8:51::/120) and one bgp pool "edge" (203.0.113.0/24). */
export const BASE_CONFIG = `
peers:
- name: tor
  peer-address: 10.99.0.1
  peer-asn: 64512
  my-asn: 64512
address-pools:
- name: l2
  protocol: layer2
  addresses: [198.51.100.0/24, 2001:db8:51::/120]
- name: edge
  protocol: bgp
  addresses: [203.0.113.0/24]
  bgp-advertisements:
  - aggregation-length: 32
    localpref: 150
    communities: ["64512:100"]
`;

export interface NodeSpec {
  readonly labels?: Record<string, string>;
  readonly networkUnavailable?: boolean;
  readonly address?: string;
}

export function nodeObject(name: string, spec: NodeSpec = {}): NodeObject {
  return {
    metadata: { name, labels: spec.labels ?? {} },
    status: {
      conditions: [
        { type: "Ready", status: "True" },
        ...(spec.networkUnavailable === undefined ? [] : [{ type: "NetworkUnavailable", status: spec.networkUnavailable ? "True" : "False" }]),
      ],
      addresses: spec.address === undefined ? [] : [{ type: "InternalIP", address: spec.address }],
    },
  };
}

export function nodes(specs: Record<string, NodeSpec>): Map<string, NodeState> {
  return new Map(Object.entries(specs).map(([name, s]) => [name, nodeState(nodeObject(name, s))]));
}

export interface CtxSpec {
  readonly me: string;
  readonly config?: Config;
  readonly nodes?: Record<string, NodeSpec>;
  /** Default: every node. */
  readonly live?: readonly string[];
  readonly lbClass?: string | null;
  readonly ignoreExcludeLb?: boolean;
}

export function ctx(spec: CtxSpec): DecisionContext {
  const ns = nodes(spec.nodes ?? { "node-a": {}, "node-b": {}, "node-c": {} });
  return decisionContext({
    nodeName: spec.me,
    config: spec.config ?? config(BASE_CONFIG),
    nodes: ns,
    liveSpeakers: new Set(spec.live ?? [...ns.keys()]),
    lbClass: spec.lbClass ?? null,
    ignoreExcludeLb: spec.ignoreExcludeLb ?? false,
  });
}

export interface SvcSpec {
  readonly name?: string;
  readonly namespace?: string;
  readonly type?: string;
  readonly ips?: readonly string[];
  readonly hostnames?: readonly string[];
  readonly local?: boolean;
  readonly lbClass?: string;
  readonly annotations?: Record<string, string>;
}

export function service(spec: SvcSpec = {}): ServiceObject {
  return {
    metadata: { name: spec.name ?? "web", namespace: spec.namespace ?? "default", annotations: spec.annotations ?? {} },
    spec: {
      type: spec.type ?? "LoadBalancer",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ports: [{ protocol: "TCP", port: 80 }],
      selector: { app: "web" },
      externalTrafficPolicy: spec.local === true ? "Local" : "Cluster",
      ...(spec.lbClass === undefined ? {} : { loadBalancerClass: spec.lbClass }),
    },
    status: { loadBalancer: { ingress: [...(spec.ips ?? []).map((ip) => ({ ip })), ...(spec.hostnames ?? []).map((hostname) => ({ hostname }))] } },
  };
}

export interface EpSpec {
  readonly node?: string;
  readonly address?: string;
  readonly ready?: boolean | null;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

export function slice(eps: readonly EpSpec[], name = "web-abc"): EndpointSliceObject {
  return {
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
    endpoints: eps.map((e, i) => ({
      addresses: [e.address ?? `10.244.0.${i + 1}`],
      ...(e.node === undefined ? {} : { nodeName: e.node }),
      conditions: {
        ...(e.ready === undefined ? { ready: true } : e.ready === null ? {} : { ready: e.ready }),
        ...(e.serving === undefined ? {} : { serving: e.serving }),
        ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
      },
    })),
  };
}

/** Endpoints on the given nodes, all ready. */
export function readyOn(...nodeNames: string[]): EndpointSummary {
  return summarizeEndpoints([slice(nodeNames.map((node) => ({ node })))]);
}
