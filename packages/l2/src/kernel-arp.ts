// The kernel fast path for ARP: a BPF program on one interface that answers
// ARP requests for the IPs in its map in the kernel's receive path, before any
// process wakes up, so a reply takes what the kernel's own ARP takes (the
// user-space responder costs a process wakeup per request, ~100 us p50 on a
// busy VM and far more at p99; bench/l2.ts measures both).
//
// Where it hooks in: tcx ingress (Linux 6.6+), after GRO and the packet taps,
// on the skb the stack already has. That costs other traffic nothing beyond
// the program's first few comparisons, and tcx holds several programs per
// interface, so a CNI's own programs stay. The reply is sent with
// bpf_redirect to the interface's egress. Older kernels get the same program
// as generic XDP (XDP_TX); generic XDP copies every non-linear (GRO) packet on
// the interface to run at all, and an interface has one XDP slot, which is why
// it is only the fallback.
//
// It answers exactly what answerArp (responder.ts) answers, and hands every
// other frame on (TCX_NEXT / XDP_PASS), so the user-space responder still
// sees, counts and reports it:
//   - Ethernet + ARP for IPv4 over Ethernet (htype 1, ptype 0x0800, 6/4), no VLAN tag;
//   - operation request, sent to broadcast or to this interface's MAC;
//   - target IP in the map (announced on this interface, not probing, not refused);
//   - sender IP NOT in the map: a request from "our" IP is conflict evidence
//     (conflicts.ts), and gratuitous requests (sender = target) are never answered.
// The reply is the request rewritten in place: Ethernet destination =
// requester, source = our MAC; ARP reply, sender = (our MAC, the IP), target =
// the requester's (MAC, IP).
//
// The map holds, per IP (network byte order key), a 64-bit count of requests
// answered, added atomically by the program; the announcer folds it into the
// IP's counters. The program is attached through a BPF link: closing it, or
// the process exiting however it exits, detaches the program, so a killed
// speaker never keeps answering (the property failover depends on).
//
// Deliberately not here: NDP (a Neighbor Advertisement needs an ICMPv6
// checksum over a pseudo-header; the user-space responder answers NS), the
// per-request "request" events (answered requests no longer reach user space;
// the counters still count them), VLAN-tagged frames.
import { endianness } from "node:os";
import { ipToBytes, type IpAddress } from "@ironlb/core/ip";
import {
  attachTcxIngress,
  attachXdp,
  BpfAttachType,
  BpfHelper,
  BpfMapType,
  BpfProgType,
  closeFd,
  createMap,
  EbpfAssembler,
  loadProgram,
  mapDelete,
  mapLookup,
  mapUpdate,
  RawsockError,
  TcxAction,
  XdpAction,
  XdpFlags,
} from "@ironlb/rawsock";
import { macToBytes, type Mac } from "./mac.ts";

/** Where the program runs: tcx ingress, or generic XDP on kernels without tcx. */
export type KernelArpHook = "tcx" | "xdp";

/** Answers ARP for a set of IPv4 addresses on one interface, in the kernel. */
export interface KernelArpResponder {
  readonly hook: KernelArpHook;
  /** Starts answering for `ip` (IPv4). */
  add(ip: IpAddress): void;
  /** Stops answering for `ip`; returns how many requests were answered for it. */
  remove(ip: IpAddress): number;
  /** Requests answered for `ip` so far. */
  answered(ip: IpAddress): number;
  /** Detaches the program and frees the map. */
  close(): void;
}

/** What the announcer knows of the interface it wants a kernel responder on. */
export interface KernelArpPort {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Mac;
}

export type KernelArpFactory = (port: KernelArpPort) => KernelArpResponder;

const MAX_IPS = 65_536;
const LE = endianness() === "LE";

/** The bytes at a packet offset as the u16/u32 the program loads there (host byte order). */
function word(bytes: readonly number[]): number {
  let v = 0;
  const order = LE ? [...bytes].reverse() : bytes;
  for (const b of order) v = v * 256 + b;
  return v;
}

