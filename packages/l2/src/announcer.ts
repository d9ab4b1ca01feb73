// The layer 2 announcer: owns one ARP and one NDP packet connection per
// eligible interface, answers for the IPs it is told to announce, announces
// them at takeover, and watches for other hosts claiming them.
//
// The speaker drives it declaratively: `announce(set)` takes the whole
// desired set {ip -> interfaces} each time (house style 19), and the
// announcer works out what changed:
// - a new IP is probed for (unless told to skip), then announced: answered on
//   its interfaces and announced with gratuitous ARP / unsolicited NA at once
//   and then every 1.1 s for 5 s (MetalLB's spamLoop, reference §3.1);
// - a removed IP is no longer answered and its solicited-node groups are left
//   (as MetalLB, no "release" packet is sent);
// - an IP whose interfaces changed is announced on the interfaces it gained.
// Unlike MetalLB, calling announce() again with an unchanged IP sends nothing:
// MetalLB restarts its 5 s burst on every reconcile of the service.
//
// Conflict detection (RFC 5227 for IPv4, RFC 4862 §5.4 DAD for IPv6; no
// MetalLB equivalent): before the first announcement the announcer sends
// `probe.count` ARP probes / DAD solicitations at short random intervals
// (defaults: a 0-20 ms start delay, 30-60 ms apart, then 100 ms of listening,
// so takeover waits about 160-240 ms instead of RFC 5227's 1-3 s of PROBE_WAIT
// plus ANNOUNCE_WAIT) and refuses to announce if another host claims the IP
// (event "refused"; it probes again after `conflictRetryMs`). While
// announcing, a claim from a foreign MAC is reported (event "conflict") and
// defended with one announcement at most every `defendIntervalMs` (RFC 5227
// §2.4 (b), DEFEND_INTERVAL).
//
// The failover trade-off: when an IP moves from a node that died or lost the
// election, the old owner may still answer for a moment (until it notices).
// A probe then sees its reply and refuses, turning a failover into an outage
// until the retry. The speaker therefore passes `conflictCheck: "skip"` when
// it takes over an IP that another node announced (failover, rebalancing) and
// keeps "probe" for IPs new to the cluster, where an answer can only come
// from a host outside it: the misconfiguration users ask to be told about.
// Skipping costs nothing on takeover time and loses no visibility: claims
// while announcing are still reported (during a failover, the old owner's
// last replies show up as conflict events, which is expected).
// Interfaces that appear later (rescan) get announcements but no probe.
//
// Deliberately not here: which node owns an IP (core/election), timers
// beyond the injected clock, any I/O except through the injected connections.
import { formatIp, parseIp, type IpAddress } from "@ironlb/core/ip";
import type { InterfaceFacts, PacketConn, ReceivedFrame } from "@ironlb/rawsock";
import { systemClock, type Clock, type TimerHandle } from "./clock.ts";
import { claimCandidates, claimOn, type Claim } from "./conflicts.ts";
import { zeroCounters, type IpCounters, type MutableCounters } from "./counters.ts";
import type { L2Event, L2EventSink, L2Protocol } from "./events.ts";
import { ARP_CONN, NDP_CONN, type ConnSpec } from "./filter.ts";
import { parseFrame, type ParsedFrame } from "./frames.ts";
import type { Mac } from "./mac.ts";
import { arpProbe, dadProbe, gratuitousArp, unsolicitedNeighborAdvertisement } from "./outgoing.ts";
import { Port } from "./port.ts";
import { answerArp, answerNdp, parseFailureReason, type DropReason, type Ownership, type PortView, type Verdict } from "./responder.ts";
import { DEFAULT_EXCLUDED_INTERFACES, selectInterfaces, type SkipReason } from "./selection.ts";
import type { KernelArpFactory } from "./kernel-arp.ts";

export interface Announcement {
  readonly ip: IpAddress;
  /** Interfaces to answer on; undefined = every eligible interface (an L2Advertisement without interfaces). */
  readonly interfaces?: readonly string[] | undefined;
  /** "probe" (default when probing is on) checks for a conflict first; "skip" takes over at once (failover). */
  readonly conflictCheck?: "probe" | "skip" | undefined;
}

