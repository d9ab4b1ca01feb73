// Network namespaces for end-to-end suites and benchmarks, run as root.
//
// A Lab owns everything it creates: namespaces (names unique to the run, see
// names.ts), veth pairs between them, bridged segments (the bridge in its own
// namespace, so a segment looks like a switch with N hosts), addresses from the
// lab's address plan (addresses.ts), processes started inside namespaces
// (tracked by pid) and a temp dir for run files. `cleanup()` tears all of it
// down, idempotently: tracked processes get SIGTERM then SIGKILL, anything else
// still inside a namespace (`ip netns pids`) is killed by pid, namespaces are
// deleted (their interfaces go with them), the temp dir is removed. A Lab is
// also registered for last-resort cleanup on exit and signals (last-resort.ts).
//
// Deliberately: nothing is ever created in the root namespace, nothing is
// looked up or killed by name, and no fixed sleeps (waits poll, wait-for.ts).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { allocateSubnet, type Host, type Subnet } from "./addresses.ts";
import { LabError } from "./errors.ts";
import { run, runSync, type ExecOptions, type ExecResult } from "./exec.ts";
import { track, untrack } from "./last-resort.ts";
import { interfaceName, killNamespacePids, namespaceName, pidAlive, sweepStaleOnce, tempPrefix } from "./names.ts";
import { LabProcess, type SpawnOptions } from "./process.ts";
import { waitFor } from "./wait-for.ts";

export interface LabOptions {
  /** Shown in temp dir names; namespaces carry their own tags. */
  readonly tag?: string | undefined;
}

/** One end of a link: an interface inside a namespace, with the addresses the lab gave it. */
export interface Endpoint {
  readonly ns: Namespace;
  readonly ifname: string;
  /** MAC as the kernel reports it, lower case ("02:ab:..."). */
  readonly mac: string;
  /** Addresses from the link's subnet; undefined when the link was created without one. */
  readonly host: Host | undefined;
}

export interface VethLink {
  readonly a: Endpoint;
  readonly b: Endpoint;
  readonly subnet: Subnet | undefined;
}

export interface LinkOptions {
  /** Subnet for the link's addresses (hosts .1/.2 on a veth, .1.. on a segment). Default: a fresh one. `false`: no addresses. */
  readonly subnet?: Subnet | false | undefined;
  readonly mtu?: number | undefined;
}

export interface LinkInfo {
  readonly ifname: string;
  readonly mac: string;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Kernel operstate: "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN". */
  readonly operstate: string;
  readonly mtu: number;
  readonly master: string | undefined;
  readonly addresses: readonly { readonly family: "inet" | "inet6"; readonly address: string; readonly prefixlen: number; readonly scope: string }[];
}

export class Namespace {
  constructor(
    readonly lab: Lab,
    readonly name: string,
  ) {}

  /** `ip netns exec NAME cmd args...` with captured output; throws LAB_EXEC_FAILED on non-zero exit unless allowFailure. */
  exec(cmd: string, args: readonly string[] = [], options?: ExecOptions): Promise<ExecResult> {
    this.lab.assertOpen();
    return run("ip", ["netns", "exec", this.name, cmd, ...args], options);
  }

  /** `ip -n NAME args...`: iproute2 without the cost of an exec into the namespace. */
  ip(args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    this.lab.assertOpen();
    return run("ip", ["-n", this.name, ...args], options);
  }

  /**
   * Starts a long-running process inside the namespace, tracked by pid and
   * stopped by the lab's cleanup. `ip netns exec` execs the command, so the pid
   * is the command's own.
   */
  spawn(cmd: string, args: readonly string[] = [], options?: SpawnOptions): LabProcess {
    this.lab.assertOpen();
    const proc = new LabProcess(`${path.basename(cmd)} in ${this.name}`, "ip", ["netns", "exec", this.name, cmd, ...args], options);
    this.lab.adopt(proc);
    return proc;
  }

