// The frames layer 2 sends on its own initiative: announcements at takeover
// and probes before it. Pure builders over frames.ts.
//
// - Gratuitous ARP as MetalLB sends it (reference §3.1): an ARP request and an
//   ARP reply, sender IP = target IP = the VIP, sender MAC = the interface MAC,
//   to broadcast. The request's target MAC is zero (RFC 5227 §2.3), the
//   reply's broadcast (as MetalLB's mdlayher/arp). Padded to 60 bytes.
// - Unsolicited Neighbor Advertisement (RFC 4861 §7.2.6): to ff02::1 from the
//   link-local address, R=0 S=0 O=1, target link-layer option, hop limit 255.
// - ARP probe (RFC 5227 §2.1.1): a request with sender IP 0.0.0.0 and target
//   MAC zero, to broadcast.
// - DAD probe (RFC 4862 §5.4.2): a Neighbor Solicitation from :: to the
//   target's solicited-node group, without a source link-layer option.
import type { IpAddress } from "@ironlb/core/ip";
import { ArpOperation } from "./arp.ts";
import { arpFrame, icmpv6Frame } from "./frames.ts";
import { ALL_NODES, BROADCAST_MAC, ipv6MulticastMac, solicitedNodeGroup, UNSPECIFIED_V4, UNSPECIFIED_V6, ZERO_MAC, type Mac } from "./mac.ts";

export function gratuitousArp(ip: IpAddress, mac: Mac): [request: Uint8Array, reply: Uint8Array] {
  const base = { ethernetDestination: BROADCAST_MAC, ethernetSource: mac };
  return [
    arpFrame({ ...base, arp: { operation: ArpOperation.Request, senderMac: mac, senderIp: ip, targetMac: ZERO_MAC, targetIp: ip } }),
    arpFrame({ ...base, arp: { operation: ArpOperation.Reply, senderMac: mac, senderIp: ip, targetMac: BROADCAST_MAC, targetIp: ip } }),
  ];
}

export function unsolicitedNeighborAdvertisement(ip: IpAddress, mac: Mac, linkLocal: IpAddress): Uint8Array {
  return icmpv6Frame({
    ethernetDestination: ipv6MulticastMac(ALL_NODES),
    ethernetSource: mac,
    source: linkLocal,
    destination: ALL_NODES,
    message: { type: "neighbor-advertisement", router: false, solicited: false, override: true, target: ip, options: [{ type: "target-lla", mac }] },
  });
}

export function arpProbe(ip: IpAddress, mac: Mac): Uint8Array {
  return arpFrame({
    ethernetDestination: BROADCAST_MAC,
    ethernetSource: mac,
    arp: { operation: ArpOperation.Request, senderMac: mac, senderIp: UNSPECIFIED_V4, targetMac: ZERO_MAC, targetIp: ip },
  });
}

export function dadProbe(ip: IpAddress, mac: Mac): Uint8Array {
  const group = solicitedNodeGroup(ip);
  return icmpv6Frame({
    ethernetDestination: ipv6MulticastMac(group),
    ethernetSource: mac,
    source: UNSPECIFIED_V6,
    destination: group,
    message: { type: "neighbor-solicitation", target: ip, options: [] },
  });
}
