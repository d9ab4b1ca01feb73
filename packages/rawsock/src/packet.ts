// openPacketConn: an AF_PACKET SOCK_RAW socket bound to one interface and one
// ethertype, read through a libuv poll handle (no thread, no busy loop) and
// exposed as a PacketConn.
//
// The socket is created with protocol 0, which receives nothing, and only
// starts receiving at bind() with the real ethertype: that way no frame of
// another interface or ethertype slips in between socket() and bind(), and
// the BPF filter (if any) is attached before the first frame is queued.
// PACKET_IGNORE_OUTGOING (Linux >= 4.20) keeps our own transmissions out of
// the receive path; on older kernels the same frames are dropped here by
// their PACKET_OUTGOING type.
//
// Deliberately not here: promiscuous mode, PACKET_MMAP rings, VLAN
// sub-interfaces (bind to the VLAN interface itself), parsing.
import { RawsockError } from "./errors.ts";
import { encodeBpf, type BpfInstruction } from "./bpf.ts";
import { interfaceIndex } from "./interfaces.ts";
import { addon, sys, toRawsockError, type NativeAddon, type NativeError, type NativePoller } from "./native.ts";
import { FrameHub, packetTypeName, type PacketConn } from "./packet-conn.ts";
import { intValue, ipv6Mreq, packetMreq, sockaddrLl } from "./sockaddr.ts";

export interface PacketConnOptions {
  /** Classic BPF program attached with SO_ATTACH_FILTER before the first frame. */
  readonly filter?: readonly BpfInstruction[] | undefined;
  /** Also deliver frames this host transmits (default: ignore them). */
  readonly receiveOutgoing?: boolean | undefined;
}

/** IEEE 802 ethertypes commonly bound (linux/if_ether.h ETH_P_*). */
export const EtherType = {
  All: 0x0003,
  IPv4: 0x0800,
  Arp: 0x0806,
  IPv6: 0x86dd,
} as const;

const PRIVILEGE = "CAP_NET_RAW";

/** Opens a packet socket on `ifname` for `ethertype`. Needs CAP_NET_RAW. */
export function openPacketConn(ifname: string, ethertype: number, options: PacketConnOptions = {}): PacketConn & NativePacketConnExtras {
  if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff) {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `ethertype must be 0..0xffff, not ${ethertype}`);
  }
  const a = addon();
  const c = a.constants;
  const program = options.filter === undefined ? undefined : encodeBpf(options.filter);
  const ifindex = interfaceIndex(ifname);
  const what = `open packet socket on ${ifname}`;
  const fd = sys(what, PRIVILEGE, () => a.socket(c.AF_PACKET, c.SOCK_RAW, 0));
  let ignoreOutgoingInKernel = false;
  try {
    if (options.receiveOutgoing !== true) {
      try {
        a.setsockopt(fd, c.SOL_PACKET, c.PACKET_IGNORE_OUTGOING, intValue(1));
        ignoreOutgoingInKernel = true;
      } catch (err) {
        // ENOPROTOOPT before Linux 4.20: fall back to dropping by pkttype.
        if ((err as NativeError).errno === undefined) throw err;
      }
    }
    if (program !== undefined) sys(`${what}: SO_ATTACH_FILTER`, undefined, () => a.attachFilter(fd, program));
    sys(`${what}: bind`, PRIVILEGE, () => a.bind(fd, sockaddrLl(c.AF_PACKET, ethertype, ifindex)));
  } catch (err) {
    a.close(fd);
    throw err;
  }
  return new NativePacketConn(a, fd, ifname, ifindex, ethertype, options.receiveOutgoing !== true && !ignoreOutgoingInKernel);
}

export interface NativePacketConnExtras {
  /** Lets the process exit while this connection is open (like socket.unref()). */
  unref(): void;
  ref(): void;
  stats(): { framesReceived: number; framesSent: number; framesDropped: number };
}

class NativePacketConn extends FrameHub implements PacketConn, NativePacketConnExtras {
  readonly ifname: string;
  readonly ifindex: number;
  readonly ethertype: number;
  readonly #addon: NativeAddon;
  readonly #fd: number;
  readonly #poller: NativePoller;
  readonly #dropOutgoing: boolean;
  // "mac|group" -> joins not yet dropped
  readonly #memberships = new Map<string, number>();
  #groupFd: number | undefined;

  constructor(a: NativeAddon, fd: number, ifname: string, ifindex: number, ethertype: number, dropOutgoing: boolean) {
    super();
    this.#addon = a;
    this.#fd = fd;
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.ethertype = ethertype;
    this.#dropOutgoing = dropOutgoing;
    try {
      this.#poller = new a.Poller(fd, (err, frames, meta) => this.#onPoll(err, frames, meta));
    } catch (err) {
      a.close(fd);
      throw toRawsockError(err, `poll packet socket on ${ifname}`);
    }
  }

