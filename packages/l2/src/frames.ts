// Whole frames: parse an Ethernet frame down to ARP or ICMPv6, and build the
// frames the responder and announcer send. Padding rules live here because
// only here are both layers in view: bytes after the inner packet are
// accepted only as Ethernet padding, i.e. when the payload is no longer than
// the 46-byte minimum (IEEE 802.3 §3.2.8); anything more is L2_TRAILING_BYTES.
import type { IpAddress } from "@ironlb/core/ip";
import { Reader, Writer } from "@ironlb/core/wire";
import { decodeArp, encodeArp, ARP_PACKET_SIZE, type ArpPacket } from "./arp.ts";
import { decodeEthernet, encodeEthernet, EtherType, ETHERNET_HEADER_SIZE, ETHERNET_MIN_PAYLOAD, padFrame, type EthernetFrame } from "./ethernet.ts";
import { decodeIpv6, encodeIpv6, IpProtocol, IPV6_HEADER_SIZE, type Ipv6Packet } from "./ipv6.ts";
import type { Mac } from "./mac.ts";
import { decodeIcmpv6, encodeIcmpv6, sizeOfIcmpv6, type Icmpv6Message } from "./ndp.ts";
import { L2Error } from "./errors.ts";
import { l2ReadErrors, l2WriteErrors } from "./wire.ts";

export type ParsedFrame =
  | { readonly kind: "arp"; readonly ethernet: EthernetFrame; readonly arp: ArpPacket }
  | { readonly kind: "icmpv6"; readonly ethernet: EthernetFrame; readonly ipv6: Ipv6Packet; readonly message: Icmpv6Message }
  /** Any other EtherType, or IPv6 that does not carry ICMPv6 directly. */
  | { readonly kind: "other"; readonly ethernet: EthernetFrame };

export interface ParseOptions {
  /** Verify the ICMPv6 checksum (default true; fuzzing turns it off). */
  readonly verifyChecksum?: boolean | undefined;
}

/** Parses a received frame; throws L2Error on anything malformed. */
export function parseFrame(bytes: Uint8Array, options: ParseOptions = {}): ParsedFrame {
  const ethernet = decodeEthernet(new Reader(bytes, l2ReadErrors));
  if (ethernet.etherType === EtherType.Arp) {
    const r = new Reader(ethernet.payload, l2ReadErrors);
    const arp = decodeArp(r);
    checkPadding(r, ethernet.payload.length, "ARP");
    return { kind: "arp", ethernet, arp };
  }
  if (ethernet.etherType === EtherType.IPv6) {
    const r = new Reader(ethernet.payload, l2ReadErrors);
    const ipv6 = decodeIpv6(r);
    checkPadding(r, ethernet.payload.length, "IPv6");
    if (ipv6.nextHeader !== IpProtocol.Icmpv6) return { kind: "other", ethernet };
    const pseudo = options.verifyChecksum === false ? undefined : { source: ipv6.source, destination: ipv6.destination };
    const message = decodeIcmpv6(new Reader(ipv6.payload, l2ReadErrors), pseudo);
    return { kind: "icmpv6", ethernet, ipv6, message };
  }
  return { kind: "other", ethernet };
}

function checkPadding(r: Reader, payloadLength: number, what: string): void {
  if (r.remaining > 0 && payloadLength > ETHERNET_MIN_PAYLOAD) {
    throw new L2Error("L2_TRAILING_BYTES", `${what}: ${r.remaining} bytes after the packet in a ${payloadLength}-byte payload`);
  }
}

export interface ArpFrameOptions {
  readonly ethernetDestination: Mac;
  readonly ethernetSource: Mac;
  readonly arp: ArpPacket;
}

/** An ARP frame, padded to the 60-byte minimum as a NIC would send it. */
export function arpFrame(o: ArpFrameOptions): Uint8Array {
  const payload = Writer.alloc(ARP_PACKET_SIZE, l2WriteErrors);
  encodeArp(payload, o.arp);
  return padFrame(ethernetBytes({ destination: o.ethernetDestination, source: o.ethernetSource, etherType: EtherType.Arp, payload: payload.bytes }));
}

export interface Icmpv6FrameOptions {
  readonly ethernetDestination: Mac;
  readonly ethernetSource: Mac;
  readonly source: IpAddress;
  readonly destination: IpAddress;
  /** RFC 4861 §7.1: NDP messages are sent with hop limit 255. */
  readonly hopLimit?: number | undefined;
  readonly message: Icmpv6Message;
}

/** An IPv6 frame carrying one ICMPv6 message with its checksum filled in. */
export function icmpv6Frame(o: Icmpv6FrameOptions): Uint8Array {
  const icmp = Writer.alloc(sizeOfIcmpv6(o.message), l2WriteErrors);
  encodeIcmpv6(icmp, o.message, { source: o.source, destination: o.destination });
  const ip: Ipv6Packet = {
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: IpProtocol.Icmpv6,
    hopLimit: o.hopLimit ?? 255,
    source: o.source,
    destination: o.destination,
    payload: icmp.bytes,
  };
  const packet = Writer.alloc(IPV6_HEADER_SIZE + icmp.bytes.length, l2WriteErrors);
  encodeIpv6(packet, ip);
  return ethernetBytes({ destination: o.ethernetDestination, source: o.ethernetSource, etherType: EtherType.IPv6, payload: packet.bytes });
}

function ethernetBytes(frame: EthernetFrame): Uint8Array {
  const w = Writer.alloc(ETHERNET_HEADER_SIZE + frame.payload.length, l2WriteErrors);
  encodeEthernet(w, frame);
  return w.bytes;
}