  /** Adds an address; IPv6 addresses get `nodad` so they are usable at once. */
  async addAddress(ifname: string, cidr: string): Promise<void> {
    await this.ip(["addr", "add", cidr, "dev", ifname, ...(cidr.includes(":") ? ["nodad"] : [])]);
  }

  async removeAddress(ifname: string, cidr: string): Promise<void> {
    await this.ip(["addr", "del", cidr, "dev", ifname]);
  }

  /** `ip route replace DEST [via GW] [dev IF]`; `dest` may be "default" (with `family`). */
  async addRoute(dest: string, options: { readonly via?: string; readonly dev?: string; readonly family?: "ipv4" | "ipv6" }): Promise<void> {
    const v6 = options.family === "ipv6" || dest.includes(":") || (options.via?.includes(":") ?? false);
    await this.ip([
      v6 ? "-6" : "-4",
      "route",
      "replace",
      dest,
      ...(options.via === undefined ? [] : ["via", options.via]),
      ...(options.dev === undefined ? [] : ["dev", options.dev]),
    ]);
  }

  /** Sets sysctls inside the namespace, e.g. `{ "net.ipv4.conf.IF.arp_accept": 1 }`. */
  async sysctl(settings: Readonly<Record<string, string | number>>): Promise<void> {
    const pairs = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
    if (pairs.length > 0) await this.exec("sysctl", ["-q", "-w", ...pairs]);
  }

  async readSysctl(key: string): Promise<string> {
    return (await this.exec("sysctl", ["-n", key])).stdout.trim();
  }

  /** Link up/down (link-cut tests), MAC and MTU changes. */
  async setLink(ifname: string, options: { readonly up?: boolean; readonly mac?: string; readonly mtu?: number }): Promise<void> {
    const args = ["link", "set", "dev", ifname];
    if (options.mac !== undefined) args.push("address", options.mac);
    if (options.mtu !== undefined) args.push("mtu", String(options.mtu));
    if (options.up !== undefined) args.push(options.up ? "up" : "down");
    await this.ip(args);
  }

  async link(ifname: string): Promise<LinkInfo> {
    const r = await this.ip(["-j", "addr", "show", "dev", ifname]);
    const [raw] = JSON.parse(r.stdout) as RawLink[];
    if (raw === undefined) throw new LabError("LAB_EXEC_FAILED", `no interface ${ifname} in ${this.name}`);
    return {
      ifname: raw.ifname,
      mac: (raw.address ?? "").toLowerCase(),
      up: raw.flags.includes("UP"),
      operstate: raw.operstate,
      mtu: raw.mtu,
      master: raw.master,
      addresses: (raw.addr_info ?? []).map((a) => ({ family: a.family, address: a.local, prefixlen: a.prefixlen, scope: a.scope })),
    };
  }

  /** The interface's IPv6 link-local address, once the kernel has assigned it. */
  async linkLocal(ifname: string, options: { readonly timeout?: number } = {}): Promise<string> {
    return waitFor(
      async () => (await this.link(ifname)).addresses.find((a) => a.family === "inet6" && a.scope === "link")?.address,
      { timeout: options.timeout ?? 5_000, what: `an IPv6 link-local address on ${ifname} in ${this.name}` },
    );
  }

  /** Pids of every process inside the namespace. */
  async pids(): Promise<number[]> {
    const r = await run("ip", ["netns", "pids", this.name], { allowFailure: true });
    return r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  }
}

