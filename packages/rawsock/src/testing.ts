// @ironlb/rawsock/testing: an in-memory Ethernet segment whose attached
// PacketConns behave like AF_PACKET sockets bound to an interface: frames of
// other ethertypes are not delivered, unicast frames reach only the matching
// MAC, multicast frames only members of the group (plus the groups a NIC is
// always in), an attached BPF filter is run, and frames arrive asynchronously
// with the packet type the kernel would report. Everything a sender sends is
// recorded for assertions.
//
// Deliberately not here: timing, loss, FCS, VLAN tag offload.
import { RawsockError } from "./errors.ts";
import { runBpf, type BpfInstruction } from "./bpf.ts";
import { FrameHub, type PacketConn, type PacketType } from "./packet-conn.ts";

export { runBpf } from "./bpf.ts";

const ETH_P_ALL = 0x0003;

export interface MemoryConnOptions {
  readonly ifname?: string | undefined;
  readonly ifindex?: number | undefined;
  /** This interface's MAC, "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  readonly ethertype: number;
  readonly filter?: readonly BpfInstruction[] | undefined;
  /** Receive unicast frames for other MACs and every multicast group. */
  readonly promiscuous?: boolean | undefined;
  /** Multicast groups the "NIC" is always in (default: IPv6 all-nodes 33:33:00:00:00:01). */
  readonly alwaysMember?: readonly string[] | undefined;
}

export interface SegmentOptions {
  /** "microtask" (default) delivers after the sender returns, like a real socket; "sync" inline. */
  readonly delivery?: "microtask" | "sync" | undefined;
}

export interface LoggedFrame {
  /** ifname of the sender, or "inject" for frames injected by the test. */
  readonly from: string;
  readonly data: Uint8Array;
}

/** A shared L2 segment (a bridge, a cable) that MemoryPacketConns attach to. */
export class MemorySegment {
  readonly #conns = new Set<MemoryPacketConn>();
  readonly #delivery: "microtask" | "sync";
  #pending = 0;
  #nextIndex = 100;
  /** Every frame put on the segment, in order. */
  readonly log: LoggedFrame[] = [];

  constructor(options: SegmentOptions = {}) {
    this.#delivery = options.delivery ?? "microtask";
  }

  attach(options: MemoryConnOptions): MemoryPacketConn {
    const index = options.ifindex ?? this.#nextIndex++;
    const conn = new MemoryPacketConn(this, options, index);
    this.#conns.add(conn);
    return conn;
  }

  /** Puts a frame on the segment as if sent by a host that is not attached. */
  inject(frame: Uint8Array): void {
    this.transmit(undefined, frame);
  }

