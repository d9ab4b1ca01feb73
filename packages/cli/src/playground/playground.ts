// `ironlb playground`: a small cluster on this machine. kube-sim runs in this
// process; the controller and one speaker per node run as the real `ironlb`
// processes; stand-ins play the kubelet, the EndpointSlice controller and,
// with network namespaces, kube-proxy (stand-ins.ts).
//
// Two modes:
// - netns (root, with ip, bird, birdc, arping and iptables): every node is a
//   network namespace on one bridged segment with the router (BIRD, at the
//   config's peer addresses) and a client; speakers answer ARP with real
//   sockets and peer with BIRD, and the client reaches Service IPs through
//   BIRD's routes or the ARP answer, to a backend that names its node;
// - dry run (otherwise): the speakers run in this namespace with
//   --no-raw-sockets and BGP peers pointed at a closed loopback port, and the
//   table shows what they would announce.
//
// Everything created is recorded and removed by stop(): processes by pid,
// namespaces (with their interfaces), the run directory. A last-resort exit
// handler does the same synchronously if the process dies another way; a
// later run also removes namespaces of runs whose process is gone.
//
// Deliberately not here: terminal rendering and signals (the command).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { Config } from "@ironlb/core/config";
import { formatIp } from "@ironlb/core/ip";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { Bird } from "./bird.ts";
import { PlaygroundError } from "./errors.ts";
import { NetnsSet, runPrefix, sweepStale } from "./netns.ts";
import { Child, findBinary, pidAlive, waitUntil } from "./processes.ts";
import { API_PORT, FORWARDER, MONITORING_PORT, relayUnixToTcp } from "./relay.ts";
import { configMapFrom, readObjects, seed } from "./seed.ts";
import { arpingOnce, EndpointsStandIn, KubeletStandIn, KubeProxyStandIn, loadBalancers, NAMESPACE, startBackend } from "./stand-ins.ts";
import { build, type Topology } from "./topology.ts";
import { buildRows, type Row, type ServiceObject, type Sighting } from "./view.ts";

export const NETNS_BINARIES = ["ip", "bird", "birdc", "arping", "iptables", "iptables-restore"] as const;

export interface PlaygroundOptions {
  readonly configFile: string;
  readonly servicesFile: string;
  readonly nodes: number;
  readonly mode: "auto" | "netns" | "dry-run";
  /** The run directory (must not exist; created and removed). */
  readonly dir: string;
  /** packages/cli/dist/main.js */
  readonly cli: string;
  /** Progress lines while starting. */
  readonly progress: (line: string) => void;
}

export interface Snapshot {
  readonly rows: readonly Row[];
  /** "6/6 BGP sessions Established at the router", speakers ready, ... */
  readonly status: readonly string[];
}

export interface StopReport {
  readonly processes: number;
  readonly namespaces: readonly string[];
  readonly dir: string;
  readonly problems: readonly string[];
}

/** Why the netns mode cannot run here, or null when it can. */
export function netnsUnavailable(): string | null {
  const reasons: string[] = [];
  if (process.getuid?.() !== 0) reasons.push("not running as root");
  const missing = NETNS_BINARIES.filter((b) => findBinary(b) === undefined);
  if (missing.length > 0) reasons.push(`${missing.join(", ")} not installed (apt-get install iproute2 bird2 iputils-arping iptables)`);
  return reasons.length === 0 ? null : reasons.join("; ");
}

interface SpeakerHandle {
  readonly node: string;
  readonly ip: string;
  readonly child: Child;
  readonly probe: () => Promise<boolean>;
}

export class Playground {
  readonly options: PlaygroundOptions;
  readonly mode: "netns" | "dry-run";
  readonly fallbackReason: string | null;
  readonly namespaces: NetnsSet;
  readonly nodeNames: readonly string[];
  sim: KubeSim | undefined;
  topology: Topology | undefined;
  /** One BIRD per router namespace; the first is the client's gateway. */
  readonly birds: Bird[] = [];
  config: Config | undefined;
  readonly #children: Child[] = [];
  readonly #speakers: SpeakerHandle[] = [];
  readonly #closers: (() => Promise<void>)[] = [];
  readonly #proxies: KubeProxyStandIn[] = [];
  #kubelet: KubeletStandIn | undefined;
  #endpoints: EndpointsStandIn | undefined;
  #sightings = new Map<string, Sighting>();
  #observing = false;
  #stopping: Promise<StopReport> | undefined;
  /** Only a directory this run created is ever removed. */
  #ownsDir = false;
  readonly #exitHandler = () => this.#teardownSync();