export interface ProbeOptions {
  /** Probes per interface (RFC 5227 PROBE_NUM is 3). */
  readonly count: number;
  /** Random delay before the first probe, 0..this ms (RFC 5227 PROBE_WAIT is 1 s). */
  readonly initialDelayMaxMs: number;
  /** Random spacing between probes (RFC 5227 PROBE_MIN/PROBE_MAX are 1-2 s). */
  readonly intervalMinMs: number;
  readonly intervalMaxMs: number;
  /** Listening time after the last probe (RFC 5227 ANNOUNCE_WAIT is 2 s). */
  readonly answerWaitMs: number;
}

export const DEFAULT_PROBE: ProbeOptions = Object.freeze({ count: 3, initialDelayMaxMs: 20, intervalMinMs: 30, intervalMaxMs: 60, answerWaitMs: 100 });

export interface GratuitousOptions {
  /** Between rounds (MetalLB: 1100 ms, issue #172). */
  readonly intervalMs: number;
  /** Rounds go out while less than this has passed since takeover (MetalLB: 5 s). */
  readonly durationMs: number;
}

export const DEFAULT_GRATUITOUS: GratuitousOptions = Object.freeze({ intervalMs: 1100, durationMs: 5000 });

export interface L2AnnouncerOptions {
  /** Opens a packet connection on an interface (production: @ironlb/rawsock openPacketConn). */
  readonly openConn: (ifname: string, spec: ConnSpec) => PacketConn;
  /** The interfaces of this host (production: @ironlb/rawsock listInterfaces). */
  readonly listInterfaces: () => readonly InterfaceFacts[];
  readonly onEvent?: L2EventSink | undefined;
  readonly clock?: Clock | undefined;
  /** Uniform in [0, 1); injected for probe timing. */
  readonly random?: (() => number) | undefined;
  /** Interface names never answered on (default: MetalLB's excludel2 list). */
  readonly exclude?: readonly RegExp[] | undefined;
  /** Consider only these interfaces (default: every interface not excluded). A tool that answers on one interface opens no sockets elsewhere. */
  readonly only?: readonly string[] | undefined;
  /** Periodic interface rescan; 0 = only on rescan() (MetalLB: 10 s). */
  readonly rescanIntervalMs?: number | undefined;
  readonly gratuitous?: GratuitousOptions | undefined;
  /** Conflict probing before the first announcement; false turns it off. */
  readonly probe?: ProbeOptions | false | undefined;
  /** After a refused probe, probe again this much later; 0 = never. */
  readonly conflictRetryMs?: number | undefined;
  /** At most one defending announcement per IP and interface per this interval (RFC 5227 DEFEND_INTERVAL). */
  readonly defendIntervalMs?: number | undefined;
  /** O flag of solicited NAs (see responder.ts; MetalLB: false). */
  readonly solicitedOverride?: boolean | undefined;
  /**
   * Answers ARP in the kernel on each ARP interface (production: openKernelArpResponder).
   * Where it cannot be opened (no CAP_BPF, no XDP) the interface is answered from
   * user space as without it, and an "interface-error" event (not fatal) says why.
   */
  readonly kernelArp?: KernelArpFactory | undefined;
}

export interface RescanReport {
  readonly arp: readonly string[];
  readonly ndp: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: SkipReason }[];
  /** Connections that failed to open, with the RawsockError code (e.g. RAWSOCK_EPERM). */
  readonly errors: readonly { readonly interface: string; readonly protocol: L2Protocol; readonly code: string; readonly message: string }[];
}

export type IpState = "probing" | "announcing" | "refused";

export interface IpStatus {
  readonly ip: string;
  readonly state: IpState;
  readonly interfaces: readonly string[];
  readonly counters: IpCounters;
}

