// GoBGP 3 as a lab router: `gobgpd -f gobgpd.toml -t toml --api-hosts
// 127.0.0.1:50051 --pprof-disable -p` inside a namespace (each namespace has
// its own loopback, so the API port never collides), queried with `gobgp -j`.
// Originated routes go into the global RIB through the CLI after start (or in
// bulk with `injectMrt`, see gobgp-mrt.ts); export "originated" is a policy
// accepting only `route-type = local`, export "none" rejects everything.
// Quirk (lab.md): gobgpd waits 5 s plus up to 4 s of jitter before its first
// outbound connect whatever connect-retry says, so suites make the other side
// active and GoBGP passive when they can.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../errors.ts";
import { run } from "../exec.ts";
import type { Namespace } from "../netns.ts";
import type { LabProcess } from "../process.ts";
import { waitFor } from "../wait-for.ts";
import { parseCommunity, Router } from "./router.ts";
import type { Family, NeighborConfig, OriginatedRoute, RouteQuery, RoutePath, RouterConfig, SessionInfo, SessionState } from "./types.ts";

export const binaries = ["gobgpd", "gobgp"] as const;
const apiPort = 50051;

let cachedVersion: string | undefined;

/** "GoBGP 3.10.0" from `gobgpd --version`. */
export async function version(): Promise<string> {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = await run("gobgpd", ["--version"], { allowFailure: true });
  const m = /version (\S+)/.exec(`${r.stdout}${r.stderr}`);
  if (m === null) throw new LabError("LAB_ROUTER_FAILED", `cannot read gobgpd's version: ${r.stderr}`);
  cachedVersion = `GoBGP ${m[1]}`;
  return cachedVersion;
}

export async function start(ns: Namespace, config: RouterConfig): Promise<GobgpRouter> {
  return new GobgpRouter(ns, config, ns.lab.runDir("gobgp")).start();
}

export class GobgpRouter extends Router {
  readonly kind = "gobgp";

  version(): Promise<string> {
    return version();
  }

  /** `gobgp ARGS` against this daemon, e.g. ["global", "rib", "-a", "ipv4", "-j"]. */
  async cli(args: readonly string[], options: { readonly timeout?: number } = {}): Promise<string> {
    return (await this.ns.exec("gobgp", ["-u", "127.0.0.1", "-p", String(apiPort), ...args], { timeout: options.timeout })).stdout;
  }

  protected async launch(): Promise<LabProcess> {
    const conf = path.join(this.runDir, "gobgpd.toml");
    writeFileSync(conf, gobgpConfig(this.config));
    const proc = this.ns.spawn("gobgpd", ["-f", conf, "-t", "toml", "--api-hosts", `127.0.0.1:${apiPort}`, "--pprof-disable", "-p"]);
    await waitFor(
      async () => {
        if (!proc.running) throw new LabError("LAB_ROUTER_FAILED", `gobgpd exited (${JSON.stringify(proc.exitInfo)}): ${proc.output().trim()}`);
        await this.cli(["global", "-j"]);
        return true;
      },
      { what: `gobgpd in ${this.ns.name} to answer on its API`, timeout: 10_000, interval: 30, ignoreErrors: true },
    );
    for (const r of this.config.routes ?? []) await this.addRoute(r);
    return proc;
  }

  /** Adds a route to the global RIB (announced to neighbors whose export is "originated"). */
  async addRoute(r: OriginatedRoute): Promise<void> {
    const v6 = r.prefix.includes(":");
    const args = ["global", "rib", "add", "-a", v6 ? "ipv6" : "ipv4", r.prefix];
    if (r.nextHop !== undefined) args.push("nexthop", r.nextHop);
    // One argument each, comma-separated: a repeated keyword is a parse error.
    if ((r.communities ?? []).length > 0) args.push("community", (r.communities ?? []).map((c) => parseCommunity(c, 2).join(":")).join(","));
    if ((r.largeCommunities ?? []).length > 0) args.push("large-community", (r.largeCommunities ?? []).map((c) => parseCommunity(c, 3).join(":")).join(","));
    if (r.localPref !== undefined) args.push("local-pref", String(r.localPref));
    if (r.med !== undefined) args.push("med", String(r.med));
    await this.cli(args);
  }

