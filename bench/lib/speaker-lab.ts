// A small cluster in network namespaces for the speaker's end-to-end suite
// (test/speaker) and the failover benchmark (bench/failover.ts):
//
//   kube-sim (this process) --unix socket-- forwarder in each node namespace
//   controller (`ironlb controller`, a child process)
//   N nodes, each a namespace running `ironlb speaker` (the built CLI, real
//     AF_PACKET sockets, real BGP sessions, real membership over UDP 7946),
//   an observer namespace, and R BIRD routers, all on one bridged segment.
//
// The API server is reached from the namespaces without creating anything in
// the root namespace: kube-sim listens on 127.0.0.1 here, a unix socket in
// the lab's run dir fronts it, and a forwarder inside each node namespace
// listens on that namespace's 127.0.0.1:6443 and relays to the socket (the
// speaker's /metrics and /readyz come back the same way). A link cut at the
// switch also freezes that node's forwarder, so the node loses the API too,
// as a real node whose cable is pulled does.
//
// There is no kubelet, so a small emulator plays its part for the speaker
// pods: it probes each speaker's /readyz every `probePeriodMs` and writes the
// pod's Ready condition when it changes (a dead process: at the next probe, as
// the kubelet's PLEG relist does; a failing probe: after 3 failures). During a
// link cut it stops probing that node and, after `nodeGracePeriodMs` (the node
// lifecycle controller's grace period), marks the pod unready.
//
// Deliberately not here: assertions (the suite and the bench make them).
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { API_PORT, FORWARDER, MONITORING_PORT, relayUnixToTcp } from "@ironlb/cli/relay";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import type { Lab, Namespace, Segment, SegmentMember } from "#testlib/netns";
import { arping } from "#testlib/probes";
import { LabProcess } from "#testlib/process";
import type { BirdRouter } from "#testlib/routers/bird";
import { bird } from "#testlib/routers/index";
import { waitFor } from "#testlib/wait-for";

export const NAMESPACE = "ironlb-system";
export const SPEAKER_LABELS = { "app.kubernetes.io/name": "ironlb", "app.kubernetes.io/component": "speaker" };
const ML_PORT = 7946;

export interface LabAddresses {
  readonly nodes: readonly { readonly name: string; readonly ip: string }[];
  readonly routers: readonly { readonly ip: string }[];
}

export interface SpeakerLabOptions {
  readonly nodes?: number | undefined;
  /** Run the membership among speakers (--ml-bind). Default true. */
  readonly membership?: boolean | undefined;
  /** BIRD routers on the segment (0-2), iBGP in `asn` with every node. */
  readonly routers?: number | undefined;
  readonly asn?: number | undefined;
  /** The ConfigMap's config, given the addresses the lab chose. */
  readonly config: (a: LabAddresses) => string;
  readonly probePeriodMs?: number | undefined;
  readonly nodeGracePeriodMs?: number | undefined;
  readonly logLevel?: "debug" | "info" | "warn" | "error" | undefined;
  /** More `ironlb speaker` flags, e.g. ["--l2-kernel-arp"]. */
  readonly speakerArgs?: readonly string[] | undefined;
}

export interface LabNode {
  readonly name: string;
  readonly ns: Namespace;
  readonly member: SegmentMember;
  readonly ip: string;
  readonly mac: string;
  /** The speaker process now running (undefined when stopped). */
  speaker: LabProcess | undefined;
  forwarder: LabProcess;
  readonly metricsSocket: string;
}

export interface Router {
  readonly ns: Namespace;
  readonly member: SegmentMember;
  readonly ip: string;
  readonly bird: BirdRouter;
}

/** The repository root (this file runs from bench/lib as source, or bench/dist/lib compiled). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "packages", "cli"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("repository root not found");
    dir = up;
  }
  return dir;
}

/**
 * The suite runs the built CLI (`npm test` builds first). A package whose
 * sources changed after its last build would be tested stale: refuse.
 */
export function assertFreshBuild(): void {
  const root = repoRoot();
  for (const pkg of ["core", "kube", "bgp", "l2", "rawsock", "controller", "speaker", "cli"]) {
    const info = path.join(root, "packages", pkg, "dist", ".tsbuildinfo");
    if (!existsSync(info)) throw Object.assign(new Error(`packages/${pkg} is not built: run \`npx tsc -b\``), { code: "SPEAKER_LAB_STALE_BUILD" });
    const built = statSync(info).mtimeMs;
    const newest = newestSource(path.join(root, "packages", pkg, "src"));
    if (newest > built) throw Object.assign(new Error(`packages/${pkg}/dist is older than its sources: run \`npx tsc -b\``), { code: "SPEAKER_LAB_STALE_BUILD" });
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".fixtures.ts")) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

