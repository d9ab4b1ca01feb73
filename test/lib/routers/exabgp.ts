// ExaBGP 4.2 as a lab router: `exabgp exabgp.conf` inside a namespace with
// env exabgp.daemon.user=root, exabgp.api.cli=false,
// exabgp.log.destination=stdout (and exabgp.tcp.bind/port when it must
// listen). ExaBGP keeps no RIB, so an API process (a small Node script
// written into the run dir) appends every JSON message ExaBGP emits (state
// changes, received OPENs and UPDATEs) to events.jsonl, and this wrapper
// rebuilds sessions and routes from that log; a peer's routes are dropped when
// its session goes down (ExaBGP does not keep stale routes). The same script
// relays commands written to its unix socket (api.sock) to ExaBGP, which is
// how announce()/withdraw() change what ExaBGP sends at run time.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { LabError } from "../errors.ts";
import { run } from "../exec.ts";
import type { Namespace } from "../netns.ts";
import type { LabProcess } from "../process.ts";
import { findBinary } from "../prereq.ts";
import { waitFor } from "../wait-for.ts";
import { parseCommunity, Router } from "./router.ts";
import type { NeighborConfig, OriginatedRoute, RouteQuery, RoutePath, RouterConfig, SessionInfo, SessionState } from "./types.ts";

export const binaries = ["exabgp", "node"] as const;

let cachedVersion: string | undefined;

/** "ExaBGP 4.2.21" from `exabgp --version`. */
export async function version(): Promise<string> {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = await run("exabgp", ["--version"], { allowFailure: true });
  const m = /ExaBGP\s*:\s*(\S+)/.exec(`${r.stdout}${r.stderr}`);
  if (m === null) throw new LabError("LAB_ROUTER_FAILED", `cannot read ExaBGP's version: ${r.stdout}${r.stderr}`);
  cachedVersion = `ExaBGP ${m[1]}`;
  return cachedVersion;
}

export async function start(ns: Namespace, config: RouterConfig): Promise<ExabgpRouter> {
  return new ExabgpRouter(ns, config, ns.lab.runDir("exabgp")).start();
}

// The API process: ExaBGP's JSON on stdin goes to events.jsonl; lines from
// clients of api.sock go to stdout, which ExaBGP reads as commands.
const apiScript = `
import { appendFileSync, rmSync } from "node:fs";
import net from "node:net";
import { createInterface } from "node:readline";
const dir = process.argv[2];
const events = dir + "/events.jsonl";
createInterface({ input: process.stdin })
  .on("line", (line) => appendFileSync(events, line + "\\n"))
  .on("close", () => process.exit(0));
rmSync(dir + "/api.sock", { force: true });
net.createServer((c) => createInterface({ input: c }).on("line", (l) => process.stdout.write(l + "\\n"))).listen(dir + "/api.sock");
`;

export class ExabgpRouter extends Router {
  readonly kind = "exabgp";
  private readonly events: string;

  constructor(ns: Namespace, config: RouterConfig, runDir: string) {
    super(ns, config, runDir);
    this.events = path.join(runDir, "events.jsonl");
  }

  version(): Promise<string> {
    return version();
  }

  protected async launch(): Promise<LabProcess> {
    const conf = path.join(this.runDir, "exabgp.conf");
    writeFileSync(path.join(this.runDir, "api.mjs"), apiScript);
    writeFileSync(conf, exabgpConfig(this.config, this.runDir));
    writeFileSync(this.events, ""); // a restart starts a new history
    const env: Record<string, string> = {
      "exabgp.daemon.user": "root",
      "exabgp.api.cli": "false",
      "exabgp.api.ack": "false",
      "exabgp.log.destination": "stdout",
      // ExaBGP only listens when told where.
      "exabgp.tcp.bind": this.config.listen?.address ?? "",
      "exabgp.tcp.port": String(this.config.listen?.port ?? 179),
    };
    const proc = this.ns.spawn("exabgp", [conf], { env });
    await waitFor(
      () => {
        if (!proc.running) throw new LabError("LAB_ROUTER_FAILED", `exabgp exited (${JSON.stringify(proc.exitInfo)}): ${proc.output().trim()}`);
        return existsSync(path.join(this.runDir, "api.sock"));
      },
      { what: `ExaBGP in ${this.ns.name} to start its API process`, timeout: 15_000, interval: 50 },
    );
    return proc;
  }

