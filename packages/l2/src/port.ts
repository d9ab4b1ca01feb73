// One interface the announcer answers on: its ARP and NDP packet connections,
// the solicited-node groups joined on it (reference-counted: several IPs can
// share a group, since it keeps only their low 24 bits), and per-reason drop
// counters. Owns no policy: the announcer decides what to send and join.
import { ipToBytes, type IpAddress } from "@ironlb/core/ip";
import type { PacketConn } from "@ironlb/rawsock";
import type { L2Protocol } from "./events.ts";
import { ipv6MulticastMac, macToBytes, solicitedNodeGroup, type Mac } from "./mac.ts";
import type { DropReason, PortView } from "./responder.ts";
import type { KernelArpResponder } from "./kernel-arp.ts";

export class Port implements PortView {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Mac;
  linkLocal: IpAddress | undefined;
  arp: PacketConn | undefined;
  ndp: PacketConn | undefined;
  /** Answers ARP in the kernel beside the ARP connection, when the announcer was given a factory. */
  kernel: KernelArpResponder | undefined;
  readonly drops = new Map<DropReason, number>();
  // solicited-node group MAC -> number of IPs that need it joined
  readonly #groups = new Map<Mac, number>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(ifname: string, ifindex: number, mac: Mac, linkLocal: IpAddress | undefined) {
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.mac = mac;
    this.linkLocal = linkLocal;
  }

  conn(protocol: L2Protocol): PacketConn | undefined {
    return protocol === "arp" ? this.arp : this.ndp;
  }

  /** Records a listener's unsubscribe function, run when the port closes. */
  track(off: () => void): void {
    this.#unsubscribe.push(off);
  }

  countDrop(reason: DropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  /** Joins the solicited-node group of `ip` on the NDP connection (first user joins). */
  joinSolicitedNode(ip: IpAddress): void {
    const conn = this.ndp;
    if (conn === undefined || conn.closed) return;
    const group = solicitedNodeGroup(ip);
    const mac = ipv6MulticastMac(group);
    const n = this.#groups.get(mac) ?? 0;
    if (n === 0) conn.addMembership(macToBytes(mac), ipToBytes(group));
    this.#groups.set(mac, n + 1);
  }

  /** Leaves it again once no IP needs it. */
  leaveSolicitedNode(ip: IpAddress): void {
    const group = solicitedNodeGroup(ip);
    const mac = ipv6MulticastMac(group);
    const n = this.#groups.get(mac);
    if (n === undefined) return;
    if (n > 1) {
      this.#groups.set(mac, n - 1);
      return;
    }
    this.#groups.delete(mac);
    const conn = this.ndp;
    if (conn !== undefined && !conn.closed) conn.dropMembership(macToBytes(mac), ipToBytes(group));
  }

  /** Groups joined now, for status and tests. */
  groups(): string[] {
    return [...this.#groups.keys()].sort();
  }

  closeKernel(): void {
    const kernel = this.kernel;
    this.kernel = undefined;
    kernel?.close();
  }

  closeConn(protocol: L2Protocol): void {
    const conn = this.conn(protocol);
    if (protocol === "arp") {
      this.arp = undefined;
      this.closeKernel();
    }
    else {
      this.ndp = undefined;
      // Memberships belong to the connection and go with it.
      this.#groups.clear();
    }
    conn?.close();
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.closeKernel();
    this.closeConn("arp");
    this.closeConn("ndp");
  }
}
