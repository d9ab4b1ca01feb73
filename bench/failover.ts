// Layer 2 failover and the announcement pipeline, measured where clients
// see them: in an observer's kernel neighbour table, on a bridged segment
// with three `ironlb speaker` processes (bench/lib/speaker-lab.ts: kube-sim,
// the controller, real AF_PACKET sockets, real BIRD).
//
//   npm run bench -- failover [--runs 20] [--link-runs 20] [--baseline-runs 20]
//                             [--baseline-link-runs 3] [--grace-ms 40000] [--pipeline-runs 20]
//
// Failover: the owner of a Service IP is SIGKILLed, SIGTERMed (graceful
// hand-over) or has its cable pulled at the switch (its API access freezes
// too); the time runs from the action to the moment `ip monitor neigh` in the
// observer shows the successor's MAC for the IP. The baseline is the same run
// with the membership off: speakers learn of the loss only from the API (an
// emulated kubelet reports a dead container at its next 1 s relist; a node
// cut off is marked unready after the node lifecycle controller's grace
// period, 40 s by default). The observer's ARP `locktime` is 0, so the
// numbers are the speakers', not Linux's 1 s dampening of a second update.
//
// Pipeline: a Service is created; times to its IP in status (the controller
// alone: the floor), to the first gratuitous ARP at the observer (layer 2,
// including the conflict probe of a new IP, ~0.2 s), and to its route at
// BIRD (BGP). Prints p50/p99 and ratios; asserts nothing.
import { spawn, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { electionOrder } from "@ironlb/core/election";
import { Lab } from "#testlib/netns";
import { checkPrerequisites } from "#testlib/prereq";
import { arping } from "#testlib/probes";
import { startCapture, type Capture } from "#testlib/tcpdump";
import { bird } from "#testlib/routers/index";
import { waitFor } from "#testlib/wait-for";
import { header, percentile, table } from "./lib/report.ts";
import { SpeakerLab, type LabAddresses, type LabNode } from "./lib/speaker-lab.ts";

export const description = "speaker: L2 failover (SIGKILL, SIGTERM, link cut) at an observer's neighbour table, membership vs API-only; Service -> GARP / BGP route";

const config = (a: LabAddresses) => `
peers:
- {name: r1, peer-address: ${a.routers[0]?.ip}, peer-asn: 64512, my-asn: 64512, hold-time: 9s}
address-pools:
- {name: lan, protocol: layer2, addresses: [198.51.100.0/24]}
- {name: edge, protocol: bgp, addresses: [203.0.113.0/24]}
`;

type Kind = "kill" | "term" | "cut";

/** Neighbour changes in the observer, as `ip monitor neigh` reports them, with arrival times. */
class NeighbourMonitor {
  readonly #proc: ChildProcess;
  readonly #events: { ip: string; mac: string | undefined; t: number }[] = [];
  #buf = "";

  constructor(ns: string, ifname: string) {
    this.#proc = spawn("ip", ["netns", "exec", ns, "ip", "monitor", "neigh", "dev", ifname], { stdio: ["ignore", "pipe", "ignore"] });
    this.#proc.stdout?.on("data", (b: Buffer) => {
      const t = performance.now();
      this.#buf += b.toString();
      const lines = this.#buf.split("\n");
      this.#buf = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^(?:Deleted )?(\S+) .*?(?:lladdr ([0-9a-f:]{17}))?(?: \w+)*$/.exec(line.trim());
        if (m !== null && !line.startsWith("Deleted")) this.#events.push({ ip: m[1] as string, mac: m[2], t });
      }
    });
  }

  /** When `ip` was first seen with `mac` (any MAC when undefined) at or after `since`. */
  waitFor(ip: string, mac: string | undefined, since: number, timeout: number): Promise<number> {
    return waitFor(() => this.#events.find((e) => e.t >= since && e.ip === ip && e.mac !== undefined && (mac === undefined || e.mac === mac))?.t, {
      what: `the observer to map ${ip} to ${mac ?? "any MAC"}`,
      timeout,
      interval: 1,
    });
  }

  stop(): void {
    this.#proc.kill("SIGKILL");
  }
}

interface ModeResult {
  readonly mode: string;
  readonly samples: Record<Kind, number[]>;
  readonly pipeline?: { readonly ip: number[]; readonly garp: number[]; readonly route: number[] } | undefined;
}

