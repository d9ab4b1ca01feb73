// What the operator commands (`ironlb status`, `ironlb explain`) know about a
// cluster: read-only lists of the config ConfigMap, the Services and the
// Namespaces, the config parsed as the controller parses it, and the
// allocator rebuilt from the Services' statuses exactly as the controller
// rebuilds it on a restart (@ironlb/controller buildClusterView).
//
// Deliberately not here: any write, and rendering (each command renders).
import type { ClusterSnapshot, ClusterView } from "@ironlb/controller";
import type { V1Service } from "@ironlb/kube";
import { CliError } from "./cli-kit.ts";

export interface ClusterOptions {
  readonly kubeconfig?: string | undefined;
  readonly namespace?: string | undefined;
  readonly configMap: string;
  readonly lbClass?: string | undefined;
}

export interface ClusterState {
  /** "namespace/name" of the config ConfigMap. */
  readonly configMap: string;
  /** null when the config parsed; else why there is none to judge with. */
  readonly configProblem: string | null;
  readonly poolCount: number;
  readonly services: readonly V1Service[];
  readonly snapshot: ClusterSnapshot;
  readonly view: ClusterView;
}

/** The namespace of IronLB's objects: the flag, $IRONLB_NAMESPACE, else ironlb-system. */
export function ironlbNamespace(flag: string | undefined): string {
  const env = process.env["IRONLB_NAMESPACE"];
  return flag ?? (env !== undefined && env !== "" ? env : "ironlb-system");
}

export async function readCluster(options: ClusterOptions): Promise<ClusterState> {
  const { createClients, describeError, isNotFound } = await import("@ironlb/kube");
  const { formatIssue, parseConfig } = await import("@ironlb/core/config");
  const { buildClusterView } = await import("@ironlb/controller");
  let clients: ReturnType<typeof createClients>;
  try {
    clients = createClients({ kubeconfig: options.kubeconfig });
  } catch (err) {
    throw new CliError(`--kubeconfig: ${(err as Error).message}`);
  }
  const namespace = ironlbNamespace(options.namespace);
  const where = `${namespace}/${options.configMap}`;
  const api = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new CliError(`cannot ${what} from ${clients.server}: ${describeError(err)}`);
    }
  };
  const [cm, services, namespaces] = await Promise.all([
    api("read the ConfigMap", async () => {
      try {
        return await clients.core.readNamespacedConfigMap({ name: options.configMap, namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }),
    api("list Services", () => clients.core.listServiceForAllNamespaces()),
    api("list Namespaces", () => clients.core.listNamespace()),
  ]);
  let configProblem: string | null = null;
  let pools: ClusterSnapshot["pools"] = null;
  const text = cm?.data?.["config"];
  if (cm === undefined) configProblem = `ConfigMap ${where} not found`;
  else if (text === undefined) configProblem = `ConfigMap ${where} has no data.config key`;
  else {
    const parsed = parseConfig(text);
    if (parsed.ok) pools = parsed.config.pools;
    else configProblem = `ConfigMap ${where} is invalid (the controller keeps its last good configuration): ${parsed.errors.map(formatIssue).join("; ")}`;
  }
  const labels = new Map(namespaces.items.map((n) => [n.metadata?.name ?? "", n.metadata?.labels ?? {}]));
  const snapshot: ClusterSnapshot = {
    pools,
    services: services.items,
    namespaceLabels: (ns) => labels.get(ns) ?? {},
    lbClass: options.lbClass ?? null,
  };
  return { configMap: where, configProblem, poolCount: pools?.length ?? 0, services: services.items, snapshot, view: buildClusterView(snapshot) };
}

/** JSON.stringify replacer for bigint counters (a /64 does not fit a JSON number). */
export function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