  #onPoll(err: NativeError | null, frames: Buffer[] | null, meta: Int32Array | null): void {
    if (this.closed) return;
    if (err !== null) {
      this.fail(toRawsockError(err, `receive on ${this.ifname}`), err.fatal === true);
      return;
    }
    if (frames === null || meta === null) return;
    for (let i = 0; i < frames.length && !this.closed; i++) {
      const packetType = packetTypeName(meta[2 * i] as number);
      if (this.#dropOutgoing && packetType === "outgoing") continue;
      this.deliver({ data: frames[i] as Buffer, packetType, ifindex: meta[2 * i + 1] as number });
    }
  }

  send(frame: Uint8Array): void {
    this.assertOpen("send");
    sys(`send on ${this.ifname}`, PRIVILEGE, () => this.#addon.send(this.#fd, frame));
    this.sent++;
  }

  addMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void {
    this.assertOpen("addMembership");
    const key = membershipKey(mac, ipv6Group);
    const count = this.#memberships.get(key) ?? 0;
    if (count === 0) {
      const c = this.#addon.constants;
      this.#packetMembership(mac, c.PACKET_ADD_MEMBERSHIP, "PACKET_ADD_MEMBERSHIP");
      if (ipv6Group !== undefined) {
        try {
          this.#ipv6Membership(ipv6Group, c.IPV6_ADD_MEMBERSHIP, "IPV6_ADD_MEMBERSHIP");
        } catch (err) {
          this.#packetMembership(mac, c.PACKET_DROP_MEMBERSHIP, "PACKET_DROP_MEMBERSHIP");
          throw err;
        }
      }
    }
    this.#memberships.set(key, count + 1);
  }

  dropMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void {
    this.assertOpen("dropMembership");
    const key = membershipKey(mac, ipv6Group);
    const count = this.#memberships.get(key);
    if (count === undefined) {
      throw new RawsockError("RAWSOCK_EADDRNOTAVAIL", `dropMembership on ${this.ifname}: ${key} was not joined`);
    }
    if (count > 1) {
      this.#memberships.set(key, count - 1);
      return;
    }
    this.#memberships.delete(key);
    const c = this.#addon.constants;
    this.#packetMembership(mac, c.PACKET_DROP_MEMBERSHIP, "PACKET_DROP_MEMBERSHIP");
    if (ipv6Group !== undefined) this.#ipv6Membership(ipv6Group, c.IPV6_DROP_MEMBERSHIP, "IPV6_DROP_MEMBERSHIP");
  }

  #packetMembership(mac: Uint8Array, option: number, name: string): void {
    if (mac.length !== 6 || ((mac[0] as number) & 1) === 0) {
      throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `${name}: a multicast MAC is 6 bytes with the group bit set`);
    }
    const c = this.#addon.constants;
    const mreq = packetMreq(this.ifindex, c.PACKET_MR_MULTICAST, mac);
    sys(`${name} on ${this.ifname}`, PRIVILEGE, () => this.#addon.setsockopt(this.#fd, c.SOL_PACKET, option, mreq));
  }

  // IPv6-level joins go through a UDP socket that is never bound, so it can
  // receive nothing: it exists only to hold the memberships (and make the
  // kernel send MLD reports for them).
  #ipv6Membership(group: Uint8Array, option: number, name: string): void {
    if (group.length !== 16 || group[0] !== 0xff) {
      throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `${name}: an IPv6 multicast group is 16 bytes starting with ff`);
    }
    const a = this.#addon;
    const c = a.constants;
    this.#groupFd ??= sys(`${name} on ${this.ifname}: socket`, undefined, () => a.socket(c.AF_INET6, c.SOCK_DGRAM, 0));
    const fd = this.#groupFd;
    sys(`${name} on ${this.ifname}`, undefined, () => a.setsockopt(fd, c.IPPROTO_IPV6, option, ipv6Mreq(group, this.ifindex)));
  }

  unref(): void {
    if (!this.closed) this.#poller.unref();
  }

  ref(): void {
    if (!this.closed) this.#poller.ref();
  }

  close(): void {
    if (!this.markClosed()) return;
    // The poller owns the packet fd: it stops polling and closes it in one step.
    this.#poller.close();
    // Closing the group socket leaves its IPv6 groups (and the NIC filter entries go with the packet fd).
    if (this.#groupFd !== undefined) this.#addon.close(this.#groupFd);
    this.#groupFd = undefined;
    this.#memberships.clear();
  }
}

function membershipKey(mac: Uint8Array, ipv6Group: Uint8Array | undefined): string {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return ipv6Group === undefined ? hex(mac) : `${hex(mac)}|${hex(ipv6Group)}`;
}