  /** Resolves once every frame sent so far (and any replies they caused, transitively) was delivered. */
  async settled(): Promise<void> {
    for (let i = 0; i < 1000 && this.#pending > 0; i++) await Promise.resolve();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }

  /** @internal used by MemoryPacketConn */
  detach(conn: MemoryPacketConn): void {
    this.#conns.delete(conn);
  }

  /** @internal used by MemoryPacketConn */
  transmit(sender: MemoryPacketConn | undefined, frame: Uint8Array): void {
    const copy = Uint8Array.from(frame);
    this.log.push({ from: sender?.ifname ?? "inject", data: copy });
    for (const conn of this.#conns) {
      if (conn === sender) continue;
      if (this.#delivery === "sync") conn.offer(copy);
      else {
        this.#pending++;
        queueMicrotask(() => {
          this.#pending--;
          conn.offer(copy);
        });
      }
    }
  }
}

export class MemoryPacketConn extends FrameHub implements PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  readonly ethertype: number;
  readonly mac: string;
  /** Frames this connection sent, in order. */
  readonly sentFrames: Uint8Array[] = [];
  readonly #segment: MemorySegment;
  readonly #macBytes: Uint8Array;
  readonly #filter: readonly BpfInstruction[] | undefined;
  readonly #promiscuous: boolean;
  readonly #always: Set<string>;
  // group MAC -> join count (the kernel counts PACKET_ADD_MEMBERSHIP per socket)
  readonly #groups = new Map<string, number>();
  readonly #ipv6Groups = new Map<string, number>();
  /** Every add/drop call, in order. */
  readonly membershipCalls: { op: "add" | "drop"; mac: string; ipv6Group: string | undefined }[] = [];

  constructor(segment: MemorySegment, options: MemoryConnOptions, ifindex: number) {
    super();
    this.#segment = segment;
    this.ifname = options.ifname ?? `mem${ifindex}`;
    this.ifindex = ifindex;
    this.ethertype = options.ethertype;
    this.mac = options.mac.toLowerCase();
    this.#macBytes = macBytes(this.mac);
    this.#filter = options.filter;
    this.#promiscuous = options.promiscuous === true;
    this.#always = new Set((options.alwaysMember ?? ["33:33:00:00:00:01"]).map((m) => m.toLowerCase()));
  }

  send(frame: Uint8Array): void {
    this.assertOpen("send");
    if (frame.length < 14) throw new RawsockError("RAWSOCK_EINVAL", "send: a frame is at least 14 bytes", { errno: 22, syscall: "send" });
    this.sentFrames.push(Uint8Array.from(frame));
    this.sent++;
    this.#segment.transmit(this, frame);
  }

  addMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void {
    this.assertOpen("addMembership");
    const key = macText(mac);
    this.#groups.set(key, (this.#groups.get(key) ?? 0) + 1);
    if (ipv6Group !== undefined) {
      const g = groupText(ipv6Group);
      this.#ipv6Groups.set(g, (this.#ipv6Groups.get(g) ?? 0) + 1);
    }
    this.membershipCalls.push({ op: "add", mac: key, ipv6Group: ipv6Group === undefined ? undefined : groupText(ipv6Group) });
  }

  dropMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void {
    this.assertOpen("dropMembership");
    const key = macText(mac);
    const n = this.#groups.get(key);
    if (n === undefined) throw new RawsockError("RAWSOCK_EADDRNOTAVAIL", `dropMembership: not a member of ${key}`);
    if (n <= 1) this.#groups.delete(key);
    else this.#groups.set(key, n - 1);
    if (ipv6Group !== undefined) {
      const g = groupText(ipv6Group);
      const m = this.#ipv6Groups.get(g) ?? 0;
      if (m <= 1) this.#ipv6Groups.delete(g);
      else this.#ipv6Groups.set(g, m - 1);
    }
    this.membershipCalls.push({ op: "drop", mac: key, ipv6Group: ipv6Group === undefined ? undefined : groupText(ipv6Group) });
  }

  /** Link-layer groups currently joined (each listed once), sorted. */
  memberships(): string[] {
    return [...this.#groups.keys()].sort();
  }

  /** IPv6 groups currently joined (32 hex digits each), sorted. */
  ipv6Groups(): string[] {
    return [...this.#ipv6Groups.keys()].sort();
  }

  /** Delivers a frame to this connection only, with an explicit packet type. */
  receive(frame: Uint8Array, packetType: PacketType, ifindex = this.ifindex): void {
    if (!this.closed) this.deliver({ data: frame, packetType, ifindex });
  }

  /** Simulates a receive error on this connection. */
  failWith(error: RawsockError, fatal: boolean): void {
    this.fail(error, fatal);
  }

  close(): void {
    if (this.markClosed()) this.#segment.detach(this);
  }

  /** @internal called by the segment: what the kernel + NIC would deliver. */
  offer(frame: Uint8Array): void {
    if (this.closed || frame.length < 14) return;
    const ethertype = ((frame[12] as number) << 8) | (frame[13] as number);
    if (this.ethertype !== ETH_P_ALL && ethertype !== this.ethertype) return;
    const type = this.#classify(frame);
    if (type === undefined) return;
    let data = frame;
    if (this.#filter !== undefined) {
      const keep = runBpf(this.#filter, frame);
      if (keep === 0) return;
      if (keep < frame.length) data = frame.subarray(0, keep);
    }
    this.deliver({ data, packetType: type, ifindex: this.ifindex });
  }

  #classify(frame: Uint8Array): PacketType | undefined {
    const dst = frame.subarray(0, 6);
    if (dst.every((b) => b === 0xff)) return "broadcast";
    if (((dst[0] as number) & 1) !== 0) {
      const key = macText(dst);
      return this.#promiscuous || this.#always.has(key) || this.#groups.has(key) ? "multicast" : undefined;
    }
    if (dst.every((b, i) => b === this.#macBytes[i])) return "host";
    return this.#promiscuous ? "otherhost" : undefined;
  }
}

/** Two connections on a fresh segment: what one sends, the other receives. */
export function createPacketConnPair(
  a: MemoryConnOptions,
  b: MemoryConnOptions,
  options: SegmentOptions = {},
): [MemoryPacketConn, MemoryPacketConn, MemorySegment] {
  const segment = new MemorySegment(options);
  return [segment.attach(a), segment.attach(b), segment];
}

function macBytes(text: string): Uint8Array {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text)) throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `"${text}" is not a MAC address`);
  return Uint8Array.from(text.split(":").map((h) => parseInt(h, 16)));
}

function macText(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function groupText(group: Uint8Array): string {
  return [...group].map((b) => b.toString(16).padStart(2, "0")).join("");
}
