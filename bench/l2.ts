// `npm run bench -- l2 [--rate 1000] [--seconds 5]`
//
// Issue 6, "Done when" 5: ARP request-to-reply latency (p50, p99) and CPU per
// 1,000 replies at a sustained request rate from an observer namespace, for
// IronLB's responder (@ironlb/l2 over @ironlb/rawsock, run as the speaker
// would run it) beside the Linux kernel answering for an address it owns, on
// the same veth, in the same run. Target: IronLB's p99 within 2x the kernel's.
//
// How it measures:
//  - One veth between an observer and a speaker namespace. The speaker's
//    kernel owns its veth address (10.99.x.2); IronLB's responder, a child
//    process of this file in the speaker namespace, announces a service IP on
//    the same interface.
//  - A sender (this file again, in the observer namespace) sends broadcast ARP
//    requests at `--rate` per second for `--seconds`, each with one of 50 ARP
//    sender IPs so that a reply names its request, paced from a 1 ms timer
//    (no busy loop: it would take a core from the responder on a 2-core
//    machine). Its packet socket is bound to an unused EtherType, so it reads
//    nothing back. Three phases, identical but for the target: an address
//    nobody owns (baseline), the kernel's address, the service IP.
//  - Before measuring, 2 s of requests for each address warm both paths up
//    (V8 compiles the responder's hot path after a few thousand frames; a
//    speaker that has run for a while has it compiled).
//  - Latency: tcpdump on the speaker's side of the veth writes a pcap; each
//    reply is paired with its request by target and sender IP, so a lost
//    reply cannot shift the pairing. Both timestamps come from the same
//    tap, so this is time spent in the responder, wakeups and queueing included.
//  - CPU per reply: on a veth, the kernel receives the request and sends its
//    reply in softirq context on the sender's CPU, charged to the sender. So
//    the kernel's cost is the sender's CPU in the kernel phase minus the
//    baseline phase; IronLB's is its process CPU (read from the process itself)
//    plus the sender's extra CPU over the baseline (delivering each request to
//    the packet socket). Other load on the machine moves per-process CPU far
//    less than /proc/stat would.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ip, parseIp } from "@ironlb/core/ip";
import { ArpOperation, arpFrame, L2Announcer, parseFrame, ZERO_MAC, BROADCAST_MAC, type Mac } from "@ironlb/l2";
import { listInterfaces, openPacketConn } from "@ironlb/rawsock";
import { serviceV4 } from "#testlib/addresses";
import { Lab, type Namespace } from "#testlib/netns";
import { checkPrerequisites } from "#testlib/prereq";
import type { LabProcess } from "#testlib/process";
import { startCapture } from "#testlib/tcpdump";
import { waitFor } from "#testlib/wait-for";
import { header, percentile, table } from "./lib/report.ts";

export const description = "l2: ARP request->reply latency and CPU per 1,000 replies, IronLB's responder vs the kernel on one veth";

const runJs = fileURLToPath(new URL("./run.js", import.meta.url));
/** IEEE 802 "local experimental" EtherType: the sender's socket receives nothing on it. */
const QUIET_ETHERTYPE = 0x88b5;
/** Requests cycle through this many ARP sender IPs, .100 to .149 of the observer's /24. */
const SENDER_IPS = 50;
const SENDER_IP_FIRST = 100;

interface SenderConfig {
  readonly ifname: string;
  readonly mac: Mac;
  readonly ip: string;
  readonly target: string;
  readonly rate: number;
  readonly seconds: number;
}

interface CpuSample {
  readonly user: number;
  readonly system: number;
}