interface Entry {
  readonly ip: IpAddress;
  readonly key: string;
  requested: readonly string[] | undefined;
  conflictCheck: "probe" | "skip";
  state: IpState;
  /** Interfaces this IP is effective on now. */
  ports: Set<string>;
  /** Interfaces whose solicited-node group this IP holds (IPv6). */
  joined: Set<string>;
  /** Interfaces whose kernel ARP responder answers for this IP (IPv4). */
  kernelOn: Set<string>;
  /** Requests answered in the kernel on interfaces the IP has left (live ones are read from the responders). */
  kernelFolded: number;
  /** Of all requests answered in the kernel, how many "kernel-answered" events have reported. */
  kernelReported: number;
  probeTimer: TimerHandle | undefined;
  probesLeft: number;
  retryTimer: TimerHandle | undefined;
  /** ifname -> the running gratuitous schedule there */
  garp: Map<string, { timer: TimerHandle | undefined; round: number }>;
  /** ifname -> when we last defended there */
  lastDefend: Map<string, number>;
  missingReported: boolean;
  counters: MutableCounters;
}

const DEFAULT_RESCAN_MS = 10_000;
const DEFAULT_CONFLICT_RETRY_MS = 10_000;
const DEFAULT_DEFEND_MS = 10_000;

export class L2Announcer {
  readonly #o: L2AnnouncerOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #probe: ProbeOptions | false;
  readonly #garp: GratuitousOptions;
  readonly #ports = new Map<string, Port>();
  // formatted IP -> entry
  readonly #entries = new Map<string, Entry>();
  // family -> address value -> entry: the per-frame lookup, without formatting the IP
  readonly #byValue = { ipv4: new Map<bigint, Entry>(), ipv6: new Map<bigint, Entry>() };
  #ownMacs = new Set<Mac>();
  #rescanTimer: TimerHandle | undefined;
  #lastInterfaces = "";
  #closed = false;

  /** Scans the interfaces and opens connections at once (see rescan()). */
  constructor(options: L2AnnouncerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#probe = options.probe ?? DEFAULT_PROBE;
    this.#garp = options.gratuitous ?? DEFAULT_GRATUITOUS;
    this.lastRescan = this.rescan();
  }

  /** What the construction-time scan (or the latest rescan()) found. */
  lastRescan: RescanReport;

