// `ironlb l2 probe`: answers ARP / Neighbor Solicitations for the given IPs on
// one interface, announces them at start (gratuitous ARP, unsolicited NA) and
// prints what happens as JSON lines: requests and what was done with them,
// announcements, conflicts. Before announcing it probes for each IP (RFC 5227
// ARP probe, RFC 4862 DAD) and exits 1 if another host answers, unless
// --no-conflict-check. Exits 0 on SIGINT/SIGTERM after printing the counters.
// Operators use it to check an interface and an address range before giving
// them to IronLB; tests use it as the layer 2 speaker inside a namespace.
//
// Deliberately not here: several interfaces, elections, Kubernetes.
import type { Command } from "commander";
import { CliError, group } from "../cli-kit.ts";

export const order = 41;

interface ProbeFlags {
  readonly interface: string;
  readonly ip: string;
  readonly conflictCheck: boolean;
  readonly kernelArp?: boolean;
  readonly kernelArpHook: "auto" | "tcx" | "xdp";
}

const EXAMPLES = `
Examples:
  $ ironlb l2 probe --interface eth0 --ip 198.51.100.10
  $ ironlb l2 probe --interface eth0 --ip 198.51.100.10,2001:db8::10 --no-conflict-check
  $ ironlb l2 probe --interface eth0 --ip 198.51.100.10 --kernel-arp

Output: one JSON object per line with "event": interfaces, probing, conflict,
refused, announcing, gratuitous, request (with "result": replied or the drop
reason), interface-error, stopped (with per-IP counters). With --kernel-arp,
ARP requests are answered in the kernel by a BPF program (tcx ingress, or XDP
before Linux 6.6; a "kernel-arp" line says which) and print no
"request" line; "kernel-answered" lines (once a second) and the counters
count them. Exit 0 after SIGINT/SIGTERM;
1 on bad arguments, missing privilege (CAP_NET_RAW; CAP_BPF and CAP_NET_ADMIN
for --kernel-arp) or when another host already uses one of the IPs.`;

function hookArg(value: string): "auto" | "tcx" | "xdp" {
  if (value === "auto" || value === "tcx" || value === "xdp") return value;
  throw new CliError(`--kernel-arp-hook: "${value}" is not one of tcx, xdp, auto`);
}

export function register(program: Command): void {
  group(program, "l2", "layer 2 (ARP/NDP) tools")
    .command("probe")
    .description("answer ARP/NDP for IPs on one interface, announce them, and print requests and conflicts as JSON lines")
    .requiredOption("--interface <name>", "the interface to answer on")
    .requiredOption("--ip <addresses>", "comma-separated IPv4/IPv6 addresses to announce")
    .option("--no-conflict-check", "announce at once, without first probing whether another host uses the IPs")
    .option("--kernel-arp", "answer ARP in the kernel (a BPF program on the interface) instead of in this process")
    .option("--kernel-arp-hook <hook>", "with --kernel-arp: tcx, xdp (generic) or auto (tcx where the kernel has it)", hookArg, "auto")
    .addHelpText("after", EXAMPLES)
    .action(async (flags: ProbeFlags) => {
      await probe(flags);
    });
}

