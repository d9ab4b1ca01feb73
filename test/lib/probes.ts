// The kernel-side oracles of layer 2 tests, run from an observer namespace:
// `arping` (which MAC answers an ARP request), `ping` (IPv4 and IPv6, so NDP
// resolution happens in the observer's kernel) and the neighbour table
// (`ip -j neigh`). Deliberately thin: they report what the tools saw and leave
// the verdict to the test. Latency numbers from Debian's arping are ~0.5 ms
// high (lab.md): use tcpdump timestamps for timing.
import type { Namespace } from "./netns.ts";

export interface ArpingOptions {
  readonly ifname: string;
  readonly ip: string;
  /** Requests to send (-c). Default 2. */
  readonly count?: number | undefined;
  /** Overall deadline in whole seconds (-w). Default 3. */
  readonly deadline?: number | undefined;
  /** Source address (-s); default: the interface's. */
  readonly source?: string | undefined;
}

export interface ArpReply {
  readonly ip: string;
  /** Lower-case MAC of the answering host. */
  readonly mac: string;
}

export interface ArpingResult {
  readonly replies: readonly ArpReply[];
  /** Distinct MACs that answered, in order of first reply. */
  readonly macs: readonly string[];
}

export async function arping(ns: Namespace, options: ArpingOptions): Promise<ArpingResult> {
  const argv = ["-I", options.ifname, "-c", String(options.count ?? 2), "-w", String(options.deadline ?? 3)];
  if (options.source !== undefined) argv.push("-s", options.source);
  argv.push(options.ip);
  // arping exits 1 when nobody answered: that is a result, not a failure.
  const r = await ns.exec("arping", argv, { allowFailure: true, timeout: ((options.deadline ?? 3) + 5) * 1000 });
  return parseArping(r.stdout);
}

const arpReply = /reply from (\S+) \[([0-9A-Fa-f:]{17})\]/;

export function parseArping(stdout: string): ArpingResult {
  const replies: ArpReply[] = [];
  for (const line of stdout.split("\n")) {
    const m = arpReply.exec(line);
    if (m !== null) replies.push({ ip: m[1] as string, mac: (m[2] as string).toLowerCase() });
  }
  return { replies, macs: [...new Set(replies.map((r) => r.mac))] };
}

export interface PingOptions {
  readonly ip: string;
  /** Outgoing interface (-I), required for link-local destinations. */
  readonly ifname?: string | undefined;
  readonly count?: number | undefined;
  /** Overall deadline in whole seconds (-w). Default 3. */
  readonly deadline?: number | undefined;
}

export interface PingResult {
  readonly transmitted: number;
  readonly received: number;
}

export async function ping(ns: Namespace, options: PingOptions): Promise<PingResult> {
  const count = options.count ?? 1;
  const argv = [options.ip.includes(":") ? "-6" : "-4", "-n", "-c", String(count), "-w", String(options.deadline ?? 3), "-i", "0.2"];
  if (options.ifname !== undefined) argv.push("-I", options.ifname);
  argv.push(options.ip);
  const r = await ns.exec("ping", argv, { allowFailure: true, timeout: ((options.deadline ?? 3) + 5) * 1000 });
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
  return { transmitted: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0) };
}

export interface Neighbour {
  readonly ip: string;
  /** Lower-case MAC, undefined for INCOMPLETE/FAILED entries. */
  readonly mac: string | undefined;
  readonly ifname: string;
  /** Kernel NUD states, e.g. ["REACHABLE"], ["STALE"], ["FAILED"]. */
  readonly state: readonly string[];
}

/** The namespace's neighbour table (ARP and NDP), optionally for one interface or family. */
export async function neighbours(ns: Namespace, options: { readonly ifname?: string; readonly family?: "ipv4" | "ipv6" } = {}): Promise<Neighbour[]> {
  const args = [options.family === "ipv6" ? "-6" : options.family === "ipv4" ? "-4" : "", "-j", "neigh", "show"].filter((a) => a !== "");
  if (options.ifname !== undefined) args.push("dev", options.ifname);
  const r = await ns.ip(args);
  const raw = JSON.parse(r.stdout || "[]") as { dst: string; dev?: string; lladdr?: string; state?: string[] }[];
  return raw.map((n) => ({ ip: n.dst, mac: n.lladdr?.toLowerCase(), ifname: n.dev ?? options.ifname ?? "", state: n.state ?? [] }));
}

/** The MAC the namespace's kernel currently maps `ip` to, if any. */
export async function neighbourMac(ns: Namespace, ip: string, ifname?: string): Promise<string | undefined> {
  const list = await neighbours(ns, ifname === undefined ? {} : { ifname });
  return list.find((n) => n.ip === ip && n.mac !== undefined && !n.state.includes("FAILED"))?.mac;
}
