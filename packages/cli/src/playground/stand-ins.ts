// What a real cluster would do around IronLB and kube-sim does not: the
// kubelet's Ready condition of each speaker pod (from the speaker's own
// /readyz, as the readiness probe of the DaemonSet would), the EndpointSlice
// controller (every LoadBalancer Service gets a slice with a ready endpoint on
// every node, where the playground runs a backend), and, with network
// namespaces, kube-proxy (a DNAT rule per Service IP and TCP port on each
// node, to that node's backend) and the backends themselves (a tiny HTTP
// server per node that says which node served the request).
//
// Deliberately not here: Service cluster IPs and node ports as traffic paths
// (only the load-balancer IPs are wired), UDP and IPv6 forwarding.
import type { KubeSim } from "@ironlb/kube-sim";
import type { Child } from "./processes.ts";
import type { Netns } from "./netns.ts";

export const NAMESPACE = "ironlb-system";
export const SPEAKER_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "ironlb", "app.kubernetes.io/component": "speaker" };
export const BACKEND_PORT = 8080;
const CHAIN = "IRONLB-PLAYGROUND";

interface ServiceLike {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec?: { readonly type?: string; readonly ports?: readonly { readonly port: number; readonly protocol?: string; readonly targetPort?: number | string }[] };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

export function loadBalancers(sim: KubeSim): ServiceLike[] {
  return (sim.store.list("services") as unknown as ServiceLike[]).filter((s) => s.spec?.type === "LoadBalancer");
}

/** Plays the kubelet for the speaker pods: Ready follows each speaker's /readyz. */
export class KubeletStandIn {
  readonly #sim: KubeSim;
  // node -> last Ready written
  readonly #ready = new Map<string, boolean>();

  constructor(sim: KubeSim) {
    this.#sim = sim;
  }

  /** Creates the speaker pod of `node` (not ready yet), as the DaemonSet controller and the scheduler would. */
  addPod(node: string, ip: string): void {
    const name = `speaker-${node}`;
    this.#sim.store.create("pods", {
      metadata: { name, namespace: NAMESPACE, labels: SPEAKER_LABELS },
      spec: { nodeName: node, hostNetwork: true, containers: [{ name: "speaker", image: "ironlb" }] },
    });
    this.#write(node, false, ip);
  }

  /** Records the result of a readiness probe; writes the pod's status only when it changes. */
  observe(node: string, ready: boolean, ip: string): void {
    if (this.#ready.get(node) === ready) return;
    this.#write(node, ready, ip);
  }

  readyNodes(): string[] {
    return [...this.#ready].filter(([, r]) => r).map(([n]) => n);
  }

  #write(node: string, ready: boolean, ip: string): void {
    this.#ready.set(node, ready);
    this.#sim.store.patch(
      "pods",
      NAMESPACE,
      `speaker-${node}`,
      { status: { phase: "Running", podIP: ip, podIPs: [{ ip }], hostIP: ip, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } },
      { type: "merge", subresource: "status" },
    );
  }
}

/** Plays the EndpointSlice controller: a ready endpoint on every node for every LoadBalancer Service. */
export class EndpointsStandIn {
  readonly #sim: KubeSim;
  readonly #nodes: readonly { readonly name: string; readonly ip: string }[];
  // "namespace/name" of slices we wrote -> their body as JSON
  readonly #written = new Map<string, string>();

  constructor(sim: KubeSim, nodes: readonly { readonly name: string; readonly ip: string }[]) {
    this.#sim = sim;
    this.#nodes = nodes;
  }