export class SpeakerLab {
  readonly lab: Lab;
  readonly sim: KubeSim;
  readonly segment: Segment;
  readonly nodes: LabNode[] = [];
  readonly routers: Router[] = [];
  readonly observer: { readonly ns: Namespace; readonly member: SegmentMember };
  readonly kubelet: KubeletEmulator;
  controller: LabProcess | undefined;
  readonly #o: SpeakerLabOptions;
  readonly #apiRelay: { close(): Promise<void> };
  readonly #runDir: string;
  readonly #kubeconfig: string;
  /** A kubeconfig for processes in the root namespace (this one, the controller). */
  readonly rootKubeconfig: string;

  private constructor(lab: Lab, o: SpeakerLabOptions, sim: KubeSim, segment: Segment, observer: { ns: Namespace; member: SegmentMember }, apiRelay: { close(): Promise<void> }, runDir: string, kubeconfig: string, rootKubeconfig: string) {
    this.lab = lab;
    this.#o = o;
    this.sim = sim;
    this.segment = segment;
    this.observer = observer;
    this.#apiRelay = apiRelay;
    this.#runDir = runDir;
    this.#kubeconfig = kubeconfig;
    this.rootKubeconfig = rootKubeconfig;
    this.kubelet = new KubeletEmulator(this, o.probePeriodMs ?? 500, o.nodeGracePeriodMs ?? 40_000);
  }

