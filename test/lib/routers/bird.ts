// BIRD 2 as a lab router: `bird -f -c bird.conf -s bird.ctl -P bird.pid` inside
// a namespace, queried over its control socket (bird-control.ts). The config
// has one `protocol bgp` per neighbor, static protocols `origin4`/`origin6`
// for originated routes (exported only to neighbors with export "originated"),
// `protocol direct` so iBGP and multihop next hops resolve, and short connect
// delays so sessions come up in about a second instead of BIRD's default 5 s.
// Routes are read from BIRD's master tables with `show route where source =
// RTS_BGP all`: every path, not only the best, so three ECMP paths from three
// speakers show as three RoutePaths; no kernel protocol (nothing is synced to
// the namespace's kernel table).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../errors.ts";
import { run } from "../exec.ts";
import type { Namespace } from "../netns.ts";
import type { LabProcess } from "../process.ts";
import { waitFor } from "../wait-for.ts";
import { birdRequest, type BirdReply } from "./bird-control.ts";
import { parseBirdProtocol, parseBirdRoutes, sessionState, type BirdProtocol } from "./bird-parse.ts";
import { parseCommunity, Router } from "./router.ts";
import type { NeighborConfig, OriginatedRoute, RouteQuery, RoutePath, RouterConfig, SessionInfo } from "./types.ts";

export const binaries = ["bird", "birdc"] as const;

export interface BirdOptions {
  /** Raw lines appended to the config (e.g. a bench's extra protocols). */
  readonly extraConfig?: string | undefined;
  /** Extra lines inside every `protocol bgp` block. */
  readonly extraBgp?: string | undefined;
}

let cachedVersion: string | undefined;

/** "BIRD 2.0.12" from `bird --version`. */
export async function version(): Promise<string> {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = await run("bird", ["--version"], { allowFailure: true });
  const m = /BIRD version (\S+)/.exec(`${r.stdout}${r.stderr}`);
  if (m === null) throw new LabError("LAB_ROUTER_FAILED", `cannot read BIRD's version: ${r.stderr}`);
  cachedVersion = `BIRD ${m[1]}`;
  return cachedVersion;
}

export async function start(ns: Namespace, config: RouterConfig, options: BirdOptions = {}): Promise<BirdRouter> {
  return new BirdRouter(ns, config, ns.lab.runDir("bird"), options).start();
}

export class BirdRouter extends Router {
  readonly kind = "bird";
  readonly socket: string;
  private readonly names: Map<string, string>;

  constructor(ns: Namespace, config: RouterConfig, runDir: string, private readonly options: BirdOptions = {}) {
    super(ns, config, runDir);
    this.socket = path.join(runDir, "bird.ctl");
    this.names = new Map(config.neighbors.map((n, i) => [protocolName(n, i), n.address]));
  }

  version(): Promise<string> {
    return version();
  }

  /** The generated config, for failure messages and the README's examples. */
  configText(): string {
    return readFileSync(path.join(this.runDir, "bird.conf"), "utf8");
  }

  protected async launch(): Promise<LabProcess> {
    const conf = path.join(this.runDir, "bird.conf");
    writeFileSync(conf, birdConfig(this.config, this.options));
    const proc = this.ns.spawn("bird", ["-f", "-c", conf, "-s", this.socket, "-P", path.join(this.runDir, "bird.pid")]);
    await waitFor(
      async () => {
        if (!proc.running) throw new LabError("LAB_ROUTER_FAILED", `bird exited (${JSON.stringify(proc.exitInfo)}): ${proc.output().trim()}`);
        return (await birdRequest(this.socket, "show status")).code < 8000;
      },
      { what: `BIRD in ${this.ns.name} to answer on its control socket`, timeout: 10_000, interval: 20, ignoreErrors: true },
    );
    return proc;
  }

  /** One control-socket request, e.g. "show protocols all peer1", "disable origin4". */
  request(command: string): Promise<BirdReply> {
    return birdRequest(this.socket, command);
  }

  /** BIRD's full view of one neighbor's protocol, counters included. */
  async protocol(peer: string): Promise<BirdProtocol> {
    const name = this.protocolFor(peer);
    return parseBirdProtocol((await this.request(`show protocols all ${name}`)).lines);
  }

  protocolFor(peer: string): string {
    for (const [name, address] of this.names) if (address === peer) return name;
    throw new LabError("LAB_BAD_ARGUMENT", `BIRD in ${this.ns.name} has no neighbor ${peer}`);
  }

  async sessions(): Promise<SessionInfo[]> {
    const out: SessionInfo[] = [];
    for (const n of this.config.neighbors) {
      const p = await this.protocol(n.address);
      const state = sessionState(p.bgpState);
      out.push({
        peer: n.address,
        state,
        established: state === "established",
        detail: [p.protoState, p.info, p.lastError === undefined ? "" : `last error: ${p.lastError}`].filter((s) => s !== "").join(" "),
        peerCapabilities: state === "established" ? p.peerCapabilities : [],
        holdTime: p.holdTime,
      });
    }
    return out;
  }

