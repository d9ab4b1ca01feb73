// `npm run bench -- bgp [--runs N] [--count N] [--senders ironlb,gobgp,bird,frr]`
//
// Issue 5, "Done when" 4: N IPv4 /32 and N IPv6 /128 (default 10,000 each)
// announced over one eBGP session on a veth pair to a receiving BIRD 2, timed
// from session Established until the receiver holds them all, then all
// withdrawn, for each sender in the same run: IronLB's own session
// (@ironlb/bgp), GoBGP (bulk-loaded with an MRT file before the session
// starts), BIRD (static protocol) and FRR (network statements).
//
// How it measures, the same for every sender:
//  - announce: from the receiver's own clock, BIRD's protocol "Since" (the
//    moment its session went Established) to the newest route timestamp
//    (`timeformat route "%s.%6f"`): no polling error, no process start in
//    the window (GoBGP's 5-9 s first-connect delay and any load time stay out);
//  - withdraw: from just before the sender is told to withdraw everything
//    (IronLB: setAdvertisements([]) in its process, BIRD: `disable` of its
//    static protocols over the control socket, GoBGP: `gobgp global rib del
//    all` per family, FRR: an outbound route-map that denies all) until the
//    receiver's "Routes: 0 imported" on both channels, polled every ~1 ms;
//  - UPDATEs: counted on the wire by tcpdump on the receiver's interface
//    (bgp-pcap.ts reassembles the sender's TCP stream), split at the
//    withdraw trigger; the announce count includes the two End-of-RIBs.
//  - BIRD as sender holds the tail of a large export until its main loop
//    wakes (3 s idle poll, lab.md); any control-socket request wakes it, so
//    the bench sends it `show status` on every receiver poll (~5 ms during
//    the announcement, ~1 ms during the withdrawal). The other senders are
//    left alone.
// Each run starts every process fresh in fresh namespaces; the IronLB sender
// is this module run again as a child process inside the sender namespace.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BgpSpeaker } from "@ironlb/bgp/node";
import { parseIp, parsePrefix } from "@ironlb/core/ip";
import { header, percentile, table } from "./lib/report.js";
import { bulkPrefixes } from "#testlib/addresses";
import { bgpMessagesInPcap, type WireMessage } from "#testlib/bgp-pcap";
import { Lab, type Endpoint, type Namespace } from "#testlib/netns";
import { checkPrerequisites } from "#testlib/prereq";
import { bird, frr, gobgp } from "#testlib/routers/index";
import { injectMrt, writeMrt } from "#testlib/routers/gobgp-mrt";
import type { BirdRouter } from "#testlib/routers/bird";
import { startCapture } from "#testlib/tcpdump";
import { waitFor } from "#testlib/wait-for";

export const description = "BGP: 10k IPv4 /32 + 10k IPv6 /128 to a receiving BIRD, IronLB vs GoBGP, BIRD and FRR (announce, withdraw, UPDATEs)";

const receiverAs = 64512;
const senderAs = 64513;

export type SenderKind = "ironlb" | "gobgp" | "bird" | "frr";

/** What a sender needs: where it runs, whom it talks to, what it announces. */
export interface SenderSetup {
  readonly ns: Namespace;
  readonly self: Endpoint;
  readonly receiver: Endpoint;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly localAs: number;
  readonly peerAs: number;
  readonly runDir: string;
}

/** A sender with all routes loaded and its session not yet up (the receiver starts after it). */
export interface PreparedSender {
  readonly version: string;
  /** Withdraw every route; resolves once the command has been handed over. */
  withdrawAll(): Promise<void>;
  /** Called on every receiver poll while routes are in flight (BIRD: wake its idle loop). */
  poke?(): Promise<void>;
}

interface Sample {
  readonly announceMs: number;
  /** Established -> the last announcing UPDATE on the wire (what the sender alone costs). */
  readonly wireMs: number;
  readonly withdrawMs: number;
  /** Trigger -> the last withdrawing UPDATE on the wire. */
  readonly withdrawWireMs: number;
  readonly announceUpdates: number;
  readonly withdrawUpdates: number;
}