  static async start(lab: Lab, o: SpeakerLabOptions): Promise<SpeakerLab> {
    assertFreshBuild();
    const sim = await createKubeSim({ bookmarkIntervalMs: 0 });
    const runDir = lab.runDir("speakerlab");
    const apiSocket = path.join(runDir, "api.sock");
    const simPort = Number(new URL(sim.url).port);
    const apiRelay = await relayUnixToTcp(apiSocket, "127.0.0.1", simPort);
    // Inside a node namespace the API server is at 127.0.0.1:6443 (the forwarder).
    const kubeconfig = path.join(runDir, "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig().replace(sim.url, `http://127.0.0.1:${API_PORT}`));
    const rootKubeconfig = path.join(runDir, "kubeconfig-root");
    writeFileSync(rootKubeconfig, sim.kubeconfig());

    const names = Array.from({ length: o.nodes ?? 3 }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
    const nodeNs = await Promise.all(names.map((n) => lab.namespace(n)));
    const observerNs = await lab.namespace("observer");
    const routerNs = await Promise.all(Array.from({ length: o.routers ?? 0 }, (_, i) => lab.namespace(`router${i + 1}`)));
    const segment = await lab.segment([]);
    const members: SegmentMember[] = [];
    for (const ns of nodeNs) members.push(await segment.add(ns));
    const observer = { ns: observerNs, member: await segment.add(observerNs) };
    const routerMembers: SegmentMember[] = [];
    for (const ns of routerNs) routerMembers.push(await segment.add(ns));
    // Learn from gratuitous ARP for unknown IPs too (lab.md).
    await observerNs.sysctl({ [`net.ipv4.conf.${observer.member.ifname}.arp_accept`]: 1 });
    // A client on the LAN: the service ranges are on-link, so the kernel ARPs for them (ping, neighbour entries).
    for (const block of ["198.51.100.0/24", "203.0.113.0/24"]) await observerNs.ip(["route", "add", block, "dev", observer.member.ifname]);

    const self = new SpeakerLab(lab, o, sim, segment, observer, apiRelay, runDir, kubeconfig, rootKubeconfig);
    const addresses: LabAddresses = {
      nodes: names.map((name, i) => ({ name, ip: (members[i] as SegmentMember).host?.v4 as string })),
      routers: routerMembers.map((m) => ({ ip: m.host?.v4 as string })),
    };
    const store = sim.store;
    store.create("namespaces", { metadata: { name: NAMESPACE } });
    store.create("secrets", { metadata: { name: "memberlist", namespace: NAMESPACE }, data: { secretkey: Buffer.from(`lab-${process.pid}-${Date.now()}`).toString("base64") } });
    store.create("configmaps", { metadata: { name: "config", namespace: NAMESPACE }, data: { config: o.config(addresses) } });
    for (const [i, name] of names.entries()) {
      const member = members[i] as SegmentMember;
      const ip = member.host?.v4 as string;
      store.create("nodes", { metadata: { name, labels: { "kubernetes.io/hostname": name } }, status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: ip }] } });
      store.create("pods", { metadata: { name: `speaker-${name}`, namespace: NAMESPACE, labels: SPEAKER_LABELS }, spec: { nodeName: name, hostNetwork: true, containers: [{ name: "speaker", image: "ironlb" }] } });
      store.patch("pods", NAMESPACE, `speaker-${name}`, { status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: "False" }] } }, { type: "merge", subresource: "status" });
      const ns = nodeNs[i] as Namespace;
      const metricsSocket = path.join(runDir, `${name}-metrics.sock`);
      const forwarder = ns.spawn(process.execPath, ["-e", FORWARDER, `tcp:127.0.0.1:${API_PORT}=unix:${apiSocket}`, `unix:${metricsSocket}=tcp:127.0.0.1:${MONITORING_PORT}`]);
      await forwarder.waitForOutput(/forwarding/, { timeout: 10_000 });
      self.nodes.push({ name, ns, member, ip, mac: member.mac, speaker: undefined, forwarder, metricsSocket });
    }
    for (const [i, ns] of routerNs.entries()) {
      const member = routerMembers[i] as SegmentMember;
      const ip = member.host?.v4 as string;
      const asn = o.asn ?? 64512;
      const r = await bird.start(ns, {
        asn,
        routerId: ip,
        neighbors: self.nodes.map((n) => ({ address: n.ip, asn, localAddress: ip, passive: true, name: n.name.replace("-", "_"), families: ["ipv4"], export: "none" as const })),
      });
      self.routers.push({ ns, member, ip, bird: r });
    }
    const cli = path.join(repoRoot(), "packages", "cli", "dist", "main.js");
    const controller = new LabProcess("ironlb controller", process.execPath, [cli, "controller", "--kubeconfig", rootKubeconfig, "--namespace", NAMESPACE, "--metrics-addr", "127.0.0.1:0", "--log-level", "warn"]);
    lab.adopt(controller);
    self.controller = controller;
    self.kubelet.start();
    await Promise.all(self.nodes.map((n) => self.startSpeaker(n)));
    return self;
  }

  get cli(): string {
    return path.join(repoRoot(), "packages", "cli", "dist", "main.js");
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  }

  /** The MACs that answer an ARP request for `ip` on the segment, as the observer sees them. */
  async answering(ip: string): Promise<readonly string[]> {
    return (await arping(this.observer.ns, { ifname: this.observer.member.ifname, ip, count: 2, deadline: 2 })).macs;
  }

  /** Waits until `node`, and only it, answers ARP for `ip`. */
  async waitAnswer(ip: string, node: string, what: string, timeout = 15_000): Promise<void> {
    const who = (mac: string) => this.nodes.find((n) => n.mac === mac)?.name ?? mac;
    await waitFor(
      async () => {
        const macs = await this.answering(ip);
        if (macs.length === 1 && macs[0] === this.node(node).mac) return macs;
        throw new Error(`answered by [${macs.map(who).join(", ")}]`);
      },
      { what, timeout, interval: 100, ignoreErrors: true },
    );
  }

  /** Starts (or restarts) a node's speaker and waits until the emulated kubelet has its pod Ready. */
  async startSpeaker(n: LabNode, options: { readonly waitReady?: boolean } = {}): Promise<void> {
    const args = [
      this.cli,
      "speaker",
      "--node-name",
      n.name,
      "--pod-name",
      `speaker-${n.name}`,
      "--kubeconfig",
      this.#kubeconfig,
      "--namespace",
      NAMESPACE,
      "--metrics-addr",
      `127.0.0.1:${MONITORING_PORT}`,
      "--log-level",
      this.#o.logLevel ?? "info",
      ...(this.#o.membership === false ? [] : ["--ml-bind", `${n.ip}:${ML_PORT}`]),
      ...(this.#o.speakerArgs ?? []),
    ];
    n.speaker = n.ns.spawn(process.execPath, args);
    if (options.waitReady !== false) await waitFor(() => this.podReady(n.name), { what: `speaker on ${n.name} to be Ready`, timeout: 30_000, interval: 50 });
  }

  /** The pod's Ready condition as the API has it. */
  podReady(node: string): boolean {
    const pod = this.sim.store.get("pods", NAMESPACE, `speaker-${node}`) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
    return pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
  }

  /** GET path on the speaker's monitoring endpoint (through its forwarder). */
  http(n: LabNode, urlPath: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: n.metricsSocket, path: urlPath, timeout: timeoutMs }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
    });
  }

  /** Pulls the node's cable at the switch; its API access freezes with it. */
  async cutLink(n: LabNode): Promise<void> {
    await this.segment.setPort(n.member, false);
    n.forwarder.pause();
    this.kubelet.unreachable(n.name);
  }

  async restoreLink(n: LabNode): Promise<void> {
    n.forwarder.resume();
    await this.segment.setPort(n.member, true);
    this.kubelet.reachable(n.name);
  }

  setConfig(yaml: string): void {
    this.sim.store.patch("configmaps", NAMESPACE, "config", { data: { config: yaml } }, { type: "merge" });
  }

  /** Creates a LoadBalancer Service (the controller assigns its IP). */
  createService(name: string, o: { readonly pool?: string; readonly ip?: string; readonly local?: boolean; readonly sharingKey?: string; readonly port?: number } = {}): void {
    const annotations: Record<string, string> = {};
    if (o.pool !== undefined) annotations["metallb.universe.tf/address-pool"] = o.pool;
    if (o.ip !== undefined) annotations["metallb.universe.tf/loadBalancerIPs"] = o.ip;
    if (o.sharingKey !== undefined) annotations["metallb.universe.tf/allow-shared-ip"] = o.sharingKey;
    this.sim.store.create("services", {
      metadata: { name, namespace: "default", annotations },
      spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ port: o.port ?? 80, protocol: "TCP" }], externalTrafficPolicy: o.local === true ? "Local" : "Cluster" },
    });
  }

  /** Ready endpoints of a Service on these nodes (what the EndpointSlice controller would write). */
  setEndpoints(service: string, nodes: readonly string[]): void {
    const name = `${service}-lab`;
    const body = {
      metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      ports: [{ port: 8080, protocol: "TCP" }],
      endpoints: nodes.map((n, i) => ({ addresses: [`10.244.${i}.${10 + this.nodes.findIndex((x) => x.name === n)}`], nodeName: n, conditions: { ready: true } })),
    };
    if (this.sim.store.get("endpointslices", "default", name) === undefined) this.sim.store.create("endpointslices", body);
    else this.sim.store.update("endpointslices", body);
  }

  /** Waits for the controller to give the Service an IP. */
  async ingressIp(service: string, timeout = 15_000): Promise<string> {
    return waitFor(
      () => {
        const svc = this.sim.store.get("services", "default", service) as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } } | undefined;
        return svc?.status?.loadBalancer?.ingress?.[0]?.ip;
      },
      { what: `an IP for ${service}`, timeout, interval: 20 },
    );
  }

  /**
   * Stops the processes first (speakers withdraw and leave, the controller
   * releases nothing), then the API: the other order would have kube-sim wait
   * for keep-alive connections of clients that are still running.
   */
  async close(): Promise<void> {
    this.kubelet.stop();
    await Promise.all([...this.nodes.map((n) => n.speaker?.stop({ grace: 3000 })), this.controller?.stop({ grace: 3000 })]);
    await Promise.all(this.nodes.map((n) => n.forwarder.stop({ grace: 1000 })));
    // Relayed connections go first, so kube-sim does not wait for their keep-alive.
    await this.#apiRelay.close();
    await Promise.race([this.sim.close(), new Promise((r) => setTimeout(r, 5000))]);
    void this.#runDir;
  }
}

