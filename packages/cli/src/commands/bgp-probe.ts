// `ironlb bgp probe`: holds one BGP session with a router and prints what
// happens as JSON lines (state changes with their reason, the peer's
// capabilities, NOTIFICATIONs sent and received with their names, End-of-RIB,
// received route counts). Optionally announces prefixes. On SIGINT/SIGTERM it
// sends Cease / Administrative Shutdown with an RFC 9003 message and exits 0.
// Operators use it to test a router before deploying IronLB; tests use it to
// run a speaker inside a network namespace.
//
// Deliberately not here: configuration files, several peers, Kubernetes.
import type { Command } from "commander";
import { CliError, group, intArg } from "../cli-kit.ts";

export const order = 40;

interface ProbeFlags {
  readonly localAs: number;
  readonly peer: string;
  readonly peerAs: number;
  readonly routerId?: string;
  readonly announce?: string;
  readonly nextHop?: string;
  readonly communities?: string;
  readonly largeCommunities?: string;
  readonly localPref?: number;
  readonly med?: number;
  readonly password?: string;
  readonly source?: string;
  readonly holdTime?: number;
  readonly passive?: boolean;
  readonly port?: number;
  readonly gracefulRestart?: number;
  readonly restarting?: boolean;
  readonly multihop?: number;
  readonly gtsm?: boolean;
  readonly connectRetry?: number;
  readonly stdin?: boolean;
}

const EXAMPLES = `
Examples:
  $ ironlb bgp probe --local-as 64512 --peer 10.0.0.1 --peer-as 64513 --source 10.0.0.2
  $ ironlb bgp probe --local-as 64512 --peer 10.0.0.1 --peer-as 64512 --source 10.0.0.2 \\
      --announce 198.51.100.7/32,2001:db8::7/128 --next-hop 10.0.0.2,2001:db8::2 \\
      --communities 64512:100,no-export --large-communities 64512:1:2 --local-pref 200
  $ ironlb bgp probe --passive --port 1179 --local-as 64512 --peer 10.0.0.1 --peer-as 64513 --router-id 10.0.0.2

Output: one JSON object per line with "event" (stateChanged, peerCapabilities,
established, notificationSent, notificationReceived, endOfRibSent,
endOfRibReceived, routes, ...). Exit 0 after SIGINT/SIGTERM, 1 on bad arguments.`;

export function register(program: Command): void {
  group(program, "bgp", "BGP tools")
    .command("probe")
    .description("hold a BGP session with a router, optionally announce prefixes, and print what happens as JSON lines")
    .requiredOption("--local-as <asn>", "our AS number", intArg("--local-as", 1, 4294967295))
    .requiredOption("--peer <address>", "the router's address")
    .requiredOption("--peer-as <asn>", "the router's AS number", intArg("--peer-as", 1, 4294967295))
    .option("--router-id <ipv4>", "our BGP identifier (default: --source when it is IPv4)")
    .option("--announce <prefixes>", "comma-separated prefixes to announce")
    .option("--next-hop <addresses>", "next hop(s) for announced prefixes, one per family (default: our session address)")
    .option("--communities <list>", "comma-separated RFC 1997 communities (ASN:VALUE or no-export, no-advertise, ...)")
    .option("--large-communities <list>", "comma-separated RFC 8092 large communities (G:L1:L2)")
    .option("--local-pref <n>", "LOCAL_PREF (sent to iBGP peers only)", intArg("--local-pref", 0, 4294967295))
    .option("--med <n>", "MULTI_EXIT_DISC", intArg("--med", 0, 4294967295))
    .option("--password <key>", "TCP MD5 key (RFC 2385)")
    .option("--source <address>", "our source address")
    .option("--hold-time <seconds>", "hold time to offer: 0 or 3..65535", intArg("--hold-time", 0, 65535))
    .option("--passive", "wait for the router to connect instead of connecting")
    .option("--port <n>", "the router's port, or with --passive the port to listen on (default 179)", intArg("--port", 1, 65535))
    .option("--graceful-restart <seconds>", "advertise graceful restart (RFC 4724) with this restart time", intArg("--graceful-restart", 0, 4095))
    .option("--restarting", "with --graceful-restart: set the R bit (we just restarted; the router keeps our routes until End-of-RIB)")
    .option("--multihop <hops>", "IP TTL for eBGP multihop", intArg("--multihop", 1, 255))
    .option("--gtsm", "RFC 5082 TTL security: send TTL 255, accept only 254 or more")
    .option("--connect-retry <seconds>", "cap of the reconnect backoff (default 120)", intArg("--connect-retry", 1, 65535))
    .option("--stdin", "each line read on stdin replaces the announced prefixes (comma-separated, same attributes); an empty line withdraws all")
    .addHelpText("after", EXAMPLES)
    .action(async (flags: ProbeFlags) => {
      await probe(flags);
    });
}