  sync(): void {
    const wanted = new Map<string, { namespace: string; body: object }>();
    for (const svc of loadBalancers(this.#sim)) {
      const name = `${svc.metadata.name}-playground`;
      const ports = (svc.spec?.ports ?? []).map((p) => ({ port: typeof p.targetPort === "number" ? p.targetPort : BACKEND_PORT, protocol: p.protocol ?? "TCP" }));
      wanted.set(`${svc.metadata.namespace}/${name}`, {
        namespace: svc.metadata.namespace,
        body: {
          metadata: { name, namespace: svc.metadata.namespace, labels: { "kubernetes.io/service-name": svc.metadata.name, "endpointslice.kubernetes.io/managed-by": "ironlb-playground" } },
          addressType: "IPv4",
          ports,
          endpoints: this.#nodes.map((n) => ({ addresses: [n.ip], nodeName: n.name, conditions: { ready: true, serving: true, terminating: false } })),
        },
      });
    }
    for (const [key, w] of wanted) {
      const text = JSON.stringify(w.body);
      if (this.#written.get(key) === text) continue;
      const name = key.slice(key.indexOf("/") + 1);
      if (this.#sim.store.get("endpointslices", w.namespace, name) === undefined) this.#sim.store.create("endpointslices", w.body);
      else this.#sim.store.update("endpointslices", w.body);
      this.#written.set(key, text);
    }
    for (const key of [...this.#written.keys()]) {
      if (wanted.has(key)) continue;
      const [ns, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
      this.#sim.store.delete("endpointslices", ns, name);
      this.#written.delete(key);
    }
  }
}

/** The DNAT rules kube-proxy would install on a node: each LoadBalancer IPv4 and TCP port to the node's backend. */
export function dnatRules(services: readonly ServiceLike[], nodeIp: string): string[] {
  const rules: string[] = [];
  for (const svc of services) {
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (ing.ip === undefined || ing.ip.includes(":")) continue;
      for (const p of svc.spec?.ports ?? []) {
        if ((p.protocol ?? "TCP") !== "TCP") continue;
        rules.push(`-A ${CHAIN} -d ${ing.ip}/32 -p tcp -m tcp --dport ${p.port} -j DNAT --to-destination ${nodeIp}:${BACKEND_PORT}`);
      }
    }
  }
  return [...new Set(rules)].sort();
}

/** Plays kube-proxy in one node namespace. */
export class KubeProxyStandIn {
  readonly #ns: Netns;
  readonly #nodeIp: string;
  #applied = "";

  constructor(ns: Netns, nodeIp: string) {
    this.#ns = ns;
    this.#nodeIp = nodeIp;
  }

  async setup(): Promise<void> {
    await this.#ns.exec("iptables", ["-t", "nat", "-N", CHAIN]);
    await this.#ns.exec("iptables", ["-t", "nat", "-A", "PREROUTING", "-j", CHAIN]);
  }

  /** Replaces the chain's rules when the Services' IPs or ports changed. */
  async sync(services: readonly ServiceLike[]): Promise<void> {
    const rules = dnatRules(services, this.#nodeIp);
    const text = ["*nat", `:${CHAIN} - [0:0]`, ...rules, "COMMIT", ""].join("\n");
    if (text === this.#applied) return;
    // Declaring the chain in a --noflush restore flushes just that chain.
    await this.#ns.exec("iptables-restore", ["--noflush"], { input: text });
    this.#applied = text;
  }
}

/** The backend every node runs: answers any HTTP request with the node's name. */
const BACKEND = `
const http = require("http");
const [node, ip, port] = process.argv.slice(1);
http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("served by " + node + " (playground backend " + ip + ":" + port + ", client " + req.socket.remoteAddress + ")\\n");
}).listen(Number(port), ip, () => console.log("listening"));
process.on("SIGTERM", () => process.exit(0));
`;

export function startBackend(ns: Netns, node: string, ip: string, logFile: string): Child {
  return ns.spawn(`backend on ${node}`, process.execPath, ["-e", BACKEND, node, ip, String(BACKEND_PORT)], logFile);
}

/** Sends one ARP request from the client; the MAC that answered, or undefined. */
export async function arpingOnce(client: Netns, ip: string): Promise<string | undefined> {
  const r = await client.exec("arping", ["-c", "1", "-w", "1", "-I", "eth0", ip], { allowFailure: true, timeoutMs: 3_000 });
  return /\[([0-9A-Fa-f:]{17})\]/.exec(r.stdout)?.[1]?.toLowerCase();
}