  /** Sends an API command, e.g. "announce route 198.51.100.7/32 next-hop self". */
  async command(line: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const c = net.createConnection(path.join(this.runDir, "api.sock"), () => c.end(`${line}\n`, () => resolve()));
      c.on("error", reject);
    });
  }

  async announce(r: OriginatedRoute): Promise<void> {
    await this.command(`announce route ${routeText(r)}`);
  }

  async withdraw(prefix: string): Promise<void> {
    await this.command(`withdraw route ${prefix} next-hop self`);
  }

  /** Every JSON message ExaBGP has emitted since the (re)start, in order. */
  messages(): ExaMessage[] {
    if (!existsSync(this.events)) return [];
    const out: ExaMessage[] = [];
    for (const line of readFileSync(this.events, "utf8").split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line) as ExaMessage);
      } catch {
        // a line cut by a concurrent append; it is complete on the next read
      }
    }
    return out;
  }

  async sessions(): Promise<SessionInfo[]> {
    const state = new Map<string, { state: SessionState; detail: string; caps: string[]; hold: number | undefined }>();
    for (const n of this.config.neighbors) state.set(n.address, { state: "idle", detail: "no event yet", caps: [], hold: undefined });
    for (const m of this.messages()) {
      const peer = m.neighbor?.address?.peer;
      const s = peer === undefined ? undefined : state.get(peer);
      if (s === undefined) continue;
      if (m.type === "state") {
        const st = m.neighbor?.state;
        s.state = st === "up" ? "established" : st === "connected" ? "opensent" : "idle";
        s.detail = [st, m.neighbor?.reason].filter((x) => x !== undefined).join(": ");
      } else if (m.type === "open" && m.neighbor?.direction === "receive") {
        const open = m.neighbor.open;
        s.caps = Object.values(open?.capabilities ?? {}).flatMap(capabilityName);
        const ours = this.config.neighbors.find((n) => n.address === peer)?.holdTime ?? 90;
        s.hold = Math.min(ours, open?.hold_time ?? ours);
      }
    }
    return [...state].map(([peer, s]) => ({ peer, state: s.state, established: s.state === "established", detail: s.detail, peerCapabilities: s.state === "established" ? s.caps : [], holdTime: s.hold }));
  }

  async routes(query: RouteQuery = {}): Promise<RoutePath[]> {
    const rib = new Map<string, RoutePath>(); // peer + prefix -> path
    for (const m of this.messages()) {
      const peer = m.neighbor?.address?.peer;
      if (peer === undefined) continue;
      if (m.type === "state" && m.neighbor?.state === "down") {
        for (const k of [...rib.keys()]) if (k.startsWith(`${peer} `)) rib.delete(k);
        continue;
      }
      const update = m.type === "update" ? m.neighbor?.message?.update : undefined;
      if (update === undefined) continue;
      for (const [fam, list] of Object.entries(update.withdraw ?? {})) {
        if (!fam.endsWith(" unicast")) continue;
        for (const w of list) rib.delete(`${peer} ${w.nlri}`);
      }
      const a = update.attribute ?? {};
      for (const [fam, byNextHop] of Object.entries(update.announce ?? {})) {
        if (!fam.endsWith(" unicast")) continue;
        for (const [nh, list] of Object.entries(byNextHop)) {
          for (const { nlri } of list) {
            rib.set(`${peer} ${nlri}`, {
              prefix: nlri,
              family: fam.startsWith("ipv6") ? "ipv6" : "ipv4",
              peer,
              nextHops: nh.split(",").map((s) => s.trim()),
              asPath: (a["as-path"] ?? []).flat(),
              origin: a.origin,
              med: a.med,
              localPref: a["local-preference"],
              communities: (a.community ?? []).map((c) => c.join(":")),
              largeCommunities: (a["large-community"] ?? []).map((c) => c.join(":")),
              stale: false,
              best: true,
            });
          }
        }
      }
    }
    return [...rib.values()].filter((r) => (query.family === undefined || r.family === query.family) && (query.prefix === undefined || r.prefix === query.prefix));
  }
}

