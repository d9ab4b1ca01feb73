// @ironlb/l2: ARP and NDP for layer 2 mode. Pure codecs (Ethernet with
// 802.1Q, ARP, IPv6, ICMPv6 Neighbor Solicitation/Advertisement), a responder
// that turns frames into replies or drop reasons, conflict evidence, and the
// announcer that runs it all over injected packet connections.
export { L2Error, type L2ErrorCode } from "./errors.ts";
// Decoders take a Reader and encoders a Writer built with l2ReadErrors / l2WriteErrors.
export { Reader, Writer } from "@ironlb/core/wire";
export { l2ReadErrors, l2WriteErrors } from "./wire.ts";
export {
  ALL_NODES,
  BROADCAST_MAC,
  ipv6MulticastMac,
  isGroupMac,
  macFromBytes,
  macToBytes,
  parseMac,
  solicitedNodeGroup,
  ZERO_MAC,
  type Mac,
} from "./mac.ts";
export {
  decodeEthernet,
  encodeEthernet,
  EtherType,
  ETHERNET_MIN_FRAME,
  padFrame,
  sizeOfEthernet,
  type EthernetFrame,
  type VlanTag,
} from "./ethernet.ts";
export { ArpOperation, arpOperationName, decodeArp, encodeArp, sizeOfArp, type ArpPacket } from "./arp.ts";
export { decodeIpv6, encodeIpv6, IpProtocol, sizeOfIpv6, upperLayerChecksum, type Ipv6Packet, type PseudoHeader } from "./ipv6.ts";
export {
  decodeIcmpv6,
  encodeIcmpv6,
  findLla,
  Icmpv6Type,
  NdpOptionType,
  sizeOfIcmpv6,
  type Icmpv6Message,
  type NdpOption,
  type NeighborAdvertisement,
  type NeighborSolicitation,
  type UnknownIcmpv6,
} from "./ndp.ts";
export { arpFrame, icmpv6Frame, parseFrame, type ParsedFrame } from "./frames.ts";
export { openKernelArpResponder, kernelArpProgram, type KernelArpFactory, type KernelArpHook, type KernelArpPort, type KernelArpResponder } from "./kernel-arp.ts";
export { arpProbe, dadProbe, gratuitousArp, unsolicitedNeighborAdvertisement } from "./outgoing.ts";
export {
  answerArp,
  answerNdp,
  type ArpDropReason,
  type DropReason,
  type NdpDropReason,
  type Ownership,
  type PortView,
  type Verdict,
} from "./responder.ts";
export { claimOn, type Claim, type ConflictEvidence } from "./conflicts.ts";
export { DEFAULT_EXCLUDED_INTERFACES, selectInterfaces, type InterfaceSelection, type SkipReason } from "./selection.ts";
export { ARP_CONN, NDP_CONN, NDP_FILTER, type ConnSpec } from "./filter.ts";
export { systemClock, type Clock, type TimerHandle } from "./clock.ts";
export type { IpCounters } from "./counters.ts";
export type { L2Event, L2EventSink, L2Protocol } from "./events.ts";
export {
  DEFAULT_GRATUITOUS,
  DEFAULT_PROBE,
  L2Announcer,
  type Announcement,
  type GratuitousOptions,
  type IpState,
  type IpStatus,
  type L2AnnouncerOptions,
  type ProbeOptions,
  type RescanReport,
} from "./announcer.ts";
