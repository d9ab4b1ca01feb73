// Network namespaces of one playground run, named `ilbpg-<pid>-<tag>` so a
// run knows its own and a later run can tell a leftover (its pid no longer
// runs, e.g. after SIGKILL) from another playground that is still running.
// Everything the playground builds lives inside these namespaces: veth pairs
// are created directly inside their two namespaces, so the host's root
// namespace never gains an interface, an address or a route.
//
// Deletion: processes still inside a namespace (`ip netns pids`) get SIGTERM,
// then SIGKILL, by pid; then the namespace is deleted, which removes its
// interfaces with it.
import { spawnSync } from "node:child_process";
import { Child, pidAlive, run, runQuiet, signal, waitUntil } from "./processes.ts";

const PREFIX = "ilbpg-";
const NAME = /^ilbpg-(\d+)-[a-z0-9-]+$/;

export function runPrefix(pid = process.pid): string {
  return `${PREFIX}${pid}-`;
}

export class Netns {
  constructor(readonly name: string) {}

  /** `ip -n NAME ARGS`. */
  async ip(args: readonly string[]): Promise<string> {
    return (await run("ip", ["-n", this.name, ...args])).stdout;
  }

  /** Runs a command inside the namespace. */
  exec(cmd: string, args: readonly string[], options: { readonly allowFailure?: boolean; readonly timeoutMs?: number; readonly input?: string } = {}) {
    return run("ip", ["netns", "exec", this.name, cmd, ...args], options);
  }

  /** Starts a daemon inside the namespace (`ip netns exec` execs it, so the pid is the daemon's). */
  spawn(label: string, cmd: string, args: readonly string[], logFile: string, env?: Readonly<Record<string, string>>): Child {
    return new Child(label, "ip", ["netns", "exec", this.name, cmd, ...args], logFile, env);
  }

  async sysctl(values: Readonly<Record<string, string | number>>): Promise<void> {
    await this.exec("sysctl", ["-q", "-w", ...Object.entries(values).map(([k, v]) => `${k}=${v}`)]);
  }

  async mac(ifname: string): Promise<string> {
    const links = JSON.parse(await this.ip(["-j", "link", "show", ifname])) as { address?: string }[];
    return (links[0]?.address ?? "").toLowerCase();
  }

  async pids(): Promise<number[]> {
    const r = await run("ip", ["netns", "pids", this.name], { allowFailure: true });
    return r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  }
}

export class NetnsSet {
  readonly prefix: string;
  readonly #owned: Netns[] = [];

  constructor(prefix = runPrefix()) {
    this.prefix = prefix;
  }

  get names(): readonly string[] {
    return this.#owned.map((n) => n.name);
  }

  /** Creates `<prefix><tag>` with loopback up and IPv6 DAD off (addresses usable at once). */
  async create(tag: string): Promise<Netns> {
    const ns = new Netns(`${this.prefix}${tag}`);
    await run("ip", ["netns", "add", ns.name]);
    this.#owned.push(ns);
    await ns.ip(["link", "set", "lo", "up"]);
    await ns.sysctl({ "net.ipv6.conf.all.accept_dad": 0, "net.ipv6.conf.default.accept_dad": 0 });
    return ns;
  }

  /** Deletes every namespace of this run, stopping what still runs inside first. Returns what could not be removed. */
  async deleteAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const ns of [...this.#owned].reverse()) {
      const left = (await ns.pids()).filter((p) => p !== process.pid);
      for (const pid of left) signal(pid, "SIGTERM");
      if (left.length > 0) {
        try {
          await waitUntil(() => left.every((p) => !pidAlive(p)), `processes in ${ns.name} to exit`, 1_000, 20);
        } catch {
          for (const pid of left) signal(pid, "SIGKILL");
        }
      }
      const r = await run("ip", ["netns", "del", ns.name], { allowFailure: true });
      if (r.code !== 0) problems.push(`ip netns del ${ns.name}: ${r.stderr.trim()}`);
    }
    this.#owned.length = 0;
    return problems;
  }

  /** Exit-time teardown: SIGKILL whatever is inside, delete, no waiting. */
  deleteAllSync(): void {
    for (const ns of this.#owned) {
      killInside(ns.name);
      runQuiet("ip", ["netns", "del", ns.name]);
    }
    this.#owned.length = 0;
  }
}

/** Removes namespaces of earlier playground runs whose process is gone. Returns their names. */
export async function sweepStale(): Promise<string[]> {
  const r = await run("ip", ["netns", "list"], { allowFailure: true });
  const removed: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = NAME.exec(name);
    if (m === null || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    killInside(name);
    runQuiet("ip", ["netns", "del", name]);
    removed.push(name);
  }
  return removed;
}

/** SIGKILL, by pid, for everything inside a namespace (synchronous: also used from exit handlers). */
function killInside(name: string): void {
  const r = spawnSync("ip", ["netns", "pids", name], { encoding: "utf8", timeout: 5_000 });
  const pids = (typeof r.stdout === "string" ? r.stdout : "").split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  for (const pid of pids) if (pid !== process.pid) signal(pid, "SIGKILL");
}
