// A kubeconfig for the simulator: plain HTTP (clients need
// insecure-skip-tls-verify for that, client-node calls it skipTLSVerify) and
// a bearer token the server accepts without checking. Written as YAML by
// hand to keep the package free of dependencies.
export interface KubeconfigOptions {
  readonly server: string;
  /** Context, cluster and user name. */
  readonly name?: string;
  readonly namespace?: string;
  readonly token?: string;
}

function q(s: string): string {
  return JSON.stringify(s);
}

export function renderKubeconfig(o: KubeconfigOptions): string {
  const name = o.name ?? "kube-sim";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${q(name)}`,
    "  cluster:",
    `    server: ${q(o.server)}`,
    "    insecure-skip-tls-verify: true",
    "users:",
    `- name: ${q(name)}`,
    "  user:",
    `    token: ${q(o.token ?? "kube-sim")}`,
    "contexts:",
    `- name: ${q(name)}`,
    "  context:",
    `    cluster: ${q(name)}`,
    `    user: ${q(name)}`,
    `    namespace: ${q(o.namespace ?? "default")}`,
    `current-context: ${q(name)}`,
    "preferences: {}",
    "",
  ].join("\n");
}