export async function run(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      runs: { type: "string", default: "20" },
      "link-runs": { type: "string", default: "20" },
      "baseline-runs": { type: "string", default: "20" },
      "baseline-link-runs": { type: "string", default: "3" },
      "grace-ms": { type: "string", default: "40000" },
      "pipeline-runs": { type: "string", default: "20" },
    },
  });
  const n = (k: keyof typeof values) => Number(values[k]);
  const pre = checkPrerequisites({ root: true, binaries: [...bird.binaries, "arping", "ip"] });
  if (!pre.ok) {
    console.error(`bench failover: ${pre.reason}`);
    process.exitCode = 1;
    return;
  }
  header("failover: owner lost -> successor's MAC in the observer's neighbour table; Service created -> GARP / BGP route");
  const results: ModeResult[] = [];
  results.push(await mode("membership", true, { kill: n("runs"), term: n("runs"), cut: n("link-runs") }, n("grace-ms"), n("pipeline-runs")));
  results.push(await mode("API only", false, { kill: n("baseline-runs"), term: n("baseline-runs"), cut: n("baseline-link-runs") }, n("grace-ms"), 0));

  const rows: (string | number)[][] = [];
  for (const kind of ["kill", "term", "cut"] as const) {
    const label = { kill: "SIGKILL", term: "SIGTERM (hand-over)", cut: "link cut" }[kind];
    for (const r of results) {
      const s = r.samples[kind];
      rows.push([label, r.mode, s.length, percentile(s, 50), percentile(s, 99), s.length === 0 ? Number.NaN : Math.max(...s)]);
    }
    const [m, b] = results.map((r) => percentile(r.samples[kind], 50));
    rows.push(["", "API only / membership (p50)", "", m === undefined || b === undefined ? "" : `${(b / m).toFixed(1)}x`, "", ""]);
  }
  console.log(table(["event", "liveness", "runs", "p50 ms", "p99 ms", "max ms"], rows));
  console.log("targets: SIGKILL p99 <= 1000 ms, link cut p99 <= 3000 ms (MetalLB ~3 s), SIGTERM hand-over <= 200 ms");
  const p = results[0]?.pipeline;
  if (p !== undefined && p.ip.length > 0) {
    console.log("");
    console.log(
      table(
        ["Service created ->", "runs", "p50 ms", "p99 ms", "vs IP in status (p50)"],
        [
          ["IP in status (controller, the floor)", p.ip.length, percentile(p.ip, 50), percentile(p.ip, 99), "1.0x"],
          ["first gratuitous ARP at the observer", p.garp.length, percentile(p.garp, 50), percentile(p.garp, 99), `${(percentile(p.garp, 50) / percentile(p.ip, 50)).toFixed(1)}x`],
          ["route at BIRD", p.route.length, percentile(p.route, 50), percentile(p.route, 99), `${(percentile(p.route, 50) / percentile(p.ip, 50)).toFixed(1)}x`],
        ],
      ),
    );
  }
}

async function mode(name: string, membership: boolean, runs: Record<Kind, number>, graceMs: number, pipelineRuns: number): Promise<ModeResult> {
  const lab = new Lab({ tag: "bench-failover" });
  let sl: SpeakerLab | undefined;
  let monitor: NeighbourMonitor | undefined;
  try {
    sl = await SpeakerLab.start(lab, { nodes: 3, routers: 1, membership, probePeriodMs: 1000, nodeGracePeriodMs: graceMs, logLevel: "warn", config });
    const obs = sl.observer;
    await obs.ns.sysctl({ [`net.ipv4.neigh.${obs.member.ifname}.locktime`]: 0 });
    monitor = new NeighbourMonitor(obs.ns.name, obs.member.ifname);
    sl.createService("fo", { pool: "lan" });
    sl.setEndpoints("fo", sl.nodes.map((x) => x.name));
    const ip = await sl.ingressIp("fo");
    process.stderr.write(`${name}: lab up, ${ip} assigned\n`);
    const samples: Record<Kind, number[]> = { kill: [], term: [], cut: [] };
    for (const kind of ["kill", "term", "cut"] as const) {
      for (let i = 0; i < runs[kind]; i++) {
        const ms = await trial(sl, monitor, ip, kind, graceMs);
        samples[kind].push(ms);
        process.stderr.write(`${name} ${kind} #${i + 1}: ${ms.toFixed(0)} ms\n`);
      }
    }
    // After the last link cut the partition must have healed (one owner again) before anything new is timed.
    if (pipelineRuns > 0) await settle(sl, sl.node(electionOrder(sl.nodes.map((x) => x.name), ip)[0] as string), ip);
    const pipeline = pipelineRuns > 0 ? await pipelineTrials(sl, await startCapture(obs.ns, { ifname: obs.member.ifname, filter: "arp" }), pipelineRuns) : undefined;
    return { mode: name, samples, pipeline };
  } finally {
    monitor?.stop();
    await sl?.close();
    await lab.cleanup();
  }
}

