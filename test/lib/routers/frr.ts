// FRR 8 bgpd as a lab router, without zebra: `/usr/lib/frr/bgpd -Z -S -f
// bgpd.conf -i bgpd.pid --vty_socket RUNDIR -A 127.0.0.1 [-l ADDR] [-p PORT]`
// inside a namespace; `-S` skips the switch to the frr user (`-u root` fails),
// `--vty_socket RUNDIR` gives every instance its own vtysh socket (no `-N`
// pathspace and no /var/run/frr needed), and queries go through
// `vtysh --vty_socket RUNDIR -d bgpd -c '... json'`.
// Config: `no bgp ebgp-requires-policy` (RFC 8212 would otherwise block
// everything on eBGP), `no bgp network import-check` (originate without a
// route in a RIB that zebra would fill), originated routes as `network`
// statements with a per-prefix route-map for their attributes, and an
// outbound route-map that passes only routes with an empty AS_PATH (our own).
// Quirks: FRR re-sends its table ~5 s after start (route-map delay-timer,
// lab.md). Without zebra bgpd knows no interfaces, so it treats an IPv6 route
// whose MP_REACH carries a link-local next hop (what BIRD, and any speaker on
// a shared link, sends) as withdrawn and then resets the session ("wrong
// prefix length 128 for afi 1"); `zebra: true` runs zebra beside bgpd in the
// namespace (its own zserv socket in the run dir) so such routes are accepted.
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../errors.ts";
import { run } from "../exec.ts";
import type { Namespace } from "../netns.ts";
import type { LabProcess } from "../process.ts";
import { waitFor } from "../wait-for.ts";
import { parseCommunity, Router } from "./router.ts";
import type { Family, NeighborConfig, OriginatedRoute, RouteQuery, RoutePath, RouterConfig, SessionInfo, SessionState } from "./types.ts";

export const bgpd = "/usr/lib/frr/bgpd";
export const zebraDaemon = "/usr/lib/frr/zebra";
export const binaries = [bgpd, zebraDaemon, "vtysh"] as const;

export interface FrrOptions {
  /** Raw lines inserted in `router bgp` (e.g. "coalesce-time 100" for the bench). */
  readonly extraRouterBgp?: readonly string[] | undefined;
  /** Run zebra too (needed to accept IPv6 routes with a link-local next hop). Default false: bgpd -Z. */
  readonly zebra?: boolean | undefined;
}

let cachedVersion: string | undefined;

/** "FRR 8.4.4" from `bgpd --version`. */
export async function version(): Promise<string> {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = await run(bgpd, ["--version"], { allowFailure: true });
  const m = /bgpd version (\S+)/.exec(`${r.stdout}${r.stderr}`);
  if (m === null) throw new LabError("LAB_ROUTER_FAILED", `cannot read FRR's version: ${r.stderr}`);
  cachedVersion = `FRR ${m[1]}`;
  return cachedVersion;
}

export async function start(ns: Namespace, config: RouterConfig, options: FrrOptions = {}): Promise<FrrRouter> {
  return new FrrRouter(ns, config, ns.lab.runDir("frr"), options).start();
}

export class FrrRouter extends Router {
  readonly kind = "frr";
  private zebra: LabProcess | undefined;

  constructor(ns: Namespace, config: RouterConfig, runDir: string, private readonly options: FrrOptions = {}) {
    super(ns, config, runDir);
  }

  version(): Promise<string> {
    return version();
  }

  /** One vtysh command against this bgpd, e.g. "show bgp summary json". */
  async vtysh(...commands: string[]): Promise<string> {
    const args = ["--vty_socket", this.runDir, "-d", "bgpd"];
    for (const c of commands) args.push("-c", c);
    return (await this.ns.exec("vtysh", args)).stdout;
  }