/** The program for one interface with MAC `mac`, looking IPs up in the map behind `mapFd`. */
export function kernelArpProgram(mac: Mac, mapFd: number, hook: KernelArpHook): Uint8Array {
  const m = [...macToBytes(mac)];
  const macHigh = word(m.slice(0, 4));
  const macLow = word(m.slice(4, 6));
  // Packet pointers in the context: struct xdp_md {data, data_end} or struct __sk_buff {..., data @76, data_end @80}.
  const [dataAt, endAt] = hook === "xdp" ? [0, 4] : [76, 80];
  const a = new EbpfAssembler();
  // r6 = ctx, r7 = data, r8 = data_end (callee-saved: they survive the calls)
  a.aluReg("mov", 6, 1);
  a.load(4, 7, 6, dataAt);
  a.load(4, 8, 6, endAt);
  a.aluReg("mov", 2, 7).alu("add", 2, 42).jumpReg("jgt", 2, 8, "pass");
  // Ethernet type ARP, then htype 1 / ptype 0x0800, hlen 6 / plen 4, operation request.
  a.load(2, 2, 7, 12).jump32("jne", 2, word([0x08, 0x06]), "pass");
  a.load(4, 2, 7, 14).jump32("jne", 2, word([0x00, 0x01, 0x08, 0x00]), "pass");
  a.load(2, 2, 7, 18).jump32("jne", 2, word([0x06, 0x04]), "pass");
  a.load(2, 2, 7, 20).jump32("jne", 2, word([0x00, 0x01]), "pass");
  // Ethernet destination: broadcast or this interface.
  a.load(4, 2, 7, 0).load(2, 3, 7, 4);
  a.jump32("jne", 2, 0xffffffff, "unicast").jump32("jeq", 3, 0xffff, "addressed");
  a.label("unicast").jump32("jne", 2, macHigh, "pass").jump32("jne", 3, macLow, "pass");
  a.label("addressed");
  // The sender IP must not be one we announce (that is a claim on it, for user space to see).
  a.load(4, 2, 7, 28).store(4, 10, -4, 2);
  a.loadMap(1, mapFd).aluReg("mov", 2, 10).alu("add", 2, -4).call(BpfHelper.map_lookup_elem);
  a.jump("jne", 0, 0, "pass");
  // The target IP must be one we announce here.
  a.load(4, 2, 7, 38).store(4, 10, -8, 2);
  a.loadMap(1, mapFd).aluReg("mov", 2, 10).alu("add", 2, -8).call(BpfHelper.map_lookup_elem);
  a.jump("jeq", 0, 0, "pass");
  a.alu("mov", 1, 1).atomicAdd64(0, 0, 1);
  // The reply, in place. Ethernet: destination = the requester, source = us.
  a.load(4, 2, 7, 6).store(4, 7, 0, 2);
  a.load(2, 2, 7, 10).store(2, 7, 4, 2);
  a.storeImm(4, 7, 6, macHigh).storeImm(2, 7, 10, macLow);
  // ARP: operation reply; target = the requester's MAC and IP; sender = us and the IP asked for.
  a.storeImm(2, 7, 20, word([0x00, 0x02]));
  a.load(4, 2, 7, 22).store(4, 7, 32, 2);
  a.load(2, 2, 7, 26).store(2, 7, 36, 2);
  a.load(4, 2, 7, 28).load(4, 3, 7, 38);
  a.store(4, 7, 38, 2).store(4, 7, 28, 3);
  a.storeImm(4, 7, 22, macHigh).storeImm(2, 7, 26, macLow);
  if (hook === "xdp") a.alu("mov", 0, XdpAction.TX).exit();
  else {
    // bpf_redirect(skb->ifindex, 0): out of the interface it came in on; returns TCX_REDIRECT.
    a.load(4, 1, 6, 40).alu("mov", 2, 0).call(BpfHelper.redirect).exit();
  }
  a.label("pass").alu("mov", 0, hook === "xdp" ? XdpAction.PASS : TcxAction.NEXT).exit();
  return a.bytes();
}

function key(ip: IpAddress): Uint8Array {
  if (ip.family !== "ipv4") throw new RangeError("the kernel ARP responder answers for IPv4 addresses only");
  return ipToBytes(ip);
}

function count(value: Uint8Array | undefined): number {
  return value === undefined ? 0 : Number(new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, LE));
}

/** Kernels without tcx refuse the attach type (EINVAL) or the program type/attach pairing. */
function tcxUnsupported(err: unknown): boolean {
  return err instanceof RawsockError && (err.code === "RAWSOCK_EINVAL" || err.code === "RAWSOCK_EOPNOTSUPP" || err.code === "RAWSOCK_ENOTSUP");
}

/**
 * Loads the program for `port` and attaches it at tcx ingress, or, on a
 * kernel without tcx, as generic ("skb") XDP, which every driver supports.
 * Needs CAP_BPF and CAP_NET_ADMIN; throws a RawsockError otherwise.
 */
export function openKernelArpResponder(port: KernelArpPort, options: { readonly hook?: KernelArpHook | "auto" | undefined } = {}): KernelArpResponder {
  const wanted = options.hook ?? "auto";
  // map, program, link: closed in reverse on failure, and by close().
  const fds: number[] = [];
  let hook: KernelArpHook = "tcx";
  try {
    const map = createMap({ type: BpfMapType.HASH, keySize: 4, valueSize: 8, maxEntries: MAX_IPS, name: "ironlb_arp" });
    fds.push(map);
    const attach = (h: KernelArpHook): number => {
      const insns = kernelArpProgram(port.mac, map, h);
      const prog =
        h === "tcx"
          ? loadProgram({ type: BpfProgType.SCHED_CLS, insns, license: "Apache-2.0", name: "ironlb_arp", expectedAttachType: BpfAttachType.TCX_INGRESS })
          : loadProgram({ type: BpfProgType.XDP, insns, license: "Apache-2.0", name: "ironlb_arp" });
      fds.push(prog);
      return h === "tcx" ? attachTcxIngress(prog, port.ifindex) : attachXdp(prog, port.ifindex, XdpFlags.SKB_MODE);
    };
    let link: number | undefined;
    if (wanted !== "xdp") {
      try {
        link = attach("tcx");
      } catch (err) {
        if (wanted === "tcx" || !tcxUnsupported(err)) throw err;
        // An older kernel: drop the tcx program (if it loaded) and try XDP.
        if (fds.length > 1) closeFd(fds.pop() as number);
      }
    }
    if (link === undefined) {
      hook = "xdp";
      link = attach("xdp");
    }
    fds.push(link);
  } catch (err) {
    for (const fd of fds.reverse()) closeFd(fd);
    throw err;
  }
  const [map, prog, link] = fds as [number, number, number];
  let closed = false;
  return {
    hook,
    add(ip) {
      if (!closed) mapUpdate(map, key(ip), new Uint8Array(8));
    },
    remove(ip) {
      if (closed) return 0;
      const k = key(ip);
      const n = count(mapLookup(map, k, 8));
      mapDelete(map, k);
      return n;
    },
    answered(ip) {
      return closed ? 0 : count(mapLookup(map, key(ip), 8));
    },
    close() {
      if (closed) return;
      closed = true;
      // The link first: the program stops answering before the map goes.
      closeFd(link);
      closeFd(prog);
      closeFd(map);
    },
  };
}
