// Where the API server is and how to talk to it: a kubeconfig file (flag or
// $KUBECONFIG), else the in-cluster service account, else ~/.kube/config,
// as kubectl and client-go resolve it.
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig } from "@kubernetes/client-node";
import { existsSync } from "node:fs";

export interface ClientOptions {
  /** Path of a kubeconfig file; overrides $KUBECONFIG and in-cluster config. */
  readonly kubeconfig?: string | undefined;
  /** Context to use from the kubeconfig. */
  readonly context?: string | undefined;
}

export interface Clients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly discovery: DiscoveryV1Api;
  /** The API server URL in use (for logs). */
  readonly server: string;
}

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeConfig(options: ClientOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? process.env["KUBECONFIG"];
  if (file !== undefined && file !== "") {
    if (!existsSync(file)) throw new Error(`kubeconfig ${file} does not exist`);
    kc.loadFromFile(file);
  } else if (process.env["KUBERNETES_SERVICE_HOST"] !== undefined && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
  }
  if (options.context !== undefined) kc.setCurrentContext(options.context);
  if (kc.getCurrentCluster() === null) throw new Error("no Kubernetes cluster configured (use --kubeconfig or $KUBECONFIG)");
  return kc;
}

export function createClients(options: ClientOptions = {}): Clients {
  const kubeConfig = loadKubeConfig(options);
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    discovery: kubeConfig.makeApiClient(DiscoveryV1Api),
    server: kubeConfig.getCurrentCluster()?.server ?? "",
  };
}