  protected async launch(): Promise<LabProcess> {
    const conf = path.join(this.runDir, "bgpd.conf");
    writeFileSync(conf, frrConfig(this.config, this.options));
    const zserv = path.join(this.runDir, "zserv.api");
    if (this.options.zebra === true && this.zebra?.running !== true) this.zebra = await this.startZebra(zserv);
    const args = [...(this.options.zebra === true ? ["-z", zserv] : ["-Z"]), "-S", "-f", conf, "-i", path.join(this.runDir, "bgpd.pid"), "--vty_socket", this.runDir, "-A", "127.0.0.1", "--log", "stdout"];
    if (this.config.listen?.address !== undefined) args.push("-l", this.config.listen.address);
    if (this.config.listen?.port !== undefined) args.push("-p", String(this.config.listen.port));
    const proc = this.ns.spawn(bgpd, args);
    await waitFor(
      async () => {
        if (!proc.running) throw new LabError("LAB_ROUTER_FAILED", `bgpd exited (${JSON.stringify(proc.exitInfo)}): ${proc.output().trim()}`);
        JSON.parse(await this.vtysh("show bgp summary json"));
        return true;
      },
      { what: `FRR bgpd in ${this.ns.name} to answer vtysh`, timeout: 15_000, interval: 50, ignoreErrors: true },
    );
    return proc;
  }

  private async startZebra(zserv: string): Promise<LabProcess> {
    const conf = path.join(this.runDir, "zebra.conf");
    writeFileSync(conf, "! Written by the IronLB lab harness (test/lib/routers/frr.ts).\nhostname ironlb-lab-zebra\n");
    // zebra cannot skip its switch to the frr user (no -S; root is not in the frrvty
    // group), so its run dir must be reachable and writable for that user.
    chmodSync(path.dirname(this.runDir), 0o711);
    await run("chown", ["frr:frr", this.runDir]);
    const proc = this.ns.spawn(zebraDaemon, ["-f", conf, "-i", path.join(this.runDir, "zebra.pid"), "-z", zserv, "--vty_socket", this.runDir, "-A", "127.0.0.1", "--log", "stdout"]);
    await waitFor(
      () => {
        if (!proc.running) throw new LabError("LAB_ROUTER_FAILED", `zebra exited (${JSON.stringify(proc.exitInfo)}): ${proc.output().trim()}`);
        return existsSync(zserv);
      },
      { what: `zebra in ${this.ns.name} to open its zserv socket`, timeout: 10_000, interval: 20 },
    );
    return proc;
  }

  /** Stops bgpd and, when it runs, zebra. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.zebra?.stop();
  }

  /** Restarts bgpd only (zebra keeps running, as after a bgpd crash on a real router). */
  override async restart(): Promise<void> {
    await super.stop();
    await this.start();
  }

  async sessions(): Promise<SessionInfo[]> {
    const all = JSON.parse((await this.vtysh("show bgp neighbors json")) || "{}") as Record<string, FrrNeighbor>;
    return Object.entries(all).map(([peer, n]) => {
      const state = (n.bgpState ?? "idle").toLowerCase() as SessionState;
      return {
        peer,
        state,
        established: state === "established",
        detail: [n.bgpState, n.lastResetDueTo, n.lastNotificationReason].filter((x) => x !== undefined).join(" / "),
        peerCapabilities: state === "established" ? capabilities(n.neighborCapabilities ?? {}) : [],
        holdTime: n.bgpTimerHoldTimeMsecs === undefined ? undefined : n.bgpTimerHoldTimeMsecs / 1000,
      };
    });
  }

  async routes(query: RouteQuery = {}): Promise<RoutePath[]> {
    const families: Family[] = query.prefix !== undefined ? [query.prefix.includes(":") ? "ipv6" : "ipv4"] : query.family !== undefined ? [query.family] : ["ipv4", "ipv6"];
    const out: RoutePath[] = [];
    for (const family of families) {
      // The per-prefix and "detail" views carry communities; the plain table view does not.
      const cmd = query.prefix !== undefined ? `show bgp ${family} unicast ${query.prefix} json` : `show bgp ${family} unicast json detail`;
      const parsed = JSON.parse((await this.vtysh(cmd)) || "{}") as FrrTable;
      const tables: [string, FrrPath[]][] = query.prefix !== undefined ? (parsed.paths === undefined ? [] : [[query.prefix, parsed.paths]]) : Object.entries(parsed.routes ?? {}).map(([p, v]) => [p, Array.isArray(v) ? v : (v.paths ?? [])]);
      for (const [prefix, paths] of tables) {
        for (const p of paths) {
          const peer = p.peer?.peerId;
          if (peer === undefined || peer === "(unspec)" || peer === "0.0.0.0" || peer === "::") continue; // our own networks
          out.push(toRoutePath(prefix, family, p));
        }
      }
    }
    return out;
  }
}