  /** Replaces the whole set of announced IPs. */
  announce(set: Iterable<Announcement>): void {
    this.#assertOpen();
    const desired = new Map<string, Announcement>();
    for (const a of set) {
      const key = formatIp(a.ip);
      const prev = desired.get(key);
      // The same IP twice: answer on the union; "all interfaces" wins.
      const interfaces = prev === undefined ? a.interfaces : prev.interfaces === undefined || a.interfaces === undefined ? undefined : [...new Set([...prev.interfaces, ...a.interfaces])];
      desired.set(key, { ip: a.ip, interfaces, conflictCheck: prev?.conflictCheck === "skip" ? "skip" : a.conflictCheck });
    }
    for (const [key, entry] of this.#entries) if (!desired.has(key)) this.#withdraw(entry);
    for (const [key, a] of desired) {
      const existing = this.#entries.get(key);
      if (existing !== undefined) {
        existing.requested = a.interfaces === undefined ? undefined : [...a.interfaces].sort();
        this.#refreshPorts(existing);
        continue;
      }
      const entry: Entry = {
        ip: a.ip,
        key,
        requested: a.interfaces === undefined ? undefined : [...a.interfaces].sort(),
        conflictCheck: a.conflictCheck ?? "probe",
        state: "probing",
        ports: new Set(),
        joined: new Set(),
        kernelOn: new Set(),
        kernelFolded: 0,
        kernelReported: 0,
        probeTimer: undefined,
        probesLeft: 0,
        retryTimer: undefined,
        garp: new Map(),
        lastDefend: new Map(),
        missingReported: false,
        counters: zeroCounters(),
      };
      this.#entries.set(key, entry);
      this.#byValue[a.ip.family].set(a.ip.value, entry);
      entry.ports = this.#effectivePorts(entry);
      this.#reportMissing(entry);
      this.#takeOver(entry);
    }
  }

  /**
   * Re-reads the interfaces: opens connections on interfaces that became
   * eligible, closes them on those that went away or changed, and moves
   * every IP accordingly. Runs periodically (rescanIntervalMs) and on demand.
   */
  rescan(): RescanReport {
    this.#assertOpen();
    const errors: { interface: string; protocol: L2Protocol; code: string; message: string }[] = [];
    const facts = this.#o.listInterfaces();
    this.#ownMacs = new Set(facts.map((f) => f.mac).filter((m): m is string => m !== undefined));
    const only = this.#o.only;
    const selection = selectInterfaces(only === undefined ? facts : facts.filter((f) => only.includes(f.name)), this.#o.exclude ?? DEFAULT_EXCLUDED_INTERFACES);
    const wanted = new Map(selection.filter((s) => s.arp || s.ndp).map((s) => [s.name, s]));
    for (const [name, port] of this.#ports) {
      const s = wanted.get(name);
      if (s === undefined || s.index !== port.ifindex || s.mac !== port.mac) this.#closePort(port);
    }
    for (const s of wanted.values()) {
      let port = this.#ports.get(s.name);
      if (port === undefined) {
        port = new Port(s.name, s.index, s.mac as Mac, s.linkLocal === undefined ? undefined : parseIp(s.linkLocal));
        this.#ports.set(s.name, port);
      }
      port.linkLocal = s.linkLocal === undefined ? undefined : parseIp(s.linkLocal);
      for (const [protocol, want] of [
        ["arp", s.arp],
        ["ndp", s.ndp],
      ] as const) {
        const has = port.conn(protocol) !== undefined;
        if (want && !has) {
          const err = this.#openConn(port, protocol);
          if (err !== undefined) errors.push(err);
        } else if (!want && has) this.#dropConn(port, protocol);
      }
      if (port.arp === undefined && port.ndp === undefined) this.#closePort(port);
    }
    for (const entry of this.#entries.values()) this.#refreshPorts(entry);
    const report: RescanReport = {
      arp: [...this.#ports.values()].filter((p) => p.arp !== undefined).map((p) => p.ifname),
      ndp: [...this.#ports.values()].filter((p) => p.ndp !== undefined).map((p) => p.ifname),
      skipped: selection.filter((s) => s.skipped !== undefined).map((s) => ({ name: s.name, reason: s.skipped as SkipReason })),
      errors,
    };
    const summary = JSON.stringify([report.arp, report.ndp, report.skipped]);
    if (summary !== this.#lastInterfaces) {
      this.#lastInterfaces = summary;
      this.#emit({ type: "interfaces", arp: report.arp, ndp: report.ndp, skipped: report.skipped });
    }
    this.lastRescan = report;
    this.#scheduleRescan();
    return report;
  }

  /** Per-IP state, interfaces and counters. */
  status(): IpStatus[] {
    return [...this.#entries.values()].map((e) => {
      const counters = { ...e.counters };
      for (const name of e.kernelOn) {
        const n = this.#ports.get(name)?.kernel?.answered(e.ip) ?? 0;
        counters.requestsReceived += n;
        counters.responsesSent += n;
      }
      return { ip: e.key, state: e.state, interfaces: [...e.ports].sort(), counters };
    });
  }

  /**
   * Emits a "kernel-answered" event for each IP the kernel fast path answered
   * requests for since the last call (the kernel counts in its map; nothing
   * wakes this process per request). Call it periodically; withdrawal and
   * close() report what is left.
   */
  reportKernelAnswers(): void {
    for (const entry of this.#entries.values()) this.#reportKernel(entry);
  }

  #reportKernel(entry: Entry): void {
    let total = entry.kernelFolded;
    for (const name of entry.kernelOn) {
      const kernel = this.#ports.get(name)?.kernel;
      if (kernel !== undefined) total += this.#kernelCall(name, () => kernel.answered(entry.ip)) ?? 0;
    }
    if (total <= entry.kernelReported) return;
    this.#emit({ type: "kernel-answered", ip: entry.key, answered: total - entry.kernelReported });
    entry.kernelReported = total;
  }

  /** Drop counters per interface (reason -> count), for diagnosis. */
  drops(): Record<string, Partial<Record<DropReason, number>>> {
    const out: Record<string, Partial<Record<DropReason, number>>> = {};
    for (const p of this.#ports.values()) out[p.ifname] = Object.fromEntries(p.drops);
    return out;
  }

  /** Solicited-node groups joined per interface. */
  memberships(): Record<string, string[]> {
    return Object.fromEntries([...this.#ports.values()].map((p) => [p.ifname, p.groups()]));
  }

  /** Stops answering, cancels every timer and closes every connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#rescanTimer !== undefined) this.#clock.clearTimeout(this.#rescanTimer);
    for (const entry of this.#entries.values()) {
      this.#stopTimers(entry);
      this.#reportKernel(entry);
    }
    for (const port of this.#ports.values()) port.closeKernel();
    this.#entries.clear();
    this.#byValue.ipv4.clear();
    this.#byValue.ipv6.clear();
    for (const port of this.#ports.values()) port.close();
    this.#ports.clear();
  }

  // --- interfaces ---------------------------------------------------------

  #openConn(port: Port, protocol: L2Protocol): RescanReport["errors"][number] | undefined {
    let conn: PacketConn;
    try {
      conn = this.#o.openConn(port.ifname, protocol === "arp" ? ARP_CONN : NDP_CONN);
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const failure = { interface: port.ifname, protocol, code: typeof e.code === "string" ? e.code : "UNKNOWN", message: String(e.message ?? err) };
      this.#emit({ type: "interface-error", ...failure, fatal: true });
      return failure;
    }
    if (protocol === "arp") {
      port.arp = conn;
      this.#openKernel(port);
    } else port.ndp = conn;
    port.track(conn.onFrame((frame) => this.#onFrame(port, protocol, conn, frame)));
    port.track(
      conn.onError((error, fatal) => {
        this.#emit({ type: "interface-error", interface: port.ifname, protocol, code: error.code, message: error.message, fatal });
        // A dead connection is dropped; the next rescan reopens it if the interface is back.
        if (fatal && port.conn(protocol) === conn) {
          this.#dropConn(port, protocol);
          for (const entry of this.#entries.values()) this.#refreshPorts(entry);
        }
      }),
    );
    return undefined;
  }

  #dropConn(port: Port, protocol: L2Protocol): void {
    // Memberships vanish with the NDP connection: forget which IPs held them.
    if (protocol === "ndp") for (const entry of this.#entries.values()) entry.joined.delete(port.ifname);
    else this.#dropKernel(port);
    port.closeConn(protocol);
  }

  #closePort(port: Port): void {
    for (const entry of this.#entries.values()) entry.joined.delete(port.ifname);
    this.#dropKernel(port);
    port.close();
    this.#ports.delete(port.ifname);
  }

  #scheduleRescan(): void {
    const every = this.#o.rescanIntervalMs ?? DEFAULT_RESCAN_MS;
    if (this.#rescanTimer !== undefined) this.#clock.clearTimeout(this.#rescanTimer);
    this.#rescanTimer = every > 0 ? this.#clock.setTimeout(() => this.#safeRescan(), every) : undefined;
  }

  #safeRescan(): void {
    this.#rescanTimer = undefined;
    if (this.#closed) return;
    try {
      this.rescan();
    } catch (err) {
      // Listing interfaces failed (sysfs unreadable?): keep what we have, try again later.
      this.#emit({ type: "interface-error", interface: "*", protocol: "arp", code: "L2_RESCAN_FAILED", message: String((err as Error).message ?? err), fatal: false });
      this.#scheduleRescan();
    }
  }

  /** Ports an IP is effective on: its requested interfaces that run its protocol. */
  #effectivePorts(entry: Entry): Set<string> {
    const out = new Set<string>();
    for (const port of this.#ports.values()) {
      const runs = entry.ip.family === "ipv4" ? port.arp !== undefined : port.ndp !== undefined && port.linkLocal !== undefined;
      if (runs && (entry.requested === undefined || entry.requested.includes(port.ifname))) out.add(port.ifname);
    }
    return out;
  }

  #reportMissing(entry: Entry): void {
    const missing = entry.requested !== undefined && entry.ports.size === 0;
    if (missing && !entry.missingReported) this.#emit({ type: "interfaces-missing", ip: entry.key, requested: entry.requested ?? [] });
    entry.missingReported = missing;
  }

  /** Moves an IP onto the interfaces it is effective on now. */
  #refreshPorts(entry: Entry): void {
    const next = this.#effectivePorts(entry);
    const gained = [...next].filter((p) => !entry.ports.has(p));
    for (const p of entry.ports) if (!next.has(p)) this.#stopGarp(entry, p);
    entry.ports = next;
    this.#reportMissing(entry);
    this.#sync(entry);
    if (entry.state === "announcing") for (const p of gained) this.#startGarp(entry, p);
  }

  /** Brings what the interfaces do for an IP in line with its state: NDP groups joined, kernel ARP answers. */
  #sync(entry: Entry): void {
    this.#syncMembership(entry);
    this.#syncKernel(entry);
  }

  #syncKernel(entry: Entry): void {
    if (entry.ip.family !== "ipv4") return;
    const want = entry.state === "announcing" ? entry.ports : new Set<string>();
    for (const name of [...entry.kernelOn]) {
      if (want.has(name)) continue;
      entry.kernelOn.delete(name);
      const kernel = this.#ports.get(name)?.kernel;
      if (kernel !== undefined) this.#fold(entry, this.#kernelCall(name, () => kernel.remove(entry.ip)) ?? 0);
    }
    for (const name of want) {
      if (entry.kernelOn.has(name)) continue;
      const kernel = this.#ports.get(name)?.kernel;
      if (kernel === undefined) continue;
      const added = this.#kernelCall(name, () => {
        kernel.add(entry.ip);
        return true;
      });
      if (added === true) entry.kernelOn.add(name);
    }
  }

