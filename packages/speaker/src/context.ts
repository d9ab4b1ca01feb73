// The cluster as one speaker sees it when it decides: the configuration in
// force, the nodes, and which speakers are alive. Built by the daemon from
// its informers and the membership; pure data for the decision layer.
import type { Config } from "@ironlb/core/config";
import type { NodeState } from "./nodes.ts";
import { PoolIndex } from "./pool-index.ts";

export interface DecisionContext {
  /** This node. */
  readonly nodeName: string;
  readonly config: Config;
  readonly pools: PoolIndex;
  readonly nodes: ReadonlyMap<string, NodeState>;
  /**
   * Nodes whose speaker is alive: the membership's alive set (or every node
   * when membership is off) intersected with the nodes that run a Ready
   * speaker pod. Only layer 2 reads it.
   */
  readonly liveSpeakers: ReadonlySet<string>;
  /** The loadBalancerClass this speaker serves; null: Services without a class. */
  readonly lbClass: string | null;
  /** MetalLB's --ignore-exclude-lb: keep nodes with the exclude label as candidates. */
  readonly ignoreExcludeLb: boolean;
}

export interface ContextInput {
  readonly nodeName: string;
  readonly config: Config;
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly liveSpeakers: ReadonlySet<string>;
  readonly lbClass?: string | null | undefined;
  readonly ignoreExcludeLb?: boolean | undefined;
}

export function decisionContext(input: ContextInput, pools?: PoolIndex): DecisionContext {
  return {
    nodeName: input.nodeName,
    config: input.config,
    pools: pools ?? new PoolIndex(input.config),
    nodes: input.nodes,
    liveSpeakers: input.liveSpeakers,
    lbClass: input.lbClass ?? null,
    ignoreExcludeLb: input.ignoreExcludeLb ?? false,
  };
}