interface FrrNeighbor {
  bgpState?: string;
  bgpTimerHoldTimeMsecs?: number;
  lastResetDueTo?: string;
  lastNotificationReason?: string;
  neighborCapabilities?: Record<string, unknown>;
}

interface FrrPath {
  valid?: boolean;
  bestpath?: { overall?: boolean } | boolean;
  aspath?: { string?: string; segments?: { list?: number[] }[] };
  path?: string;
  origin?: string;
  med?: number;
  metric?: number;
  locPrf?: number;
  localpref?: number;
  community?: { string?: string };
  largeCommunity?: { string?: string };
  stale?: boolean;
  nexthops?: { ip: string; scope?: string }[];
  peer?: { peerId?: string };
}

interface FrrTable {
  routes?: Record<string, FrrPath[] | { paths?: FrrPath[] }>;
  paths?: FrrPath[];
}

function received(v: unknown): boolean {
  if (typeof v === "string") return /received/i.test(v);
  if (typeof v === "object" && v !== null) return Object.entries(v).some(([k, x]) => /received/i.test(k) ? x !== false : received(x));
  return false;
}

const capabilityKeys: Record<string, string> = {
  "4byteAs": "4-octet-as",
  routeRefresh: "route-refresh",
  enhancedRouteRefresh: "enhanced-route-refresh",
  gracefulRestart: "graceful-restart",
  gracefulRestartCapability: "graceful-restart",
  extendedMessage: "extended-message",
  addPath: "add-path",
  extendedNexthop: "extended-next-hop",
  longLivedGracefulRestart: "long-lived-graceful-restart",
  hostName: "fqdn",
};

