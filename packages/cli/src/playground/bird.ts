// A router of the playground: BIRD 2 in a router namespace holding one of
// the config's peer addresses, one BGP protocol per (config peer with that
// address, node) pair, so each speaker's session to that address lands here
// with the ASNs the config names (the peer side takes `peer-asn`, the speaker
// side `my-asn`). BIRD only listens (`passive on`: IronLB's speakers dial, as
// MetalLB's do), imports IPv4 unicast and installs the BGP routes in the
// router's kernel table with ECMP (`merge paths`), so traffic from the client
// really follows them.
//
// Deliberately not here: IPv6 sessions or routes (the segment is IPv4),
// password-secret (BIRD gets inline passwords only; a Secret's value is
// the cluster's, not the playground's).
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "@ironlb/core/config";
import { formatIp } from "@ironlb/core/ip";
import { PlaygroundError } from "./errors.ts";
import type { Netns } from "./netns.ts";
import { run, waitUntil, type Child } from "./processes.ts";

export interface BirdSession {
  readonly protocol: string;
  readonly peerName: string;
  readonly node: string;
}

const ident = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");

/** BIRD's config for the router at `routerIp`: sessions for the config's peers with that address. */
export function birdConfig(config: Config, nodes: readonly { readonly name: string; readonly ip: string }[], routerIp: string): { readonly text: string; readonly sessions: readonly BirdSession[] } {
  const routerId = routerIp;
  const lines = [
    "# Written by `ironlb playground`: the router the speakers peer with.",
    `router id ${routerId};`,
    "log stderr all;",
    "protocol device { scan time 10; }",
    // Connected routes, so iBGP next hops resolve.
    'protocol direct { ipv4; interface "eth0"; }',
    "protocol kernel {",
    "  ipv4 { export where source = RTS_BGP; };",
    "  merge paths on;",
    "}",
  ];
  const sessions: BirdSession[] = [];
  for (const peer of config.peers) {
    if (formatIp(peer.peerAddress) !== routerIp) continue;
    for (const node of nodes) {
      const protocol = ident(`${peer.name}_${node.name}`);
      const ibgp = peer.myAsn === peer.peerAsn;
      sessions.push({ protocol, peerName: peer.name, node: node.name });
      lines.push(
        `protocol bgp ${protocol} {`,
        `  local ${formatIp(peer.peerAddress)}${peer.peerPort === 179 ? "" : ` port ${peer.peerPort}`} as ${peer.peerAsn};`,
        `  neighbor ${node.ip} as ${peer.myAsn};`,
        "  passive on;",
        // The speakers dial as soon as they start; accept at once, and again quickly after a failure.
        "  connect delay time 1;",
        "  error wait time 1, 4;",
        ...(peer.password === null ? [] : [`  password "${peer.password.replace(/["\\]/g, "\\$&")}";`]),
        // iBGP is multihop to BIRD: its next hops resolve recursively through the direct protocol's routes.
        ...(peer.ebgpMultihop && !ibgp ? ["  multihop;"] : []),
        "  ipv4 { import all; export none; };",
        "}",
      );
    }
  }
  return { text: lines.join("\n") + "\n", sessions };
}

export class Bird {
  readonly #ctl: string;
  readonly routerIp: string;
  readonly child: Child;
  readonly sessions: readonly BirdSession[];

  private constructor(ctl: string, child: Child, sessions: readonly BirdSession[], routerIp: string) {
    this.#ctl = ctl;
    this.routerIp = routerIp;
    this.child = child;
    this.sessions = sessions;
  }

  static async start(ns: Netns, dir: string, config: Config, nodes: readonly { readonly name: string; readonly ip: string }[], routerIp: string, tag: string): Promise<Bird> {
    const { text, sessions } = birdConfig(config, nodes, routerIp);
    const conf = path.join(dir, `bird-${tag}.conf`);
    const ctl = path.join(dir, `bird-${tag}.ctl`);
    writeFileSync(conf, text);
    const child = ns.spawn(`bird on ${tag}`, "bird", ["-f", "-c", conf, "-s", ctl, "-P", path.join(dir, `bird-${tag}.pid`)], path.join(dir, `bird-${tag}.log`));
    const bird = new Bird(ctl, child, sessions, routerIp);
    const exited = child.exited.then(() => {
      throw new PlaygroundError("PLAYGROUND_PROCESS_EXITED", `bird exited: ${child.log().trim().split("\n").slice(-3).join(" / ")}`);
    });
    const up = waitUntil(async () => (await bird.birdc(["show", "status"])).includes("Daemon is up and running"), "BIRD to start", 10_000);
    await Promise.race([up, exited]);
    void exited.catch(() => {});
    return bird;
  }

  async birdc(args: readonly string[]): Promise<string> {
    return (await run("birdc", ["-s", this.#ctl, ...args], { timeoutMs: 5_000 })).stdout;
  }

  /** Names of the BGP protocols that are Established. */
  async established(): Promise<Set<string>> {
    const out = await this.birdc(["show", "protocols"]);
    const up = new Set<string>();
    for (const line of out.split("\n")) {
      const cols = line.trim().split(/\s+/);
      if (cols[1] === "BGP" && line.includes("Established")) up.add(cols[0] as string);
    }
    return up;
  }

  /** Next hops BIRD holds for the most specific route covering `ip` (one per speaker that announces it). */
  async nextHops(ip: string): Promise<string[]> {
    const out = await this.birdc(["show", "route", "for", ip]);
    return [...new Set([...out.matchAll(/\bvia (\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] as string))].sort();
  }
}