  constructor(options: PlaygroundOptions) {
    this.options = options;
    const why = netnsUnavailable();
    if (options.mode === "netns" && why !== null) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `--mode netns: ${why}`);
    this.mode = options.mode === "dry-run" || why !== null ? "dry-run" : "netns";
    this.fallbackReason = options.mode === "auto" ? why : null;
    this.namespaces = new NetnsSet(runPrefix());
    this.nodeNames = Array.from({ length: options.nodes }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
  }

  get dir(): string {
    return this.options.dir;
  }

  get kubeconfig(): string {
    return path.join(this.dir, "kubeconfig");
  }

  /** Every pid the playground started that still runs. */
  get pids(): number[] {
    return this.#children.filter((c) => c.running).map((c) => c.pid);
  }

  async start(): Promise<void> {
    const o = this.options;
    if (existsSync(o.dir)) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `${o.dir} exists already: pass another --dir`);
    for (const f of [o.configFile, o.servicesFile]) if (!existsSync(f)) throw new PlaygroundError("PLAYGROUND_MISSING_FILE", `${f} not found (run from the repository, or pass --config and --services)`);
    mkdirSync(o.dir, { recursive: true });
    this.#ownsDir = true;
    process.on("exit", this.#exitHandler);
    const { parseConfig, formatIssue } = await import("@ironlb/core/config");
    const closedPort = this.mode === "dry-run" ? await freeLoopbackPort() : 0;
    const configMap = configMapFrom(o.configFile, this.mode === "dry-run" ? { address: "127.0.0.1", port: closedPort } : undefined);
    const parsed = parseConfig(configMap.data?.["config"] ?? "");
    if (!parsed.ok) throw new PlaygroundError("PLAYGROUND_MISSING_FILE", `${o.configFile}: ${parsed.errors.map(formatIssue).join("; ")}`);
    this.config = parsed.config;
    const samples = readObjects(o.servicesFile);

    if (this.mode === "netns") {
      const swept = await sweepStale();
      if (swept.length > 0) o.progress(`removed ${swept.length} namespace(s) left by earlier runs: ${swept.join(", ")}`);
      o.progress("building the network: a switch, the router, a client and the nodes");
      this.topology = await build(this.namespaces, parsed.config, this.nodeNames);
    }
    const nodes = this.nodeNames.map((name, i) => ({ name, ip: this.topology?.nodes[i]?.ip ?? loopbackAddress(i) }));

    o.progress("starting kube-sim");
    this.sim = await createKubeSim({ bookmarkIntervalMs: 0 });
    const sim = this.sim;
    this.#closers.push(() => sim.close());
    writeFileSync(this.kubeconfig, sim.kubeconfig({ namespace: "default" }));
    seed(sim, configMap, samples, nodes);
    this.#kubelet = new KubeletStandIn(sim);
    for (const n of nodes) this.#kubelet.addPod(n.name, n.ip);
    this.#endpoints = new EndpointsStandIn(sim, nodes);
    this.#endpoints.sync();

    if (this.topology !== undefined) await this.#startNetworkSide(sim);
    else for (const n of nodes) this.#startDrySpeaker(n.name, n.ip);

    o.progress("starting the controller");
    this.#spawn(new Child("controller", process.execPath, [o.cli, "controller", "--kubeconfig", this.kubeconfig, "--metrics-addr", "127.0.0.1:0"], path.join(o.dir, "controller.log")));
    await this.tick();
  }