export interface ExaMessage {
  type: string;
  neighbor?: {
    address?: { local?: string; peer?: string };
    state?: string;
    reason?: string;
    direction?: string;
    open?: { hold_time?: number; capabilities?: Record<string, { name?: string; families?: string[] }> };
    message?: {
      update?: {
        attribute?: {
          origin?: "igp" | "egp" | "incomplete";
          "as-path"?: (number | number[])[];
          med?: number;
          "local-preference"?: number;
          community?: number[][];
          "large-community"?: number[][];
        };
        announce?: Record<string, Record<string, { nlri: string }[]>>;
        withdraw?: Record<string, { nlri: string }[]>;
      };
    };
  };
}

const capabilityNames: Record<string, string> = {
  "route-refresh": "route-refresh",
  "enhanced-route-refresh": "enhanced-route-refresh",
  "graceful restart": "graceful-restart",
  asn4: "4-octet-as",
  "extended-message": "extended-message",
  "add-path": "add-path",
  nexthop: "extended-next-hop",
  hostname: "fqdn",
};

function capabilityName(c: { name?: string; families?: string[] }): string[] {
  if (c.name === "multiprotocol") return (c.families ?? []).map((f) => `mp:${f.replace("/", "-")}`);
  const n = capabilityNames[c.name ?? ""];
  return n === undefined ? [] : [n];
}

function routeText(r: OriginatedRoute): string {
  const parts = [r.prefix, "next-hop", r.nextHop ?? "self"];
  if ((r.communities ?? []).length > 0) parts.push("community", `[ ${(r.communities ?? []).map((c) => parseCommunity(c, 2).join(":")).join(" ")} ]`);
  if ((r.largeCommunities ?? []).length > 0) parts.push("large-community", `[ ${(r.largeCommunities ?? []).map((c) => parseCommunity(c, 3).join(":")).join(" ")} ]`);
  if (r.med !== undefined) parts.push("med", String(r.med));
  if (r.localPref !== undefined) parts.push("local-preference", String(r.localPref));
  return parts.join(" ");
}

export function exabgpConfig(c: RouterConfig, runDir: string): string {
  const node = findBinary("node") ?? process.execPath;
  const lines = [
    "# Written by the IronLB lab harness (test/lib/routers/exabgp.ts).",
    "process ironlb-api {",
    `  run ${node} ${path.join(runDir, "api.mjs")} ${runDir};`,
    "  encoder json;",
    "}",
  ];
  for (const n of c.neighbors) lines.push(...neighbor(c, n));
  return `${lines.join("\n")}\n`;
}

function neighbor(c: RouterConfig, n: NeighborConfig): string[] {
  const local = n.localAddress ?? c.listen?.address;
  if (local === undefined) throw new LabError("LAB_BAD_ARGUMENT", `ExaBGP needs localAddress for neighbor ${n.address}`);
  const families = n.families ?? ["ipv4", "ipv6"];
  const routes = n.export === "none" ? [] : (c.routes ?? []);
  const section = (f: string, body: string[]) => (body.length === 0 ? [] : [`   ${f} {`, ...body, "   }"]);
  const byFamily = (v6: boolean) => routes.filter((r) => r.prefix.includes(":") === v6).map((r) => `    unicast ${routeText(r)};`);
  return [
    `neighbor ${n.address} {`,
    `  router-id ${c.routerId};`,
    `  local-address ${local};`,
    `  local-as ${c.asn};`,
    `  peer-as ${n.asn};`,
    `  hold-time ${n.holdTime ?? 90};`,
    ...(n.passive === true ? ["  passive true;"] : []),
    ...(n.port === undefined ? [] : [`  connect ${n.port};`]),
    ...(n.password === undefined ? [] : [`  md5-password "${n.password}";`]),
    ...(n.multihop === undefined ? [] : [`  outgoing-ttl ${n.multihop};`]),
    `  family { ${families.map((f) => `${f} unicast;`).join(" ")} }`,
    `  capability { route-refresh;${n.gracefulRestart === true ? ` graceful-restart ${n.gracefulRestartTime ?? 120};` : ""} }`,
    "  api { processes [ ironlb-api ]; neighbor-changes; receive { parsed; update; open; notification; } }",
    ...(routes.length === 0 ? [] : ["  announce {", ...section("ipv4", byFamily(false)), ...section("ipv6", byFamily(true)), "  }"]),
    "}",
  ];
}