  async deleteRoute(prefix: string): Promise<void> {
    await this.cli(["global", "rib", "del", "-a", prefix.includes(":") ? "ipv6" : "ipv4", prefix]);
  }

  async sessions(): Promise<SessionInfo[]> {
    const list = JSON.parse((await this.cli(["neighbor", "-j"])) || "[]") as GobgpNeighbor[];
    return list.map((n) => {
      const state = gobgpState(n.state?.session_state);
      return {
        peer: n.state?.neighbor_address ?? n.conf?.neighbor_address ?? "",
        state,
        established: state === "established",
        detail: `session_state ${String(n.state?.session_state ?? "?")}`,
        peerCapabilities: state === "established" ? (n.state?.remote_cap ?? []).flatMap(capabilityName) : [],
        holdTime: n.timers?.state?.negotiated_hold_time,
      };
    });
  }

  async routes(query: RouteQuery = {}): Promise<RoutePath[]> {
    const families: Family[] = query.prefix !== undefined ? [query.prefix.includes(":") ? "ipv6" : "ipv4"] : query.family !== undefined ? [query.family] : ["ipv4", "ipv6"];
    const out: RoutePath[] = [];
    for (const family of families) {
      const args = ["global", "rib", "-a", family, ...(query.prefix === undefined ? [] : [query.prefix]), "-j"];
      const r = await this.ns.exec("gobgp", ["-u", "127.0.0.1", "-p", String(apiPort), ...args], { allowFailure: true });
      // A prefix that is not in the RIB is an error exit ("network not in table").
      if (r.code !== 0 || r.stdout.trim() === "") continue;
      const rib = JSON.parse(r.stdout) as Record<string, GobgpPath[]>;
      for (const [prefix, paths] of Object.entries(rib)) {
        for (const p of paths) {
          if (p["neighbor-ip"] === undefined) continue; // our own originated routes
          out.push(toRoutePath(prefix, family, p));
        }
      }
    }
    return out;
  }
}

interface GobgpNeighbor {
  conf?: { neighbor_address?: string };
  state?: { neighbor_address?: string; session_state?: number | string; remote_cap?: { type_url: string; value?: string }[] };
  timers?: { state?: { negotiated_hold_time?: number } };
}

interface GobgpAttr {
  type: number;
  value?: unknown;
  as_paths?: { segment_type: number; asns: number[] }[];
  nexthop?: string;
  nexthops?: string[];
  link_local_nexthop?: string;
  metric?: number;
  local_pref?: number;
  communities?: number[];
}

interface GobgpPath {
  best?: boolean;
  stale?: boolean;
  attrs?: GobgpAttr[];
  "neighbor-ip"?: string;
}

// apipb.PeerState_SessionState: 1 idle ... 6 established (older builds print names).
const stateByNumber: SessionState[] = ["idle", "idle", "connect", "active", "opensent", "openconfirm", "established"];

function gobgpState(s: number | string | undefined): SessionState {
  if (typeof s === "number") return stateByNumber[s] ?? "idle";
  const name = (s ?? "").toLowerCase().replace(/^bgp_fsm_/, "").replace(/_/g, "");
  return (stateByNumber.includes(name as SessionState) ? name : "idle") as SessionState;
}

const capabilityNames: Record<string, string> = {
  RouteRefreshCapability: "route-refresh",
  RouteRefreshCiscoCapability: "route-refresh-cisco",
  EnhancedRouteRefreshCapability: "enhanced-route-refresh",
  GracefulRestartCapability: "graceful-restart",
  FourOctetASNCapability: "4-octet-as",
  AddPathCapability: "add-path",
  ExtendedNexthopCapability: "extended-next-hop",
  LongLivedGracefulRestartCapability: "long-lived-graceful-restart",
  FqdnCapability: "fqdn",
  ExtendedMessageCapability: "extended-message",
};

function capabilityName(cap: { type_url: string; value?: string }): string[] {
  const type = cap.type_url.split(".").pop() ?? "";
  if (type === "MultiProtocolCapability") {
    // protobuf: family { afi: varint (field 1), safi: varint (field 2) }
    const b = Buffer.from(cap.value ?? "", "base64");
    const afi = b.indexOf(0x08) >= 0 ? b[b.indexOf(0x08) + 1] : undefined;
    return [afi === 1 ? "mp:ipv4-unicast" : afi === 2 ? "mp:ipv6-unicast" : `mp:afi-${afi ?? "?"}`];
  }
  if (type === "UnknownCapability") return ["unknown"];
  return [capabilityNames[type] ?? type];
}

