// Where the API server is and how to talk to it: a kubeconfig file (flag or
// $KUBECONFIG), else the in-cluster service account, else ~/.kube/config,
// as kubectl and client-go resolve it.
//
// API clients reuse connections. client-node 1.4 builds a new http(s).Agent
// for every request, so each call opens a new TCP connection (and, against a
// real API server, does a new TLS handshake). The controller writes one status
// per Service, so that cost is per write: against kube-sim, sequential status
// patches ran at 80-143/s with an agent per request and 129-198/s with one
// keep-alive agent (same run, loaded 2-core machine; 1,086 vs 1,640/s when
// idle). Credentials are still applied per request (tokens rotate); the agent
// is rebuilt when the TLS material it was built from changes.
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, ServerConfiguration, createConfiguration, type RequestContext } from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createRestClient, SharedAgent, type RestClient } from "./rest.ts";

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
  /** Lean JSON requests for hot write paths (status, Events); same credentials and connections. */
  readonly rest: RestClient;
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
  const server = kubeConfig.getCurrentCluster()?.server ?? "";
  const agents = new SharedAgent();
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: keepAliveAuth(kubeConfig, agents) },
  });
  return {
    kubeConfig,
    core: new CoreV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    discovery: new DiscoveryV1Api(configuration),
    rest: createRestClient(kubeConfig, agents),
    server,
  };
}

/** client-node's authentication, with its per-request agent swapped for the shared keep-alive agent. */
function keepAliveAuth(kubeConfig: KubeConfig, agents: SharedAgent): { getName(): string; applySecurityAuthentication(context: RequestContext): Promise<void> } {
  return {
    getName: () => "default",
    async applySecurityAuthentication(context) {
      await kubeConfig.applySecurityAuthentication(context);
      const fresh = context.getAgent();
      // Proxy agents (hpagent, socks) are left as client-node made them.
      if (fresh === undefined || (fresh.constructor !== http.Agent && fresh.constructor !== https.Agent)) return;
      const opts = (fresh as http.Agent & { options: Record<string, unknown> }).options;
      context.setAgent(agents.get(fresh.constructor === https.Agent, opts));
    },
  };
}
