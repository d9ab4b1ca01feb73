// The classic BPF program for NDP packet sockets: from everything with
// EtherType IPv6, keep only ICMPv6 Neighbor Solicitations and Advertisements
// carried directly after the fixed header (next header 58). Without it a
// packet socket bound to ETH_P_IPV6 would copy every IPv6 frame of the
// interface into the process.
//
// Offsets are from the start of the Ethernet frame (AF_PACKET SOCK_RAW): the
// IPv6 next header at 14 + 6, the ICMPv6 type at 14 + 40. A tagged frame on a
// parent interface does not match, which is what we want: VLANs are answered
// on their own interfaces. Opcodes are linux/filter.h's, spelled out here
// because this package takes only types from @ironlb/rawsock.
import type { BpfInstruction } from "@ironlb/rawsock";

const LD_H_ABS = 0x28; // BPF_LD | BPF_H | BPF_ABS
const LD_B_ABS = 0x30; // BPF_LD | BPF_B | BPF_ABS
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const RET_K = 0x06; // BPF_RET | BPF_K

const ETHERTYPE_OFFSET = 12;
const NEXT_HEADER_OFFSET = 20;
const ICMPV6_TYPE_OFFSET = 54;

/** Accepts IPv6 frames carrying ICMPv6 type 135 or 136; drops everything else. */
export const NDP_FILTER: readonly BpfInstruction[] = Object.freeze([
  { code: LD_H_ABS, jt: 0, jf: 0, k: ETHERTYPE_OFFSET },
  { code: JEQ_K, jt: 0, jf: 6, k: 0x86dd },
  { code: LD_B_ABS, jt: 0, jf: 0, k: NEXT_HEADER_OFFSET },
  { code: JEQ_K, jt: 0, jf: 4, k: 58 },
  { code: LD_B_ABS, jt: 0, jf: 0, k: ICMPV6_TYPE_OFFSET },
  { code: JEQ_K, jt: 1, jf: 0, k: 135 },
  { code: JEQ_K, jt: 0, jf: 1, k: 136 },
  { code: RET_K, jt: 0, jf: 0, k: 0x40000 },
  { code: RET_K, jt: 0, jf: 0, k: 0 },
]);

/** What the announcer asks its connection factory to open on an interface. */
export interface ConnSpec {
  readonly protocol: "arp" | "ndp";
  readonly ethertype: number;
  readonly filter: readonly BpfInstruction[] | undefined;
}

export const ARP_CONN: ConnSpec = Object.freeze({ protocol: "arp", ethertype: 0x0806, filter: undefined });
export const NDP_CONN: ConnSpec = Object.freeze({ protocol: "ndp", ethertype: 0x86dd, filter: NDP_FILTER });