  async routes(query: RouteQuery = {}): Promise<RoutePath[]> {
    const tables = query.prefix !== undefined ? [query.prefix.includes(":") ? "master6" : "master4"] : query.family === "ipv6" ? ["master6"] : query.family === "ipv4" ? ["master4"] : ["master4", "master6"];
    const out: RoutePath[] = [];
    for (const table of tables) {
      const reply = await this.request(`show route ${query.prefix ?? ""} table ${table} where source = RTS_BGP all`);
      if (reply.code === 8001) continue; // "Network not found"
      out.push(...parseBirdRoutes(reply.lines, (name) => this.names.get(name)));
    }
    // Routes of a peer in graceful restart are stale in RFC 4724's sense even before BIRD marks them.
    const restarting = new Set<string>();
    for (const n of this.config.neighbors) if (n.gracefulRestart === true && (await this.protocol(n.address)).gracefulRestartActive) restarting.add(n.address);
    return restarting.size === 0 ? out : out.map((r) => (r.peer !== undefined && restarting.has(r.peer) ? { ...r, stale: true } : r));
  }
}

function protocolName(n: NeighborConfig, i: number): string {
  const name = n.name ?? `peer${i + 1}`;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new LabError("LAB_BAD_ARGUMENT", `BIRD protocol name "${name}" must be an identifier`);
  return name;
}

export function birdConfig(c: RouterConfig, options: BirdOptions = {}): string {
  const lines = [
    "# Written by the IronLB lab harness (test/lib/routers/bird.ts).",
    "log stderr all;",
    `router id ${c.routerId};`,
    // One token per timestamp, epoch seconds with microseconds (bird-parse.ts relies on it).
    'timeformat protocol "%s.%6f";',
    'timeformat route "%s.%6f";',
    "protocol device { scan time 10; }",
    "protocol direct { ipv4; ipv6; }",
    staticProtocol("origin4", "ipv4", (c.routes ?? []).filter((r) => !r.prefix.includes(":"))),
    staticProtocol("origin6", "ipv6", (c.routes ?? []).filter((r) => r.prefix.includes(":"))),
    // BIRD sends MED to an eBGP peer only when the export filter set it; re-setting it does.
    ...[4, 6].map((v) => `filter originated${v} { if proto != "origin${v}" then reject; if defined(bgp_med) then bgp_med = bgp_med; accept; }`),
  ];
  c.neighbors.forEach((n, i) => lines.push(bgpProtocol(c, n, i, options.extraBgp)));
  if (options.extraConfig !== undefined) lines.push(options.extraConfig);
  return `${lines.join("\n")}\n`;
}

function staticProtocol(name: string, family: "ipv4" | "ipv6", routes: readonly OriginatedRoute[]): string {
  const body = routes.map((r) => {
    const actions = [
      ...(r.communities ?? []).map((x) => `bgp_community.add((${parseCommunity(x, 2).join(",")}));`),
      ...(r.largeCommunities ?? []).map((x) => `bgp_large_community.add((${parseCommunity(x, 3).join(",")}));`),
      ...(r.localPref === undefined ? [] : [`bgp_local_pref = ${r.localPref};`]),
      ...(r.med === undefined ? [] : [`bgp_med = ${r.med};`]),
    ];
    // Without a next hop the route is a blackhole and BGP exports it with our own address.
    const dest = r.nextHop === undefined ? "blackhole" : `via ${r.nextHop}`;
    return `  route ${r.prefix} ${dest}${actions.length > 0 ? ` { ${actions.join(" ")} }` : ""};`;
  });
  return [`protocol static ${name} {`, `  ${family};`, ...body, "}"].join("\n");
}

function bgpProtocol(c: RouterConfig, n: NeighborConfig, i: number, extra: string | undefined): string {
  const families = n.families ?? ["ipv4", "ipv6"];
  const local = [n.localAddress ?? c.listen?.address, c.listen?.port === undefined ? undefined : `port ${c.listen.port}`].filter((x) => x !== undefined).join(" ");
  const hold = n.holdTime ?? 90;
  const lines = [
    `protocol bgp ${protocolName(n, i)} {`,
    `  local ${local === "" ? "" : `${local} `}as ${c.asn};`,
    `  neighbor ${n.address}${n.port === undefined ? "" : ` port ${n.port}`} as ${n.asn};`,
    `  hold time ${hold};`,
    ...(hold === 0 ? [] : [`  keepalive time ${Math.max(1, Math.floor(hold / 3))};`]),
    // Lab sessions should come up in about a second, and retry quickly after a failure.
    "  connect delay time 1;",
    "  connect retry time 2;",
    "  error wait time 1, 4;",
    ...(n.passive === true ? ["  passive on;"] : []),
    ...(n.password === undefined ? [] : [`  password "${n.password}";`]),
    ...(n.multihop === undefined ? ["  direct;"] : [`  multihop ${n.multihop};`]),
    n.gracefulRestart === true ? `  graceful restart on;\n  graceful restart time ${n.gracefulRestartTime ?? 120};` : "  graceful restart off;",
    ...families.map((f) => `  ${f} { import all; export ${n.export === "none" ? "none" : `filter originated${f === "ipv4" ? 4 : 6}`}; };`),
    ...(extra === undefined ? [] : [extra]),
    "}",
  ];
  return lines.join("\n");
}