async function probe(flags: ProbeFlags): Promise<void> {
  const ip = await import("@ironlb/core/ip");
  const bgp = await import("@ironlb/bgp");
  const { BgpSpeaker } = await import("@ironlb/bgp/node");

  const address = (text: string, flag: string) => {
    const a = ip.tryParseIp(text);
    if (a === undefined) throw new CliError(`${flag}: "${text}" is not an IP address`);
    return a;
  };
  const list = (text: string | undefined) => (text === undefined ? [] : text.split(",").map((s) => s.trim()).filter((s) => s !== ""));
  const peer = address(flags.peer, "--peer");
  const source = flags.source === undefined ? undefined : address(flags.source, "--source");
  if (source !== undefined && source.family !== peer.family) throw new CliError(`--source ${flags.source} and --peer ${flags.peer} are of different families`);
  const routerIdText = flags.routerId ?? (source?.family === "ipv4" ? flags.source : undefined);
  if (routerIdText === undefined) throw new CliError("--router-id is required when --source is not an IPv4 address");
  const routerId = address(routerIdText, "--router-id");
  if (routerId.family !== "ipv4") throw new CliError(`--router-id: "${routerIdText}" is not an IPv4 address`);
  const nextHop: { ipv4?: typeof peer; ipv6?: typeof peer } = {};
  for (const t of list(flags.nextHop)) {
    const a = address(t, "--next-hop");
    if (nextHop[a.family] !== undefined) throw new CliError(`--next-hop: two ${a.family} next hops`);
    nextHop[a.family] = a;
  }
  const communities = list(flags.communities).map((t) => {
    const c = bgp.parseCommunity(t);
    if (c === undefined) throw new CliError(`--communities: "${t}" is not ASN:VALUE (each 0..65535) or a well-known name`);
    return c;
  });
  const largeCommunities = list(flags.largeCommunities).map((t) => {
    const c = bgp.parseLargeCommunity(t);
    if (c === undefined) throw new CliError(`--large-communities: "${t}" is not G:L1:L2 (each 0..4294967295)`);
    return c;
  });
  const toAdvertisements = (text: string | undefined, flag: string) =>
    list(text).map((t) => {
      let prefix;
      try {
        prefix = ip.parsePrefix(t);
      } catch {
        throw new CliError(`${flag}: "${t}" is not a prefix (ADDRESS/LENGTH)`);
      }
      return { prefix, communities, largeCommunities, localPref: flags.localPref, med: flags.med };
    });
  const advertisements = toAdvertisements(flags.announce, "--announce");
  if (flags.restarting === true && flags.gracefulRestart === undefined) throw new CliError("--restarting needs --graceful-restart");

  const out = (event: string, fields: object) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }, hexBytes) + "\n");
  const speaker = new BgpSpeaker({
    listen: flags.passive === true ? { address: flags.source ?? (peer.family === "ipv4" ? "0.0.0.0" : "::"), port: flags.port ?? 179 } : false,
    onEvent: (_peer, e) => {
      const { type, ...rest } = e;
      out(type, rest);
    },
  });
  let p;
  try {
    p = await speaker.addPeer({
      address: flags.peer,
      port: flags.passive === true ? undefined : flags.port,
      localAddress: flags.source,
      localAs: flags.localAs,
      peerAs: flags.peerAs,
      routerId,
      holdTime: flags.holdTime,
      mode: flags.passive === true ? "passive" : "both",
      password: flags.password,
      multihop: flags.multihop,
      gtsm: flags.gtsm,
      connectRetryTime: flags.connectRetry,
      nextHop,
      gracefulRestart: flags.gracefulRestart === undefined ? undefined : { restartTime: flags.gracefulRestart, restarting: flags.restarting === true },
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "BGP_CONFIG_INVALID" || code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES" || code?.startsWith("RAWSOCK_") === true) {
      throw new CliError((err as Error).message);
    }
    throw err;
  }
  p.setAdvertisements(advertisements);

  // Received route counts: after End-of-RIB and whenever they change (at most once a second).
  let last = "";
  const report = () => {
    const c = p.counters().prefixesReceived;
    const now = `${c.ipv4}/${c.ipv6}`;
    if (now === last) return;
    last = now;
    out("routes", { received: c, advertised: p.counters().prefixesAdvertised });
  };
  p.on((e) => {
    if (e.type === "endOfRibReceived" || e.type === "endOfRibSent") report();
  });
  const ticker = setInterval(report, 1000);

  let input: { close(): void } | undefined;
  if (flags.stdin === true) {
    const { createInterface } = await import("node:readline");
    const rl = createInterface({ input: process.stdin });
    input = rl;
    rl.on("line", (line) => {
      try {
        const next = toAdvertisements(line, "stdin");
        p.setAdvertisements(next);
        out("announcing", { prefixes: next.map((a) => ip.formatPrefix(a.prefix)) });
      } catch (err) {
        out("inputError", { message: (err as Error).message });
      }
    });
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      clearInterval(ticker);
      // An open stdin would keep the process alive after the session is gone.
      input?.close();
      process.stdin.destroy();
      void speaker.close({ message: `ironlb bgp probe stopped (${signal})` }).then(() => {
        out("stopped", { signal });
        resolve();
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

/** JSON.stringify replacer: byte arrays (unknown capability data) as hex. */
function hexBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return value.toString();
  return value;
}