  /** Counts requests the kernel answered into the IP's counters. */
  #fold(entry: Entry, answered: number): void {
    entry.counters.requestsReceived += answered;
    entry.counters.responsesSent += answered;
    entry.kernelFolded += answered;
  }

  #kernelCall<T>(ifname: string, call: () => T): T | undefined {
    try {
      return call();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      this.#emit({ type: "interface-error", interface: ifname, protocol: "arp", code: e.code ?? "UNKNOWN", message: `kernel ARP responder: ${String(e.message ?? err)}`, fatal: false });
      return undefined;
    }
  }

  #openKernel(port: Port): void {
    const factory = this.#o.kernelArp;
    if (factory === undefined || port.kernel !== undefined) return;
    port.kernel = this.#kernelCall(port.ifname, () => factory({ ifname: port.ifname, ifindex: port.ifindex, mac: port.mac }));
    if (port.kernel !== undefined) this.#emit({ type: "kernel-arp", interface: port.ifname, hook: port.kernel.hook });
  }

  /** Closes a port's kernel responder, keeping what it counted. */
  #dropKernel(port: Port): void {
    const kernel = port.kernel;
    if (kernel === undefined) return;
    for (const entry of this.#entries.values()) {
      if (!entry.kernelOn.delete(port.ifname)) continue;
      this.#fold(entry, this.#kernelCall(port.ifname, () => kernel.answered(entry.ip)) ?? 0);
    }
    port.closeKernel();
  }

  #syncMembership(entry: Entry): void {
    if (entry.ip.family !== "ipv6") return;
    const want = entry.state === "refused" ? new Set<string>() : entry.ports;
    for (const name of [...entry.joined]) {
      if (want.has(name)) continue;
      entry.joined.delete(name);
      this.#ports.get(name)?.leaveSolicitedNode(entry.ip);
    }
    for (const name of want) {
      if (entry.joined.has(name)) continue;
      const port = this.#ports.get(name);
      if (port === undefined) continue;
      try {
        port.joinSolicitedNode(entry.ip);
        entry.joined.add(name);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        this.#emit({ type: "interface-error", interface: name, protocol: "ndp", code: e.code ?? "UNKNOWN", message: String(e.message ?? err), fatal: false });
      }
    }
  }

  // --- takeover: probe, then announce --------------------------------------

  #takeOver(entry: Entry): void {
    if (this.#probe === false || entry.conflictCheck === "skip" || entry.ports.size === 0) {
      this.#startAnnouncing(entry, false);
      return;
    }
    const probe = this.#probe;
    entry.state = "probing";
    entry.probesLeft = probe.count;
    this.#sync(entry);
    this.#emit({ type: "probing", ip: entry.key, interfaces: [...entry.ports].sort() });
    entry.probeTimer = this.#clock.setTimeout(() => this.#probeTick(entry), this.#random() * probe.initialDelayMaxMs);
  }

  #probeTick(entry: Entry): void {
    entry.probeTimer = undefined;
    if (entry.state !== "probing" || this.#probe === false) return;
    const probe = this.#probe;
    if (entry.probesLeft === 0) {
      this.#startAnnouncing(entry, true);
      return;
    }
    for (const name of entry.ports) {
      const port = this.#ports.get(name);
      if (port === undefined) continue;
      const frame = entry.ip.family === "ipv4" ? arpProbe(entry.ip, port.mac) : dadProbe(entry.ip, port.mac);
      if (this.#send(port, entry.ip.family === "ipv4" ? "arp" : "ndp", frame)) entry.counters.probesSent++;
    }
    entry.probesLeft--;
    const wait = entry.probesLeft > 0 ? probe.intervalMinMs + this.#random() * (probe.intervalMaxMs - probe.intervalMinMs) : probe.answerWaitMs;
    entry.probeTimer = this.#clock.setTimeout(() => this.#probeTick(entry), wait);
  }

  #startAnnouncing(entry: Entry, probed: boolean): void {
    entry.state = "announcing";
    this.#sync(entry);
    this.#emit({ type: "announcing", ip: entry.key, interfaces: [...entry.ports].sort(), probed });
    for (const p of entry.ports) this.#startGarp(entry, p);
  }

  #refuse(entry: Entry, port: Port, claim: Claim): void {
    this.#stopTimers(entry);
    entry.state = "refused";
    this.#sync(entry);
    const retry = this.#o.conflictRetryMs ?? DEFAULT_CONFLICT_RETRY_MS;
    this.#emit({ type: "refused", ip: entry.key, interface: port.ifname, foreignMac: claim.mac, retryInMs: retry > 0 ? retry : undefined });
    if (retry > 0) {
      entry.retryTimer = this.#clock.setTimeout(() => {
        entry.retryTimer = undefined;
        if (this.#entries.get(entry.key) === entry) this.#takeOver(entry);
      }, retry);
    }
  }

  #withdraw(entry: Entry): void {
    this.#stopTimers(entry);
    this.#entries.delete(entry.key);
    this.#byValue[entry.ip.family].delete(entry.ip.value);
    entry.state = "refused";
    this.#sync(entry);
    this.#reportKernel(entry);
    this.#emit({ type: "withdrawn", ip: entry.key });
  }

  #stopTimers(entry: Entry): void {
    if (entry.probeTimer !== undefined) this.#clock.clearTimeout(entry.probeTimer);
    if (entry.retryTimer !== undefined) this.#clock.clearTimeout(entry.retryTimer);
    entry.probeTimer = undefined;
    entry.retryTimer = undefined;
    for (const name of [...entry.garp.keys()]) this.#stopGarp(entry, name);
  }

  // --- gratuitous announcements -------------------------------------------

  #startGarp(entry: Entry, ifname: string): void {
    this.#stopGarp(entry, ifname);
    const run = { timer: undefined as TimerHandle | undefined, round: 0 };
    entry.garp.set(ifname, run);
    const start = this.#clock.now();
    const tick = () => {
      run.timer = undefined;
      if (entry.garp.get(ifname) !== run || entry.state !== "announcing") return;
      const port = this.#ports.get(ifname);
      if (port !== undefined) this.#announceOnce(entry, port, ++run.round);
      // MetalLB: rounds go out while less than `duration` has passed since takeover.
      const next = run.round * this.#garp.intervalMs;
      if (next < this.#garp.durationMs) run.timer = this.#clock.setTimeout(tick, Math.max(0, start + next - this.#clock.now()));
      else entry.garp.delete(ifname);
    };
    tick();
  }

  #stopGarp(entry: Entry, ifname: string): void {
    const run = entry.garp.get(ifname);
    if (run?.timer !== undefined) this.#clock.clearTimeout(run.timer);
    entry.garp.delete(ifname);
  }

  /** One round on one interface: gratuitous request + reply, or one unsolicited NA. */
  #announceOnce(entry: Entry, port: Port, round: number): void {
    const v4 = entry.ip.family === "ipv4";
    let frames: Uint8Array[];
    if (v4) frames = gratuitousArp(entry.ip, port.mac);
    else if (port.linkLocal !== undefined) frames = [unsolicitedNeighborAdvertisement(entry.ip, port.mac, port.linkLocal)];
    else return;
    let sent = 0;
    for (const f of frames) if (this.#send(port, v4 ? "arp" : "ndp", f)) sent++;
    entry.counters.gratuitousSent += sent;
    if (sent > 0) this.#emit({ type: "gratuitous", protocol: v4 ? "arp" : "ndp", ip: entry.key, interface: port.ifname, round, frames: sent });
  }

  // --- receiving ----------------------------------------------------------

  #onFrame(port: Port, protocol: L2Protocol, conn: PacketConn, frame: ReceivedFrame): void {
    if (this.#closed || port.conn(protocol) !== conn) return;
    let parsed: ParsedFrame;
    try {
      parsed = parseFrame(frame.data);
    } catch (err) {
      port.countDrop(parseFailureReason(protocol, err));
      return;
    }
    this.#checkClaims(port, parsed);
    const verdict: Verdict =
      protocol === "arp"
        ? answerArp(parsed, frame.ifindex, port, this.#ownership)
        : answerNdp(parsed, frame.ifindex, port, this.#ownership, { solicitedOverride: this.#o.solicitedOverride });
    const entry = verdict.ip === undefined ? undefined : this.#byValue[verdict.ip.family].get(verdict.ip.value);
    let result: "replied" | DropReason;
    if (verdict.action === "reply") {
      result = "replied";
      if (this.#send(port, protocol, verdict.frame) && entry !== undefined) entry.counters.responsesSent++;
    } else {
      result = verdict.reason;
      port.countDrop(verdict.reason);
    }
    if (entry !== undefined && verdict.requester !== undefined && COUNTED.has(result)) {
      entry.counters.requestsReceived++;
      if (this.#o.onEvent !== undefined) this.#emit({ type: "request", protocol, ip: entry.key, interface: port.ifname, from: verdict.requester, result });
    }
  }

  readonly #ownership = (ip: IpAddress, port: PortView): Ownership => {
    const entry = this.#byValue[ip.family].get(ip.value);
    if (entry === undefined) return "unknown";
    if (entry.state !== "announcing") return "not-ready";
    return entry.ports.has(port.ifname) ? "here" : "other-interface";
  };

  #checkClaims(port: Port, parsed: ParsedFrame): void {
    for (const ip of claimCandidates(parsed)) {
      const entry = this.#byValue[ip.family].get(ip.value);
      if (entry === undefined || entry.state === "refused" || !entry.ports.has(port.ifname)) continue;
      const phase = entry.state === "probing" ? "probing" : "announcing";
      const claim = claimOn(parsed, entry.ip, phase, this.#ownMacs);
      if (claim === undefined) continue;
      entry.counters.conflicts++;
      if (phase === "probing") {
        this.#emit({ type: "conflict", ip: entry.key, interface: port.ifname, foreignMac: claim.mac, evidence: claim.evidence, phase, defended: false });
        this.#refuse(entry, port, claim);
        continue;
      }
      const now = this.#clock.now();
      const last = entry.lastDefend.get(port.ifname);
      const defend = last === undefined || now - last >= (this.#o.defendIntervalMs ?? DEFAULT_DEFEND_MS);
      this.#emit({ type: "conflict", ip: entry.key, interface: port.ifname, foreignMac: claim.mac, evidence: claim.evidence, phase, defended: defend });
      if (defend) {
        entry.lastDefend.set(port.ifname, now);
        this.#announceOnce(entry, port, 0);
      }
    }
  }

  #send(port: Port, protocol: L2Protocol, frame: Uint8Array): boolean {
    const conn = port.conn(protocol);
    if (conn === undefined || conn.closed) return false;
    try {
      conn.send(frame);
      return true;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      this.#emit({ type: "interface-error", interface: port.ifname, protocol, code: e.code ?? "UNKNOWN", message: String(e.message ?? err), fatal: false });
      return false;
    }
  }

  #emit(event: L2Event): void {
    this.#o.onEvent?.(event);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("L2Announcer: used after close()");
  }
}

// Requests that asked about an IP we track, as opposed to frames that were
// not requests at all (replies go to the conflict monitor).
const COUNTED = new Set<string>(["replied", "not-announced", "wrong-interface", "no-source-lla", "no-link-local"]);