/** Plays the kubelet's part for the speaker pods' Ready condition (see the header). */
export class KubeletEmulator {
  readonly #lab: SpeakerLab;
  readonly #periodMs: number;
  readonly #graceMs: number;
  #timer: NodeJS.Timeout | undefined;
  // node -> consecutive failed probes
  readonly #failures = new Map<string, number>();
  // node -> when it became unreachable
  readonly #unreachable = new Map<string, number>();
  #busy = false;

  constructor(lab: SpeakerLab, periodMs: number, graceMs: number) {
    this.#lab = lab;
    this.#periodMs = periodMs;
    this.#graceMs = graceMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.#periodMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  unreachable(node: string): void {
    this.#unreachable.set(node, performance.now());
  }

  reachable(node: string): void {
    this.#unreachable.delete(node);
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await Promise.all(this.#lab.nodes.map((n) => this.#probe(n)));
    } finally {
      this.#busy = false;
    }
  }

  async #probe(n: LabNode): Promise<void> {
    const cut = this.#unreachable.get(n.name);
    let ready: boolean;
    if (cut !== undefined) {
      // The node controller marks its pods unready after the grace period; until then the API keeps the last state.
      if (performance.now() - cut < this.#graceMs) return;
      ready = false;
    } else if (n.speaker === undefined || !n.speaker.running) {
      ready = false;
    } else {
      const ok = await this.#lab.http(n, "/readyz", Math.min(1000, this.#periodMs)).then(
        (r) => r.status === 200,
        () => false,
      );
      const failures = ok ? 0 : (this.#failures.get(n.name) ?? 0) + 1;
      this.#failures.set(n.name, failures);
      // A probe that fails 3 times in a row (failureThreshold) makes the pod unready.
      ready = ok || (failures < 3 && this.#lab.podReady(n.name));
    }
    if (ready === this.#lab.podReady(n.name)) return;
    this.#lab.sim.store.patch("pods", NAMESPACE, `speaker-${n.name}`, { status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } }, { type: "merge", subresource: "status" });
  }
}
