// @ironlb/rawsock: raw frames and socket options for Node, through a small
// N-API addon that only makes syscalls (native/rawsock.cc). Everything here
// builds and reads bytes in TypeScript.
//
// - openPacketConn: AF_PACKET frames on one interface (ARP, NDP); needs CAP_NET_RAW.
// - openTcpSocket & co: TCP_MD5SIG, TTL/MINTTL (GTSM), FREEBIND, BINDTODEVICE
//   on a socket handed to net.Socket / net.Server by fd.
// - listInterfaces / interfaceFacts: index, MAC, flags, master, IPv6 link-local.
// - EbpfAssembler, createMap, loadProgram, attachTcxIngress, attachXdp: small
//   tcx/XDP programs with one map, attached by a BPF link that dies with the process.
// In-memory PacketConns for tests live in @ironlb/rawsock/testing.
export { RawsockError, type RawsockErrorCode } from "./errors.ts";
export {
  closeFd,
  getMinTtl,
  getTtl,
  listenFd,
  openTcpSocket,
  setMinTtl,
  setTcpMd5,
  setTtl,
  type OpenTcpSocketExtras,
  type TcpSocketOptions,
} from "./tcp.ts";
export { EtherType, openPacketConn, type NativePacketConnExtras, type PacketConnOptions } from "./packet.ts";
export {
  ITERATOR_QUEUE_LIMIT,
  packetTypeName,
  type PacketConn,
  type PacketConnStats,
  type PacketType,
  type ReceivedFrame,
} from "./packet-conn.ts";
export {
  attachTcxIngress,
  attachXdp,
  BpfAttachType,
  BpfHelper,
  BpfMapType,
  BpfProgType,
  createMap,
  EbpfAssembler,
  loadProgram,
  mapDelete,
  mapLookup,
  mapUpdate,
  TcxAction,
  XdpAction,
  XdpFlags,
  type MapSpec,
  type ProgramSpec,
  type Reg,
} from "./ebpf.ts";
export { Bpf, BPF_MAXINSNS, bpfJump, bpfStmt, encodeBpf, type BpfInstruction } from "./bpf.ts";
export {
  checkInterfaceName,
  interfaceFacts,
  interfaceIndex,
  InterfaceFlag,
  listInterfaces,
  type InterfaceFacts,
  type InterfaceFlags,
} from "./interfaces.ts";