function capabilities(caps: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(caps)) {
    if (key === "multiprotocolExtensions" && typeof value === "object" && value !== null) {
      for (const [af, v] of Object.entries(value)) if (received(v)) out.push(af === "ipv4Unicast" ? "mp:ipv4-unicast" : af === "ipv6Unicast" ? "mp:ipv6-unicast" : `mp:${af}`);
    } else if (key === "hostName" ? typeof value === "object" && value !== null && "rcvHostName" in value : received(value)) {
      const name = capabilityKeys[key];
      if (name !== undefined && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

function toRoutePath(prefix: string, family: Family, p: FrrPath): RoutePath {
  const asText = p.aspath?.string ?? p.path ?? "";
  const best = typeof p.bestpath === "object" ? p.bestpath.overall === true : p.bestpath === true;
  const origin = (p.origin ?? "").toLowerCase();
  const hops = p.nexthops ?? [];
  return {
    prefix,
    family,
    peer: p.peer?.peerId,
    nextHops: [...hops.filter((h) => h.scope !== "link-local"), ...hops.filter((h) => h.scope === "link-local")].map((h) => h.ip),
    asPath: asText.replace(/[{}(),]/g, " ").split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number),
    origin: origin === "igp" || origin === "egp" || origin === "incomplete" ? origin : undefined,
    med: p.med ?? p.metric,
    localPref: p.locPrf ?? p.localpref,
    communities: (p.community?.string ?? "").split(/\s+/).filter((s) => /^\d+:\d+$/.test(s)),
    largeCommunities: (p.largeCommunity?.string ?? "").split(/\s+/).filter((s) => /^\d+:\d+:\d+$/.test(s)),
    stale: p.stale === true,
    best,
  };
}

export function frrConfig(c: RouterConfig, options: FrrOptions = {}): string {
  const routes = c.routes ?? [];
  const lines = ["! Written by the IronLB lab harness (test/lib/routers/frr.ts).", "frr defaults traditional", "hostname ironlb-lab-frr", "log stdout informational", "!", "bgp as-path access-list OWN seq 5 permit ^$", "!"];
  lines.push("route-map ORIGINATED permit 10", " match as-path OWN", "exit", "route-map NOTHING deny 10", "exit", "!");
  // A route-map only for routes with attributes: thousands of route-maps make bgpd take minutes to start.
  const plain = (r: OriginatedRoute) => r.communities === undefined && r.largeCommunities === undefined && r.localPref === undefined && r.med === undefined && r.nextHop === undefined;
  routes.forEach((r, i) => {
    if (plain(r)) return;
    lines.push(`route-map NET${i} permit 10`);
    if (r.communities !== undefined && r.communities.length > 0) lines.push(` set community ${r.communities.map((x) => parseCommunity(x, 2).join(":")).join(" ")}`);
    if (r.largeCommunities !== undefined && r.largeCommunities.length > 0) lines.push(` set large-community ${r.largeCommunities.map((x) => parseCommunity(x, 3).join(":")).join(" ")}`);
    if (r.localPref !== undefined) lines.push(` set local-preference ${r.localPref}`);
    if (r.med !== undefined) lines.push(` set metric ${r.med}`);
    if (r.nextHop !== undefined) lines.push(r.nextHop.includes(":") ? ` set ipv6 next-hop global ${r.nextHop}` : ` set ip next-hop ${r.nextHop}`);
    lines.push("exit");
  });
  lines.push("!", `router bgp ${c.asn}`, ` bgp router-id ${c.routerId}`, " no bgp ebgp-requires-policy", " no bgp network import-check", " no bgp default ipv4-unicast");
  const gr = c.neighbors.find((n) => n.gracefulRestart === true);
  if (gr !== undefined) lines.push(" bgp graceful-restart", ` bgp graceful-restart restart-time ${gr.gracefulRestartTime ?? 120}`, ` bgp graceful-restart stalepath-time ${gr.gracefulRestartTime ?? 120}`);
  lines.push(...(options.extraRouterBgp ?? []).map((l) => ` ${l}`));
  for (const n of c.neighbors) lines.push(...neighbor(n));
  for (const family of ["ipv4", "ipv6"] as const) {
    lines.push(` address-family ${family} unicast`);
    routes.forEach((r, i) => {
      if (r.prefix.includes(":") === (family === "ipv6")) lines.push(`  network ${r.prefix}${plain(r) ? "" : ` route-map NET${i}`}`);
    });
    for (const n of c.neighbors) {
      if (!(n.families ?? ["ipv4", "ipv6"]).includes(family)) continue;
      lines.push(`  neighbor ${n.address} activate`, `  neighbor ${n.address} route-map ${n.export === "none" ? "NOTHING" : "ORIGINATED"} out`);
    }
    lines.push(" exit-address-family");
  }
  lines.push("exit", "!");
  return `${lines.join("\n")}\n`;
}

function neighbor(n: NeighborConfig): string[] {
  const a = n.address;
  const hold = n.holdTime ?? 90;
  return [
    ` neighbor ${a} remote-as ${n.asn}`,
    ` neighbor ${a} timers ${Math.max(1, Math.floor(hold / 3))} ${hold}`,
    ` neighbor ${a} timers connect 2`,
    ...(n.port === undefined ? [] : [` neighbor ${a} port ${n.port}`]),
    ...(n.passive === true ? [` neighbor ${a} passive`] : []),
    ...(n.password === undefined ? [] : [` neighbor ${a} password ${n.password}`]),
    ...(n.multihop === undefined ? [] : [` neighbor ${a} ebgp-multihop ${n.multihop}`]),
    ...(n.localAddress === undefined ? [] : [` neighbor ${a} update-source ${n.localAddress}`]),
    // Helper mode is FRR's default: switch it off so "no graceful restart" means no capability at all.
    ...(n.gracefulRestart === true ? [] : [` neighbor ${a} graceful-restart-disable`]),
  ];
}