async function trial(sl: SpeakerLab, monitor: NeighbourMonitor, ip: string, kind: Kind, graceMs: number): Promise<number> {
  const names = sl.nodes.map((x) => x.name);
  const [ownerName, nextName] = electionOrder(names, ip) as [string, string];
  const owner = sl.node(ownerName);
  const next = sl.node(nextName);
  await settle(sl, owner, ip);
  // Act at a random phase of the membership's probe rounds and the kubelet's relist.
  await new Promise((r) => setTimeout(r, 200 + Math.random() * 1000));
  const t0 = performance.now();
  if (kind === "kill") owner.speaker?.signal("SIGKILL");
  else if (kind === "term") owner.speaker?.signal("SIGTERM");
  else await sl.cutLink(owner);
  const t1 = await monitor.waitFor(ip, next.mac, t0, graceMs + 60_000);
  // Put things back: the owner (first in the order) takes the IP back once it is live again.
  if (kind === "cut") await sl.restoreLink(owner);
  else {
    await owner.speaker?.exited;
    await sl.startSpeaker(owner);
  }
  return t1 - t0;
}

/**
 * Waits until `owner` alone announces `ip` (every speaker's own account, then
 * arping), then makes the observer's kernel resolve it afresh; again if a
 * late answer from another node got in first.
 */
async function settle(sl: SpeakerLab, owner: LabNode, ip: string): Promise<void> {
  const obs = sl.observer;
  const announcing = async (n: LabNode) => /ironlb_speaker_announced\{service="default\/fo",protocol="layer2"/.test((await sl.http(n, "/metrics")).body);
  await waitFor(
    async () => {
      const who = await Promise.all(sl.nodes.map(async (n) => ((await announcing(n)) ? n.name : "")));
      if (who.filter((x) => x !== "").join() !== owner.name) return undefined;
      const r = await arping(obs.ns, { ifname: obs.member.ifname, ip, count: 3, deadline: 2 });
      if (r.macs.length !== 1 || r.macs[0] !== owner.mac) return undefined;
      await obs.ns.ip(["neigh", "flush", "dev", obs.member.ifname]);
      await obs.ns.exec("ping", ["-4", "-n", "-c", "1", "-W", "1", ip], { allowFailure: true });
      const list = JSON.parse((await obs.ns.ip(["-j", "neigh", "show", "dev", obs.member.ifname])).stdout || "[]") as { dst: string; lladdr?: string }[];
      return list.find((x) => x.dst === ip)?.lladdr?.toLowerCase() === owner.mac ? true : undefined;
    },
    { what: `only ${owner.name} to announce ${ip}, and the observer to map it there`, timeout: 120_000, interval: 200, ignoreErrors: true },
  );
}

/**
 * Times are wall-clock here: tcpdump stamps frames with the kernel's receive
 * time (epoch seconds, microseconds), so the first gratuitous ARP is timed
 * at the observer's NIC, not when this process reads the line.
 */
async function pipelineTrials(sl: SpeakerLab, capture: Capture, runs: number): Promise<{ ip: number[]; garp: number[]; route: number[] }> {
  const out = { ip: [] as number[], garp: [] as number[], route: [] as number[] };
  const r1 = sl.routers[0]?.bird;
  for (let i = 0; i < runs; i++) {
    for (const pool of ["lan", "edge"] as const) {
      const name = `pipe-${pool}-${i}`;
      sl.setEndpoints(name, sl.nodes.map((x) => x.name));
      const t0 = Date.now();
      sl.createService(name, { pool });
      const ip = await waitFor(
        () => (sl.sim.store.get("services", "default", name) as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } } | undefined)?.status?.loadBalancer?.ingress?.[0]?.ip,
        { what: `an IP for ${name}`, timeout: 15_000, interval: 1 },
      );
      const tIp = Date.now();
      if (pool === "lan") {
        out.ip.push(tIp - t0);
        // A gratuitous ARP carries the IP as sender (a conflict probe's sender is 0.0.0.0).
        const re = new RegExp(`(tell ${ip.replace(/\./g, "\\.")}(,|$| )|Reply ${ip.replace(/\./g, "\\.")} is-at)`);
        const garp = await capture.waitForPacket((p) => p.time * 1000 >= t0 && re.test(p.text), { timeout: 15_000, what: `a gratuitous ARP for ${ip}` });
        out.garp.push(garp.time * 1000 - t0);
      } else if (r1 !== undefined) {
        await waitFor(async () => ((await r1.routes({ prefix: `${ip}/32` })).length > 0 ? true : undefined), { what: `${ip}/32 at BIRD`, timeout: 15_000, interval: 5 });
        out.route.push(Date.now() - t0);
      }
      // Kept: the next Service gets a fresh IP, so every layer 2 run includes the conflict probe of a new IP.
      process.stderr.write(`pipeline ${name}: ${pool === "lan" ? `ip ${out.ip.at(-1)?.toFixed(0)} ms, garp ${out.garp.at(-1)?.toFixed(0)} ms` : `route ${out.route.at(-1)?.toFixed(0)} ms`}\n`);
    }
  }
  return out;
}