export class Lab {
  private readonly owned: Namespace[] = [];
  private readonly procs = new Set<LabProcess>();
  private tmp: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: LabOptions = {}) {}

  get namespaces(): readonly Namespace[] {
    return this.owned;
  }

  /** Processes started through this lab's namespaces that are still running. */
  get processes(): readonly LabProcess[] {
    return [...this.procs].filter((p) => p.running);
  }

  /**
   * Creates a namespace `ilb-<pid>-<n>-<tag>` with loopback up, IPv6 DAD off
   * (link-local addresses usable at once) and IPv6 addresses kept across
   * link down/up (so link-cut tests can restore a link as it was).
   */
  async namespace(tag?: string): Promise<Namespace> {
    this.assertOpen();
    this.start();
    const ns = new Namespace(this, namespaceName(tag));
    await run("ip", ["netns", "add", ns.name]);
    this.owned.push(ns);
    await ns.ip(["link", "set", "lo", "up"]);
    await ns.sysctl({
      "net.ipv6.conf.all.accept_dad": 0,
      "net.ipv6.conf.default.accept_dad": 0,
      "net.ipv6.conf.all.keep_addr_on_down": 1,
      "net.ipv6.conf.default.keep_addr_on_down": 1,
    });
    return ns;
  }

  /** A fresh /24 + /64 from the link plan. */
  subnet(): Subnet {
    return allocateSubnet();
  }

  /** A veth pair between two namespaces, both ends up; with a subnet, `a` gets host 1 and `b` host 2. */
  async veth(a: Namespace, b: Namespace, options: LinkOptions = {}): Promise<VethLink> {
    this.assertOpen();
    const subnet = options.subnet === false ? undefined : (options.subnet ?? this.subnet());
    const [ea, eb] = await this.pair(a, b, options.mtu, [subnet?.host(1), subnet?.host(2)]);
    return { a: ea, b: eb, subnet };
  }

  /**
   * A shared L2 segment: a bridge in its own namespace (no STP, multicast
   * snooping off so NDP multicast reaches every member whatever MLD state the
   * bridge has seen) and one veth per member. Member i gets host i+1.
   */
  async segment(members: readonly Namespace[] = [], options: LinkOptions & { readonly multicastSnooping?: boolean } = {}): Promise<Segment> {
    this.assertOpen();
    const ns = await this.namespace("bridge");
    const bridge = interfaceName();
    await ns.ip(["link", "add", bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", options.multicastSnooping === true ? "1" : "0"]);
    await ns.ip(["link", "set", bridge, "up"]);
    const subnet = options.subnet === false ? undefined : (options.subnet ?? this.subnet());
    const segment = new Segment(this, ns, bridge, subnet, options.mtu);
    for (const m of members) await segment.add(m);
    return segment;
  }

  /** A directory for one daemon's files, under the lab's temp dir (removed by cleanup). */
  runDir(tag: string): string {
    this.assertOpen();
    this.start();
    const dir = mkdtempSync(path.join(this.tempRoot(), `${tag}-`));
    return dir;
  }

  /** @internal veth creation shared by veth() and Segment.add(). */
  async pair(a: Namespace, b: Namespace, mtu: number | undefined, hosts: readonly [Host | undefined, Host | undefined]): Promise<[Endpoint, Endpoint]> {
    const ifa = interfaceName();
    const ifb = interfaceName();
    // Created directly inside both namespaces: the root namespace never sees these names.
    await run("ip", ["link", "add", ifa, "netns", a.name, ...(mtu === undefined ? [] : ["mtu", String(mtu)]), "type", "veth", "peer", "name", ifb, "netns", b.name]);
    if (mtu !== undefined) await b.ip(["link", "set", ifb, "mtu", String(mtu)]);
    const ends: Endpoint[] = [];
    for (const [ns, ifname, host] of [
      [a, ifa, hosts[0]],
      [b, ifb, hosts[1]],
    ] as const) {
      if (host !== undefined) {
        await ns.addAddress(ifname, host.v4Cidr);
        await ns.addAddress(ifname, host.v6Cidr);
      }
      await ns.setLink(ifname, { up: true });
      ends.push({ ns, ifname, mac: (await ns.link(ifname)).mac, host });
    }
    return [ends[0] as Endpoint, ends[1] as Endpoint];
  }

  /** @internal Namespace.spawn registers its processes here. */
  adopt(proc: LabProcess): void {
    this.procs.add(proc);
    void proc.exited.then(() => this.procs.delete(proc));
  }

  /** @internal */
  assertOpen(): void {
    if (this.closing !== undefined) throw new LabError("LAB_CLEANED_UP", "this lab has been cleaned up");
  }

  /** Tears everything down (idempotent; concurrent calls share one teardown). */
  cleanup(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  /** Synchronous teardown for exit and signal handlers: SIGKILL, no grace. */
  cleanupSync(): void {
    this.closing ??= Promise.resolve();
    untrack(this);
    for (const p of this.procs) p.killNow();
    for (const ns of this.owned) {
      killNamespacePids(ns.name);
      runSync("ip", ["netns", "del", ns.name]);
    }
    this.owned.length = 0;
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
  }

  private async teardown(): Promise<void> {
    untrack(this);
    const problems: string[] = [];
    await Promise.all([...this.procs].map((p) => p.stop({ grace: 2_000 })));
    for (const ns of this.owned) {
      // Whatever the tracked processes left behind (children, daemons that forked).
      const left = (await ns.pids()).filter((pid) => pid !== process.pid);
      for (const pid of left) signal(pid, "SIGTERM");
      if (left.length > 0) {
        try {
          await waitFor(() => left.every((pid) => !pidAlive(pid)), { timeout: 1_000, interval: 20, what: `processes ${left.join(",")} in ${ns.name} to exit` });
        } catch {
          for (const pid of left) signal(pid, "SIGKILL");
        }
      }
      const del = await run("ip", ["netns", "del", ns.name], { allowFailure: true });
      if (del.code !== 0) problems.push(`ip netns del ${ns.name}: ${del.stderr.trim()}`);
    }
    this.owned.length = 0;
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
    if (problems.length > 0) throw new LabError("LAB_EXEC_FAILED", `cleanup incomplete: ${problems.join("; ")}`);
  }

  private start(): void {
    if (this.owned.length === 0 && this.tmp === undefined) {
      sweepStaleOnce();
      track(this);
    }
  }

  private tempRoot(): string {
    this.tmp ??= mkdtempSync(`${tempPrefix()}${this.options.tag ?? "lab"}-`);
    mkdirSync(this.tmp, { recursive: true });
    return this.tmp;
  }
}

/** A bridged L2 segment; members can join later (a speaker that starts late). */
export class Segment {
  private readonly joined: SegmentMember[] = [];

  constructor(
    private readonly lab: Lab,
    /** The namespace holding the bridge (the "switch"). */
    readonly bridgeNs: Namespace,
    readonly bridge: string,
    readonly subnet: Subnet | undefined,
    private readonly mtu: number | undefined,
  ) {}

  get members(): readonly SegmentMember[] {
    return this.joined;
  }

  /** Connects `ns` to the bridge; it gets the next host address of the segment's subnet. */
  async add(ns: Namespace): Promise<SegmentMember> {
    this.lab.assertOpen();
    const host = this.subnet?.host(this.joined.length + 1);
    const [member, port] = await this.lab.pair(ns, this.bridgeNs, this.mtu, [host, undefined]);
    await this.bridgeNs.ip(["link", "set", port.ifname, "master", this.bridge]);
    const m: SegmentMember = { ...member, port: port.ifname };
    this.joined.push(m);
    return m;
  }

  /** Cuts (or restores) a member's cable at the switch: its bridge port goes down, its own interface stays up. */
  async setPort(member: SegmentMember, up: boolean): Promise<void> {
    await this.bridgeNs.setLink(member.port, { up });
  }
}

export interface SegmentMember extends Endpoint {
  /** The member's port on the bridge (an interface in `bridgeNs`). */
  readonly port: string;
}

interface RawLink {
  ifname: string;
  address?: string;
  flags: string[];
  operstate: string;
  mtu: number;
  master?: string;
  addr_info?: { family: "inet" | "inet6"; local: string; prefixlen: number; scope: string }[];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}