export async function run(args: readonly string[]): Promise<void> {
  if (args[0] === "--ironlb-sender") return ironlbSenderChild(args.slice(1));
  const opt = (name: string, dflt: string): string => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
  };
  const runs = Number(opt("--runs", "5"));
  const count = Number(opt("--count", "10000"));
  const kinds = opt("--senders", "gobgp,bird,frr,ironlb").split(",") as SenderKind[];
  const pre = checkPrerequisites({ root: true, binaries: ["ip", "tcpdump", ...bird.binaries, ...gobgp.binaries, ...frr.binaries] });
  if (!pre.ok) {
    console.error(`bench bgp: ${pre.reason}`);
    process.exitCode = 1;
    return;
  }
  header(`bgp: ${count.toLocaleString("en-US")} IPv4 /32 + ${count.toLocaleString("en-US")} IPv6 /128, one eBGP session over veth, receiver ${await bird.version()}`);
  const results = new Map<SenderKind, { version: string; samples: Sample[] }>();
  for (const kind of kinds) {
    for (let i = 0; i < runs; i++) {
      const { version, sample } = await measure(kind, count);
      const r = results.get(kind) ?? { version, samples: [] };
      r.samples.push(sample);
      results.set(kind, r);
      console.log(`  ${kind} run ${i + 1}/${runs}: announce ${sample.announceMs.toFixed(1)} ms (last UPDATE on the wire at ${sample.wireMs.toFixed(1)} ms, ${sample.announceUpdates} UPDATEs), withdraw ${sample.withdrawMs.toFixed(1)} ms (last UPDATE on the wire at ${sample.withdrawWireMs.toFixed(1)} ms, ${sample.withdrawUpdates} UPDATEs)`);
    }
  }
  report(results);
}

async function measure(kind: SenderKind, count: number): Promise<{ version: string; sample: Sample }> {
  const lab = new Lab({ tag: "bench-bgp" });
  try {
    const [rxNs, txNs] = [await lab.namespace("rx"), await lab.namespace(`tx-${kind}`)];
    const link = await lab.veth(rxNs, txNs);
    const rx = link.a;
    const tx = link.b;
    const setup: SenderSetup = {
      ns: txNs,
      self: tx,
      receiver: rx,
      ipv4: bulkPrefixes("ipv4", count),
      ipv6: bulkPrefixes("ipv6", count),
      localAs: senderAs,
      peerAs: receiverAs,
      runDir: lab.runDir(kind),
    };
    const sender = await prepare(kind, setup);
    const pcapFile = `${lab.runDir("pcap")}/bgp.pcap`;
    // One direction, block-buffered writes and a 64 MiB kernel buffer: the defaults drop segments of a 20k-route burst.
    const capture = await startCapture(rxNs, {
      ifname: rx.ifname,
      filter: `src host ${tx.host?.v4 ?? ""} and tcp port 179`,
      linkLevel: false,
      pcapFile,
      print: false,
      packetBuffered: false,
      extraArgs: ["-B", "65536"],
    });
    // The receiver connects (1 s connect delay); every sender listens, so GoBGP's slow first connect never matters.
    const receiver = await bird.start(rxNs, {
      asn: receiverAs,
      routerId: rx.host?.v4 ?? "",
      neighbors: [{ address: tx.host?.v4 ?? "", asn: senderAs, localAddress: rx.host?.v4, export: "none" }],
    });
    const peer = tx.host?.v4 ?? "";
    const imported = async (): Promise<number> => {
      const p = await receiver.protocol(peer);
      return (p.channels.ipv4?.imported ?? 0) + (p.channels.ipv6?.imported ?? 0);
    };
    await waitFor(async () => {
      await sender.poke?.();
      return (await imported()) === 2 * count;
    }, { what: `${kind}: the receiver to hold all ${2 * count} routes`, timeout: 120_000, interval: 5 });
    const established = (await receiver.protocol(peer)).since;
    const newest = await newestRoute(receiver);
    const announceMs = (newest - established) * 1000;

    const trigger = (performance.timeOrigin + performance.now()) / 1000;
    await sender.withdrawAll();
    await waitFor(async () => {
      await sender.poke?.();
      return (await imported()) === 0;
    }, { what: `${kind}: the receiver to hold no route`, timeout: 120_000, interval: 1 });
    const done = (performance.timeOrigin + performance.now()) / 1000;
    await capture.stop();
    let updates: WireMessage[];
    try {
      updates = bgpMessagesInPcap(pcapFile, { from: peer, to: rx.host?.v4 ?? "" }).filter((m) => m.type === 2);
    } catch (error) {
      // tcpdump starved of CPU loses segments: the times stand, the counts of this run do not.
      console.log(`  ${kind}: no UPDATE count for this run (${(error as Error).message})`);
      updates = [];
    }
    const counted = updates.length > 0;
    return {
      version: sender.version,
      sample: {
        announceMs,
        wireMs: counted ? ((updates.filter((m) => m.time < trigger).at(-1)?.time ?? established) - established) * 1000 : Number.NaN,
        withdrawMs: (done - trigger) * 1000,
        withdrawWireMs: counted ? ((updates.at(-1)?.time ?? trigger) - trigger) * 1000 : Number.NaN,
        announceUpdates: counted ? updates.filter((m) => m.time < trigger).length : Number.NaN,
        withdrawUpdates: counted ? updates.filter((m) => m.time >= trigger).length : Number.NaN,
      },
    };
  } finally {
    await lab.cleanup();
  }
}

