// The playground's network, built from the configuration it runs: one
// bridged segment (a "switch" namespace holding br0) joining
//
//   routers  one namespace per BGP peer address of the config (the example's
//            10.99.0.1 and 10.99.0.2), each running its own BIRD (BIRD locks
//            a neighbor address per process, so one BIRD cannot hold two
//            sessions with the same speaker); the first forwards the
//            client's traffic along the routes it learned;
//   node-*   one namespace per speaker, its address .11, .12, ... of the
//            segment, a kube-proxy stand-in and a backend;
//   client   .100, with an on-link route for each layer 2 pool (so it ARPs
//            for those IPs, as a host on the LAN would) and a route via the
//            router for each BGP pool.
//
// Every member's interface is called eth0 inside its namespace (IronLB, like
// MetalLB, skips veth* interfaces for layer 2 by default).
//
// Deliberately not here: IPv6 on the segment (the curl path is IPv4; IPv6
// Service IPs are still assigned and announced), routing daemons (bird.ts).
import type { Config } from "@ironlb/core/config";
import { formatIp, formatPrefix } from "@ironlb/core/ip";
import { PlaygroundError } from "./errors.ts";
import type { Netns, NetnsSet } from "./netns.ts";

export interface LabNode {
  readonly name: string;
  readonly ns: Netns;
  readonly ip: string;
  readonly mac: string;
}

export interface Router {
  readonly ns: Netns;
  readonly ip: string;
}

export interface Topology {
  readonly subnet: string;
  readonly prefixLength: number;
  /** One per distinct peer address, in config order; the first is the client's gateway. */
  readonly routers: readonly Router[];
  readonly client: { readonly ns: Netns; readonly ip: string };
  readonly nodes: readonly LabNode[];
}

/** The segment's /24 and the router's addresses, from the config's BGP peers (the example: 10.99.0.0/24, .1 and .2). */
export function plan(config: Config): { readonly base: string; readonly routerIps: readonly string[] } {
  const peers = config.peers.map((p) => formatIp(p.peerAddress));
  const v4 = peers.filter((p) => !p.includes(":"));
  if (v4.length !== peers.length) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", "the playground's router takes the config's peer addresses, and it is IPv4 only: use IPv4 peer addresses");
  const base = v4.length === 0 ? "10.99.0" : (v4[0] as string).split(".").slice(0, 3).join(".");
  for (const ip of v4) {
    if (!ip.startsWith(`${base}.`)) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `peer ${ip} is not in ${base}.0/24: the playground puts every peer address on one segment`);
    const host = Number(ip.split(".")[3]);
    if ((host >= 11 && host < 11 + 16) || host === 100) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `peer ${ip} collides with the playground's node or client addresses (.11-.26, .100)`);
  }
  return { base, routerIps: [...new Set(v4)] };
}

export async function build(set: NetnsSet, config: Config, nodeNames: readonly string[]): Promise<Topology> {
  const { base, routerIps } = plan(config);
  const sw = await set.create("switch");
  await sw.ip(["link", "add", "br0", "type", "bridge", "stp_state", "0", "mcast_snooping", "0"]);
  await sw.ip(["link", "set", "br0", "up"]);
  let port = 0;
  /** A member namespace with eth0 on the bridge and these addresses. */
  const attach = async (tag: string, ips: readonly string[]): Promise<Netns> => {
    const ns = await set.create(tag);
    const peer = `p${port++}`;
    // Both ends are created inside their namespaces; the root namespace never sees them.
    await ns.ip(["link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", sw.name]);
    await sw.ip(["link", "set", peer, "master", "br0", "up"]);
    for (const ip of ips) await ns.ip(["addr", "add", `${ip}/24`, "dev", "eth0"]);
    await ns.ip(["link", "set", "eth0", "up"]);
    return ns;
  };
  const routers: Router[] = [];
  for (const [i, ip] of (routerIps.length === 0 ? [`${base}.1`] : routerIps).entries()) {
    const ns = await attach(`router-${i + 1}`, [ip]);
    // Routers forward the client's traffic to the nodes BGP names; no redirects, so the path stays via them.
    await ns.sysctl({ "net.ipv4.ip_forward": 1, "net.ipv4.conf.all.send_redirects": 0, "net.ipv4.conf.eth0.send_redirects": 0 });
    routers.push({ ns, ip });
  }
  const nodes: LabNode[] = [];
  for (const [i, name] of nodeNames.entries()) {
    const ip = `${base}.${11 + i}`;
    const ns = await attach(name, [ip]);
    nodes.push({ name, ns, ip, mac: await ns.mac("eth0") });
  }
  const clientIp = `${base}.100`;
  const client = await attach("client", [clientIp]);
  const gateway = (routers[0] as Router).ip;
  for (const pool of config.pools) {
    for (const cidr of pool.cidrs) {
      if (cidr.family !== "ipv4") continue;
      const route = pool.protocol === "layer2" ? ["route", "replace", formatPrefix(cidr), "dev", "eth0"] : ["route", "replace", formatPrefix(cidr), "via", gateway];
      await client.ip(route);
    }
  }
  // Learn the answering node's MAC from gratuitous ARP too, as hosts on a LAN usually do.
  await client.sysctl({ "net.ipv4.conf.eth0.arp_accept": 1 });
  return { subnet: `${base}.0/24`, prefixLength: 24, routers, client: { ns: client, ip: clientIp }, nodes };
}