async function probe(flags: ProbeFlags): Promise<void> {
  const ipLib = await import("@ironlb/core/ip");
  const rawsock = await import("@ironlb/rawsock");
  const l2 = await import("@ironlb/l2");

  const ifname = flags.interface;
  const ips = flags.ip
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((text) => {
      const a = ipLib.tryParseIp(text);
      if (a === undefined) throw new CliError(`--ip: "${text}" is not an IP address`);
      return a;
    });
  if (ips.length === 0) throw new CliError("--ip: no addresses given");

  // Check the interface up front so the error names the actual problem.
  let facts;
  try {
    facts = rawsock.interfaceFacts(ifname);
  } catch (err) {
    throw new CliError(`--interface: ${(err as Error).message}`);
  }
  if (!facts.flags.up) throw new CliError(`--interface: ${ifname} is down`);
  if (facts.master !== undefined) throw new CliError(`--interface: ${ifname} is enslaved to ${facts.master}; use ${facts.master}`);
  if (ips.some((a) => a.family === "ipv4") && (facts.flags.noArp || !facts.flags.broadcast)) {
    throw new CliError(`--interface: ${ifname} does not do ARP (${facts.flags.noArp ? "NOARP" : "no BROADCAST flag"})`);
  }
  if (ips.some((a) => a.family === "ipv6") && facts.ipv6LinkLocal === undefined) {
    throw new CliError(`--interface: ${ifname} has no IPv6 link-local address, needed to answer Neighbor Solicitations`);
  }

  const out = (event: string, fields: object) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + "\n");
  let refused: { ip: string; foreignMac: string } | undefined;
  let kernelError: string | undefined;
  let finish: ((code: number) => void) | undefined;
  const announcer = new l2.L2Announcer({
    openConn: (name, spec) => rawsock.openPacketConn(name, spec.ethertype, { filter: spec.filter }),
    listInterfaces: () => rawsock.listInterfaces(),
    // The operator named the interface: MetalLB's default exclude list (veth*, ...) does not apply.
    only: [ifname],
    exclude: [],
    // A refused IP is an answer for this tool: no retries.
    conflictRetryMs: 0,
    ...(flags.kernelArp === true ? { kernelArp: (port: Parameters<typeof l2.openKernelArpResponder>[0]) => l2.openKernelArpResponder(port, { hook: flags.kernelArpHook }) } : {}),
    onEvent: (e) => {
      if (e.type === "interface-error" && e.message.startsWith("kernel ARP responder")) kernelError ??= e.message;
      const { type, ...rest } = e;
      out(type, rest);
      if (e.type === "refused" && refused === undefined) {
        refused = { ip: e.ip, foreignMac: e.foreignMac };
        finish?.(1);
      }
    },
  });
  const failed = announcer.lastRescan.errors;
  if (failed.length > 0) {
    announcer.close();
    const first = failed[0] as (typeof failed)[number];
    if (first.code === "RAWSOCK_EPERM" || first.code === "RAWSOCK_EACCES") {
      throw new CliError(`l2 probe needs CAP_NET_RAW to open raw sockets on ${ifname} (run as root or grant NET_RAW)`);
    }
    throw new CliError(`cannot open ${first.protocol.toUpperCase()} socket on ${ifname}: ${first.message}`);
  }
  if (kernelError !== undefined) {
    announcer.close();
    throw new CliError(`--kernel-arp: cannot attach the kernel ARP responder to ${ifname}: ${kernelError.replace(/^kernel ARP responder: /, "")}`);
  }
  announcer.announce(ips.map((ip) => ({ ip, conflictCheck: flags.conflictCheck ? ("probe" as const) : ("skip" as const) })));

  // What the kernel answered comes out as "kernel-answered" lines, once a second.
  const poll = setInterval(() => announcer.reportKernelAnswers(), 1000);
  poll.unref();
  const code = await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      clearInterval(poll);
      const counters = announcer.status().map((s) => ({ ip: s.ip, state: s.state, ...s.counters }));
      announcer.close();
      out("stopped", { signal, counters });
      resolve(0);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    finish = (c) => {
      clearInterval(poll);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      const counters = announcer.status().map((s) => ({ ip: s.ip, state: s.state, ...s.counters }));
      announcer.close();
      out("stopped", { signal: null, counters });
      resolve(c);
    };
    if (refused !== undefined) finish(1);
  });
  // Every socket and timer is closed now, so the process exits by itself.
  if (code !== 0 && refused !== undefined) {
    throw new CliError(`${refused.ip} is already in use on ${ifname} by ${refused.foreignMac}; not announcing`);
  }
}