/** Newest route timestamp (epoch seconds) among the routes the receiver learned from its one neighbor. */
async function newestRoute(receiver: BirdRouter): Promise<number> {
  const reply = await receiver.request(`show route protocol ${receiver.protocolFor(receiver.config.neighbors[0]?.address ?? "")}`);
  let newest = 0;
  for (const line of reply.lines) {
    const m = / \[\S+ (\d+\.\d+)/.exec(line);
    if (m !== null) newest = Math.max(newest, Number(m[1]));
  }
  return newest;
}

async function prepare(kind: SenderKind, s: SenderSetup): Promise<PreparedSender> {
  switch (kind) {
    case "gobgp":
      return prepareGobgp(s);
    case "bird":
      return prepareBird(s);
    case "frr":
      return prepareFrr(s);
    case "ironlb":
      return ironlbSender(s);
  }
}

function routerConfig(s: SenderSetup) {
  return {
    asn: s.localAs,
    routerId: s.self.host?.v4 ?? "",
    listen: { address: s.self.host?.v4 },
    neighbors: [{ address: s.receiver.host?.v4 ?? "", asn: s.peerAs, localAddress: s.self.host?.v4, passive: true }],
  };
}

async function prepareGobgp(s: SenderSetup): Promise<PreparedSender> {
  const router = await gobgp.start(s.ns, routerConfig(s));
  const file = `${s.runDir}/routes.mrt`;
  writeMrt(file, { ipv4: s.ipv4, ipv6: s.ipv6, nextHopV4: s.self.host?.v4 ?? "", nextHopV6: s.self.host?.v6 ?? "", peerAs: s.localAs, peerId: s.self.host?.v4 ?? "" });
  await injectMrt(router, file, { ipv4: s.ipv4.length, ipv6: s.ipv6.length });
  return {
    version: await router.version(),
    async withdrawAll() {
      await Promise.all(["ipv4", "ipv6"].map((f) => router.cli(["global", "rib", "-a", f, "del", "all"])));
    },
  };
}

async function prepareBird(s: SenderSetup): Promise<PreparedSender> {
  const router = await bird.start(s.ns, { ...routerConfig(s), routes: [...s.ipv4, ...s.ipv6].map((prefix) => ({ prefix })) });
  return {
    version: await router.version(),
    async withdrawAll() {
      await Promise.all([router.request("disable origin4"), router.request("disable origin6")]);
    },
    async poke() {
      await router.request("show status");
    },
  };
}

async function prepareFrr(s: SenderSetup): Promise<PreparedSender> {
  // coalesce-time 100 (default 1 s, lab.md); zebra so FRR knows its IPv6 next hop.
  const router = await frr.start(s.ns, { ...routerConfig(s), routes: [...s.ipv4, ...s.ipv6].map((prefix) => ({ prefix })) }, { zebra: true, extraRouterBgp: ["coalesce-time 100"] });
  const peer = s.receiver.host?.v4 ?? "";
  return {
    version: await router.version(),
    async withdrawAll() {
      await router.vtysh(
        "configure terminal",
        `router bgp ${s.localAs}`,
        "address-family ipv4 unicast",
        `neighbor ${peer} route-map NOTHING out`,
        "exit-address-family",
        "address-family ipv6 unicast",
        `neighbor ${peer} route-map NOTHING out`,
      );
    },
  };
}

function report(results: Map<SenderKind, { version: string; samples: Sample[] }>): void {
  const stat = (xs: number[]) => [Math.min(...xs), percentile(xs, 50), Math.max(...xs)] as const;
  const median = (k: SenderKind, f: (s: Sample) => number) => {
    const r = results.get(k);
    return r === undefined ? Number.NaN : percentile(r.samples.map(f), 50);
  };
  const rows = [...results].map(([kind, r]) => {
    const a = stat(r.samples.map((s) => s.announceMs));
    const w = stat(r.samples.map((s) => s.withdrawMs));
    const ratio = (base: SenderKind, f: (s: Sample) => number) => (results.has(base) ? (median(kind, f) / median(base, f)).toFixed(2) : "-");
    return [
      `${kind} (${r.version})`,
      `${a[0].toFixed(0)} / ${a[1].toFixed(0)} / ${a[2].toFixed(0)}`,
      ratio("gobgp", (s) => s.announceMs),
      ratio("bird", (s) => s.announceMs),
      percentile(r.samples.map((s) => s.announceUpdates).filter(Number.isFinite), 50),
      `${w[0].toFixed(1)} / ${w[1].toFixed(1)} / ${w[2].toFixed(1)}`,
      ratio("bird", (s) => s.withdrawMs),
      percentile(r.samples.map((s) => s.withdrawUpdates).filter(Number.isFinite), 50),
    ];
  });
  console.log(`\n${table(["sender", "announce ms min/med/max", "x GoBGP", "x BIRD", "UPDATEs", "withdraw ms min/med/max", "x BIRD", "UPDATEs"], rows)}`);
  console.log("\nTargets for ironlb: announce <= 1.0x GoBGP and <= 1.5x BIRD; <= 150 UPDATEs for the 20k; withdraw <= 2x BIRD.");
  console.log("announce: receiver's Established -> newest route (BIRD timestamps); withdraw: trigger -> receiver holds none (1 ms polling); UPDATEs on the wire (tcpdump), announce count includes 2 End-of-RIB.");
}

// ---------------------------------------------------------------- IronLB sender
//
// IronLB's session runs in the sender namespace, so it is a child process:
// this module again, `run.js bgp --ironlb-sender CONFIG`, holding one BgpPeer
// (@ironlb/bgp/node) that listens passively like the other senders. The
// advertisements are set before the session exists; stdin "withdraw" sets
// the empty set; stdout carries JSON lines ("ready", state changes, counters).

interface ChildConfig {
  readonly count: number;
  readonly localAs: number;
  readonly peerAs: number;
  readonly self: string;
  readonly selfV6: string;
  readonly selfLinkLocal: string;
  readonly receiver: string;
}

async function ironlbSender(s: SenderSetup): Promise<PreparedSender> {
  const config: ChildConfig = {
    count: s.ipv4.length,
    localAs: s.localAs,
    peerAs: s.peerAs,
    self: s.self.host?.v4 ?? "",
    selfV6: s.self.host?.v6 ?? "",
    selfLinkLocal: await s.ns.linkLocal(s.self.ifname),
    receiver: s.receiver.host?.v4 ?? "",
  };
  const runJs = fileURLToPath(new URL("./run.js", import.meta.url));
  const child = s.ns.spawn(process.execPath, [runJs, "bgp", "--ironlb-sender", JSON.stringify(config)], { stdin: true });
  await child.waitForOutput(/"event":"ready"/, { timeout: 30_000, what: "the IronLB sender to listen with all routes set" });
  return {
    version: `IronLB ${ironlbVersion()}`,
    async withdrawAll() {
      child.write("withdraw\n");
    },
  };
}

function ironlbVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../packages/bgp/package.json", import.meta.url)), "utf8")) as { version: string };
  return pkg.version;
}

async function ironlbSenderChild(args: readonly string[]): Promise<void> {
  const c = JSON.parse(args[0] ?? "{}") as ChildConfig;
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const speaker = new BgpSpeaker({ listen: { address: c.self }, onEvent: (_peer, e) => e.type === "stateChanged" && say({ event: "state", to: e.to }) });
  const peer = await speaker.addPeer({
    address: c.receiver,
    localAddress: c.self,
    localAs: c.localAs,
    peerAs: c.peerAs,
    routerId: parseIp(c.self),
    mode: "passive",
    nextHop: { ipv6: parseIp(c.selfV6), ipv6LinkLocal: parseIp(c.selfLinkLocal) },
  });
  const prefixes = [...bulkPrefixes("ipv4", c.count), ...bulkPrefixes("ipv6", c.count)].map((p) => ({ prefix: parsePrefix(p) }));
  peer.setAdvertisements(prefixes);
  await speaker.listen();
  say({ event: "ready" });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "withdraw") {
      peer.setAdvertisements([]);
      say({ event: "withdrawn" });
    }
  }
  say({ event: "counters", counters: peer.counters() });
  await speaker.close({ message: "bench done" });
}