function toRoutePath(prefix: string, family: Family, p: GobgpPath): RoutePath {
  const attr = (type: number): GobgpAttr | undefined => p.attrs?.find((a) => a.type === type);
  const origin = attr(1)?.value;
  const mp = attr(14);
  const nextHops = mp !== undefined ? [...(mp.nexthops ?? (mp.nexthop === undefined ? [] : [mp.nexthop])), ...(mp.link_local_nexthop === undefined ? [] : [mp.link_local_nexthop])] : attr(3)?.nexthop === undefined ? [] : [attr(3)?.nexthop as string];
  const large = (attr(32)?.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[];
  return {
    prefix,
    family,
    peer: p["neighbor-ip"],
    nextHops,
    asPath: (attr(2)?.as_paths ?? []).flatMap((s) => s.asns),
    origin: origin === 0 ? "igp" : origin === 1 ? "egp" : origin === 2 ? "incomplete" : undefined,
    med: attr(4)?.metric,
    localPref: attr(5)?.value as number | undefined,
    communities: (attr(8)?.communities ?? []).map((c) => `${Math.floor(c / 65536)}:${c % 65536}`),
    largeCommunities: large.map((l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`),
    stale: p.stale === true,
    best: p.best === true,
  };
}

export function gobgpConfig(c: RouterConfig): string {
  const q = JSON.stringify;
  const lines = [
    "# Written by the IronLB lab harness (test/lib/routers/gobgp.ts).",
    "[global.config]",
    `  as = ${c.asn}`,
    `  router-id = ${q(c.routerId)}`,
    `  port = ${c.listen?.port ?? 179}`,
    ...(c.listen?.address === undefined ? [] : [`  local-address-list = [${q(c.listen.address)}]`]),
    "",
    "[[policy-definitions]]",
    '  name = "originated-only"',
    "  [[policy-definitions.statements]]",
    '    name = "local-routes"',
    "    [policy-definitions.statements.conditions.bgp-conditions]",
    '      route-type = "local"',
    "    [policy-definitions.statements.actions]",
    '      route-disposition = "accept-route"',
  ];
  for (const n of c.neighbors) lines.push(...neighbor(n));
  return `${lines.join("\n")}\n`;
}

function neighbor(n: NeighborConfig): string[] {
  const q = JSON.stringify;
  const hold = n.holdTime ?? 90;
  const families = n.families ?? ["ipv4", "ipv6"];
  return [
    "",
    "[[neighbors]]",
    "  [neighbors.config]",
    `    neighbor-address = ${q(n.address)}`,
    `    peer-as = ${n.asn}`,
    ...(n.password === undefined ? [] : [`    auth-password = ${q(n.password)}`]),
    "  [neighbors.timers.config]",
    `    hold-time = ${hold}`,
    `    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`,
    "    connect-retry = 2",
    "    idle-hold-time-after-reset = 1",
    "  [neighbors.transport.config]",
    `    passive-mode = ${n.passive === true}`,
    ...(n.localAddress === undefined ? [] : [`    local-address = ${q(n.localAddress)}`]),
    ...(n.port === undefined ? [] : [`    remote-port = ${n.port}`]),
    ...(n.multihop === undefined ? [] : ["  [neighbors.ebgp-multihop.config]", "    enabled = true", `    multihop-ttl = ${n.multihop}`]),
    ...(n.gracefulRestart === true ? ["  [neighbors.graceful-restart.config]", "    enabled = true", `    restart-time = ${n.gracefulRestartTime ?? 120}`] : []),
    "  [neighbors.apply-policy.config]",
    ...(n.export === "none" ? [] : ['    export-policy-list = ["originated-only"]']),
    '    default-export-policy = "reject-route"',
    '    default-import-policy = "accept-route"',
    ...families.flatMap((f) => [
      "  [[neighbors.afi-safis]]",
      "    [neighbors.afi-safis.config]",
      `      afi-safi-name = "${f}-unicast"`,
      ...(n.gracefulRestart === true ? ["    [neighbors.afi-safis.mp-graceful-restart.config]", "      enabled = true"] : []),
    ]),
  ];
}