export async function run(args: readonly string[]): Promise<void> {
  if (args[0] === "--sender") return senderChild(JSON.parse(args[1] ?? "{}") as SenderConfig);
  if (args[0] === "--responder") return responderChild(args[1] ?? "", args[2] ?? "");
  const option = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    const v = i >= 0 ? Number(args[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  const rate = option("--rate", 1000);
  const seconds = option("--seconds", 5);
  const pre = checkPrerequisites({ root: true, binaries: ["ip", "tcpdump"] });
  if (!pre.ok) {
    console.error(`bench l2: ${pre.reason}`);
    process.exitCode = 1;
    return;
  }

  header(`l2: ARP request -> reply, ${rate} requests/s for ${seconds} s per phase`);
  const lab = new Lab({ tag: "bench-l2" });
  try {
    const [observer, speaker] = [await lab.namespace("l2-obs"), await lab.namespace("l2-spk")];
    const link = await lab.veth(observer, speaker);
    const obs = link.a;
    const spk = link.b;
    const kernelIp = spk.host?.v4 ?? "";
    const vip = serviceV4(77);
    const nobody = serviceV4(78);

    const responder = speaker.spawn(process.execPath, [runJs, "l2", "--responder", spk.ifname, vip], { stdin: true });
    await responder.waitForOutput(/"event":"ready"/, { timeout: 30_000, what: "the IronLB responder to announce" });
    // Warm-up, not measured: a long-running speaker's reply path is compiled
    // (V8 optimizes it after a few thousand calls); a fresh process's is not.
    const warm = { ifname: obs.ifname, mac: obs.mac, ip: obs.host?.v4 ?? "", rate, seconds: Math.min(seconds, 2) };
    await runSender(observer, { ...warm, target: vip });
    await runSender(observer, { ...warm, target: kernelIp });
    const pcap = `${lab.runDir("pcap")}/arp.pcap`;
    const capture = await startCapture(speaker, { ifname: spk.ifname, filter: "arp", pcapFile: pcap, print: false });

    const phase = async (target: string) => {
      const before = await responderCpu(responder);
      const sent = await runSender(observer, { ifname: obs.ifname, mac: obs.mac, ip: obs.host?.v4 ?? "", target, rate, seconds });
      const after = await responderCpu(responder);
      return { sent, responderCpuUs: after.user + after.system - (before.user + before.system) };
    };
    const baseline = await phase(nobody);
    const kernel = await phase(kernelIp);
    const ironlb = await phase(vip);
    await capture.stop();
    responder.write("stop\n");
    await responder.exited;

    const pairs = pairReplies(readPcap(pcap), obs.mac);
    const lat = (ip: string) => pairs.latencies.get(ip) ?? [];
    const senderCpu = (p: typeof baseline) => p.sent.cpu.user + p.sent.cpu.system;
    const perReply = (us: number, replies: number) => (replies === 0 ? Number.NaN : (us / replies) * 1000);
    const kernelReplies = lat(kernelIp).length;
    const ironlbReplies = lat(vip).length;
    const kernelCpu = perReply(senderCpu(kernel) - senderCpu(baseline), kernelReplies);
    const ironlbCpu = perReply(ironlb.responderCpuUs + senderCpu(ironlb) - senderCpu(baseline), ironlbReplies);
    const us = (v: number) => Number((v * 1e6).toFixed(1));
    const row = (name: string, ip: string, sent: number, cpuPer1000: number) => {
      const l = lat(ip);
      return [name, sent, l.length, sent - l.length, us(percentile(l, 50)), us(percentile(l, 99)), us(Math.max(...l)), Number((cpuPer1000 / 1000).toFixed(2))];
    };
    console.log(
      table(
        ["responder", "requests", "replies", "lost", "p50 us", "p99 us", "max us", "CPU ms / 1,000 replies"],
        [row("Linux kernel", kernelIp, kernel.sent.sent, kernelCpu), row("IronLB", vip, ironlb.sent.sent, ironlbCpu)],
      ),
    );
    const p99 = (ip: string) => percentile(lat(ip), 99);
    console.log(`\nIronLB / kernel: p50 ${(percentile(lat(vip), 50) / percentile(lat(kernelIp), 50)).toFixed(2)}x, p99 ${(p99(vip) / p99(kernelIp)).toFixed(2)}x (target: p99 <= 2x), CPU ${(ironlbCpu / kernelCpu).toFixed(1)}x`);
    console.log(
      `baseline (requests nobody answers): ${baseline.sent.sent} sent, ${pairs.latencies.get(nobody)?.length ?? 0} answered; sender CPU ${(senderCpu(baseline) / 1000).toFixed(0)} ms; IronLB CPU while dropping them ${(baseline.responderCpuUs / 1000).toFixed(0)} ms`,
    );
    // us per reply = ms per 1,000 replies
    console.log(`IronLB process CPU alone: ${(ironlb.responderCpuUs / Math.max(1, ironlbReplies)).toFixed(2)} ms / 1,000 replies; load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  } finally {
    await lab.cleanup();
  }
}

async function responderCpu(proc: LabProcess): Promise<CpuSample> {
  const samples = () => proc.stdout().split("\n").filter((l) => l.startsWith('{"event":"cpu"'));
  const seen = samples().length;
  proc.write("cpu\n");
  await waitFor(() => samples().length > seen, { timeout: 10_000, interval: 5, what: "the responder's CPU sample" });
  const sample = JSON.parse(samples()[seen] as string) as CpuSample;
  return { user: sample.user, system: sample.system };
}

async function runSender(ns: Namespace, config: SenderConfig): Promise<{ sent: number; cpu: CpuSample }> {
  const proc = ns.spawn(process.execPath, [runJs, "l2", "--sender", JSON.stringify(config)]);
  await proc.exited;
  const line = proc.stdout().split("\n").find((l) => l.startsWith('{"event":"done"'));
  if (line === undefined) throw new Error(`sender failed: ${proc.output().slice(-1000)}`);
  const done = JSON.parse(line) as { sent: number; user: number; system: number };
  return { sent: done.sent, cpu: { user: done.user, system: done.system } };
}

/** Child in the observer namespace: paced broadcast ARP requests for one address. */
async function senderChild(c: SenderConfig): Promise<void> {
  const conn = openPacketConn(c.ifname, QUIET_ETHERTYPE);
  // The ARP sender IP cycles through SENDER_IPS addresses of the observer's
  // subnet: both responders echo it as the reply's target IP, so a reply
  // names the request it answers (see pairReplies).
  const base = parseIp(c.ip).value & ~0xffn;
  const frames = Array.from({ length: SENDER_IPS }, (_, i) =>
    arpFrame({
      ethernetDestination: BROADCAST_MAC,
      ethernetSource: c.mac,
      arp: { operation: ArpOperation.Request, senderMac: c.mac, senderIp: ip("ipv4", base + BigInt(SENDER_IP_FIRST + i)), targetMac: ZERO_MAC, targetIp: parseIp(c.target) },
    }),
  );
  const total = Math.round(c.rate * c.seconds);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * c.rate) + 1);
      for (; sent < due; sent++) conn.send(frames[sent % SENDER_IPS] as Uint8Array);
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  conn.close();
  process.stdout.write(`${JSON.stringify({ event: "done", sent, user: cpu.user, system: cpu.system })}\n`);
}

/** Child in the speaker namespace: the announcer as the speaker runs it, answering for `vip`. */
async function responderChild(ifname: string, vip: string): Promise<void> {
  const announcer = new L2Announcer({
    openConn: (name, spec) => openPacketConn(name, spec.ethertype, { filter: spec.filter }),
    listInterfaces,
    only: [ifname],
    exclude: [],
    rescanIntervalMs: 0,
  });
  announcer.announce([{ ip: parseIp(vip), conflictCheck: "skip" }]);
  process.stdout.write(`${JSON.stringify({ event: "ready" })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "cpu") {
      const u = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ event: "cpu", user: u.user, system: u.system })}\n`);
    } else if (line === "stop") break;
  }
  process.stdout.write(`${JSON.stringify({ event: "status", status: announcer.status() })}\n`);
  announcer.close();
  // The parent keeps our stdin open; release it so the process can end.
  process.stdin.destroy();
}

interface Pairs {
  /** target IP -> request-to-reply latencies in seconds */
  readonly latencies: Map<string, number[]>;
}

/**
 * Pairs each reply to the observer with the newest earlier request that has
 * the same target and ARP sender IP (the reply echoes both). Requests with one
 * key recur every SENDER_IPS requests, so a reply can only be confused with a
 * request that old; one still open when a newer one with its key is answered
 * was lost.
 */
function pairReplies(packets: readonly { time: number; data: Uint8Array }[], observerMac: Mac): Pairs {
  const open = new Map<string, number[]>();
  const latencies = new Map<string, number[]>();
  for (const p of packets) {
    let f;
    try {
      f = parseFrame(p.data);
    } catch {
      continue;
    }
    if (f.kind !== "arp") continue;
    const { arp } = f;
    if (arp.operation === ArpOperation.Request && arp.senderMac === observerMac) {
      const key = `${formatV4(arp.targetIp.value)} ${formatV4(arp.senderIp.value)}`;
      (open.get(key) ?? open.set(key, []).get(key))?.push(p.time);
    } else if (arp.operation === ArpOperation.Reply && arp.targetMac === observerMac) {
      const key = `${formatV4(arp.senderIp.value)} ${formatV4(arp.targetIp.value)}`;
      const pending = open.get(key);
      const req = pending?.pop();
      if (req === undefined) continue;
      pending?.splice(0);
      const target = formatV4(arp.senderIp.value);
      (latencies.get(target) ?? latencies.set(target, []).get(target))?.push(p.time - req);
    }
  }
  return { latencies };
}

function formatV4(v: bigint): string {
  const n = Number(v);
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** A classic pcap file (tcpdump -w): microsecond timestamps, Ethernet link type. */
function readPcap(path: string): { time: number; data: Uint8Array }[] {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a microsecond pcap file`);
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const out: { time: number; data: Uint8Array }[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const len = u32(o + 8);
    out.push({ time: u32(o) + u32(o + 4) / 1e6, data: new Uint8Array(b.subarray(o + 16, o + 16 + len)) });
    o += 16 + len;
  }
  return out;
}