  async #startNetworkSide(sim: KubeSim): Promise<void> {
    const o = this.options;
    const topo = this.topology as Topology;
    const config = this.config as Config;
    for (const [i, r] of topo.routers.entries()) {
      if (!config.peers.some((p) => formatIp(p.peerAddress) === r.ip)) continue;
      o.progress(`starting BIRD at ${r.ip}`);
      const bird = await Bird.start(r.ns, o.dir, config, topo.nodes, r.ip, `router-${i + 1}`);
      this.#spawn(bird.child);
      this.birds.push(bird);
    }
    const apiSocket = path.join(o.dir, "api.sock");
    const relay = await relayUnixToTcp(apiSocket, "127.0.0.1", Number(new URL(sim.url).port));
    this.#closers.push(() => relay.close());
    // Inside a node namespace the API server is at 127.0.0.1:6443, the forwarder.
    const nsKubeconfig = path.join(o.dir, "kubeconfig-node");
    writeFileSync(nsKubeconfig, sim.kubeconfig().replace(sim.url, `http://127.0.0.1:${API_PORT}`));
    for (const n of topo.nodes) {
      o.progress(`starting ${n.name}: API forwarder, kube-proxy stand-in, backend, speaker`);
      const monitoring = path.join(o.dir, `${n.name}-monitoring.sock`);
      const fwd = this.#spawn(n.ns.spawn(`forwarder on ${n.name}`, process.execPath, ["-e", FORWARDER, `tcp:127.0.0.1:${API_PORT}=unix:${apiSocket}`, `unix:${monitoring}=tcp:127.0.0.1:${MONITORING_PORT}`], path.join(o.dir, `${n.name}-forwarder.log`)));
      await waitUntil(() => fwd.log().includes("forwarding"), `the API forwarder on ${n.name}`, 10_000, 20);
      const proxy = new KubeProxyStandIn(n.ns, n.ip);
      await proxy.setup();
      this.#proxies.push(proxy);
      this.#spawn(startBackend(n.ns, n.name, n.ip, path.join(o.dir, `${n.name}-backend.log`)));
      const child = this.#spawn(
        n.ns.spawn(`speaker on ${n.name}`, process.execPath, [o.cli, "speaker", "--node-name", n.name, "--pod-name", `speaker-${n.name}`, "--kubeconfig", nsKubeconfig, "--namespace", NAMESPACE, "--ml-bind", `${n.ip}:7946`, "--metrics-addr", `127.0.0.1:${MONITORING_PORT}`], path.join(o.dir, `speaker-${n.name}.log`)),
      );
      this.#speakers.push({ node: n.name, ip: n.ip, child, probe: () => httpOk({ socketPath: monitoring, path: "/readyz" }) });
    }
  }

  #startDrySpeaker(node: string, ip: string): void {
    const o = this.options;
    const log = path.join(o.dir, `speaker-${node}.log`);
    const child = this.#spawn(new Child(`speaker ${node}`, process.execPath, [o.cli, "speaker", "--node-name", node, "--pod-name", `speaker-${node}`, "--kubeconfig", this.kubeconfig, "--no-raw-sockets", "--ml-bind", `${ip}:7946`, "--metrics-addr", "127.0.0.1:0"], log));
    this.#speakers.push({
      node,
      ip,
      child,
      probe: async () => {
        const url = /"url":"(http:\/\/[^"]+)"/.exec(child.log())?.[1];
        if (url === undefined) return false;
        const u = new URL("/readyz", url);
        return httpOk({ host: u.hostname, port: Number(u.port), path: "/readyz" });
      },
    });
  }

  #spawn(c: Child): Child {
    this.#children.push(c);
    return c;
  }

  /** One round of the stand-ins and the observations; returns the table. */
  async tick(): Promise<Snapshot> {
    const sim = this.sim;
    if (sim === undefined) return { rows: [], status: [] };
    this.#endpoints?.sync();
    await Promise.all(
      this.#speakers.map(async (s) => {
        const ready = s.child.running && (await s.probe().catch(() => false));
        this.#kubelet?.observe(s.node, ready, s.ip);
      }),
    );
    const services = loadBalancers(sim) as unknown as ServiceObject[];
    for (const p of this.#proxies) await p.sync(services as never);
    if (this.topology !== undefined && !this.#observing) {
      // Observations take up to a second (an unanswered ARP); they refresh in the background.
      this.#observing = true;
      void this.#observe(services).finally(() => (this.#observing = false));
    }
    const pods = sim.store.list("pods", { namespace: NAMESPACE });
    const rows = buildRows({ services, speakerPods: pods, sightings: this.topology === undefined ? null : this.#sightings });
    return { rows, status: await this.#status() };
  }

  async #observe(services: readonly ServiceObject[]): Promise<void> {
    const topo = this.topology as Topology;
    const protocolOf = new Map((this.config?.pools ?? []).map((p) => [p.name, p.protocol]));
    const byMac = new Map(topo.nodes.map((n) => [n.mac, n.name]));
    const byIp = new Map(topo.nodes.map((n) => [n.ip, n.name]));
    const next = new Map<string, Sighting>();
    await Promise.all(
      services.flatMap((svc) => {
        const proto = protocolOf.get(svc.metadata.annotations?.["ironlb.io/ip-allocated-from-pool"] ?? "");
        return (svc.status?.loadBalancer?.ingress ?? []).map(async (ing) => {
          const ip = ing.ip ?? "";
          if (ip === "" || next.has(ip)) return;
          if (ip.includes(":")) {
            next.set(ip, { kind: "none", note: "IPv6: not wired in the playground" });
            return;
          }
          if (proto === "layer2") {
            const mac = await arpingOnce(topo.client.ns, ip);
            next.set(ip, { kind: "arp", nodes: mac === undefined ? [] : [byMac.get(mac) ?? mac] });
          } else if (proto === "bgp" && this.birds[0] !== undefined) {
            // The gateway's view: the path the client's packets take.
            const hops = await this.birds[0].nextHops(ip).catch(() => []);
            next.set(ip, { kind: "route", nodes: hops.map((h) => byIp.get(h) ?? h) });
          }
        });
      }),
    );
    this.#sightings = next;
  }

  async #status(): Promise<string[]> {
    const lines: string[] = [];
    const ready = this.#kubelet?.readyNodes().length ?? 0;
    lines.push(`speakers ready: ${ready}/${this.#speakers.length}; controller ${this.#children.find((c) => c.label === "controller")?.running === true ? "running" : "not running"}`);
    for (const b of this.birds) {
      const up = await b.established().catch(() => new Set<string>());
      lines.push(`BGP sessions Established at ${b.routerIp} (${[...new Set(b.sessions.map((s) => s.peerName))].join(", ")}): ${up.size}/${b.sessions.length}`);
    }
    return lines;
  }

  /** Stops everything this run started and removes what it created. Idempotent. */
  stop(): Promise<StopReport> {
    this.#stopping ??= this.#teardown();
    return this.#stopping;
  }

  async #teardown(): Promise<StopReport> {
    const problems: string[] = [];
    const started = this.#children.length;
    // Speakers first, while the API is still up: they hand over and end their sessions.
    await Promise.all(this.#speakers.map((s) => s.child.stop(5_000)));
    await Promise.all(this.#children.map((c) => c.stop(3_000)));
    for (const c of this.#children) if (pidAlive(c.pid)) problems.push(`${c.label} (pid ${c.pid}) still runs`);
    for (const close of this.#closers.reverse()) await close().catch((err: unknown) => problems.push(String(err)));
    const namespaces = [...this.namespaces.names];
    problems.push(...(await this.namespaces.deleteAll()));
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
    process.off("exit", this.#exitHandler);
    return { processes: started, namespaces, dir: this.#ownsDir ? this.dir : "", problems };
  }

  #teardownSync(): void {
    for (const c of this.#children) c.killNow();
    this.namespaces.deleteAllSync();
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** 127.<x>.<y>.<i+1>: a loopback address per dry-run speaker (all of 127/8 is local on Linux), distinct per run. */
function loopbackAddress(i: number): string {
  return `127.${100 + (process.pid % 100)}.${Math.floor(process.pid / 100) % 250}.${i + 1}`;
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function httpOk(target: { readonly socketPath?: string; readonly host?: string; readonly port?: number; readonly path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ ...target, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

