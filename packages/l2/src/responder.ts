// The answering half of layer 2, as pure functions: given a received frame
// (already parsed), the interface it arrived on and who owns which IP, either
// the reply frame to send or the reason the frame gets no answer. Reasons are
// stable strings modelled on MetalLB's dropReason (internal/layer2/arp.go,
// ndp.go), so packet tests are tables and operators can count them.
//
// ARP (RFC 826, MetalLB §3.1 "Answering ARP"): only requests, sent to
// broadcast or to this interface's MAC, for an IP announced on this interface.
// The reply says "target IP is-at <interface MAC>", unicast to the requester.
//
// NDP (RFC 4861 §7.1.1 validation, §7.2.3-7.2.4 answering): a Neighbor
// Solicitation with hop limit 255 for an IP announced here gets a Neighbor
// Advertisement from the interface's link-local address with hop limit 255 and
// a target link-layer option. Where MetalLB requires a source link-layer
// option, this follows the RFC instead:
//  - multicast NS without it (RFC 4861 §7.2.2 MUST include it): dropped, "no-source-lla";
//  - unicast NS without it (neighbour unreachability probes; the option is only
//    a SHOULD there): answered to the frame's Ethernet source;
//  - DAD probe from :: (RFC 4862 §5.4.3): answered to ff02::1 with S=0, which
//    makes the other host's DAD fail instead of letting it configure our IP.
// Override: RFC 4861 §7.2.4 says O SHOULD be 1 unless the target is anycast or
// proxied. MetalLB sends O=0 (it treats the VIP like a proxied address). With
// O=0 a neighbour whose entry still holds the previous owner's MAC in REACHABLE
// state keeps that MAC (RFC 4861 §7.2.5) until unreachability detection fails,
// seconds after a failover; the elected owner is the only answerer, so O=1
// (what Linux sends for its own addresses, see goldens NA_KERNEL) is the
// default, and `solicitedOverride: false` restores MetalLB's behaviour.
import { ipEquals, type IpAddress } from "@ironlb/core/ip";
import { ArpOperation } from "./arp.ts";
import { L2Error } from "./errors.ts";
import { arpFrame, icmpv6Frame, type ParsedFrame } from "./frames.ts";
import { ALL_NODES, BROADCAST_MAC, ipv6MulticastMac, isGroupMac, solicitedNodeGroup, type Mac } from "./mac.ts";
import { findLla } from "./ndp.ts";

/** The interface a frame arrived on, as the responder needs to see it. */
export interface PortView {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Mac;
  readonly linkLocal: IpAddress | undefined;
}

/**
 * Who answers for an IP on a port: "here" (announced on this interface),
 * "other-interface" (announced, but not here), "not-ready" (known but not
 * answering: probing, or refused after a conflict), "unknown".
 */
export type Ownership = "here" | "other-interface" | "not-ready" | "unknown";
export type OwnershipLookup = (ip: IpAddress, port: PortView) => Ownership;

export type ArpDropReason =
  | "malformed"
  /** ARP for something other than IPv4 over Ethernet. */
  | "unsupported"
  | "not-arp"
  /** An ARP reply (not ours to answer; the conflict monitor looks at it). */
  | "arp-reply"
  /** Any other operation (RARP, ...). */
  | "not-request"
  /** Sent to a unicast MAC that is not this interface's. */
  | "eth-destination"
  | "not-owned"
  | "not-announced"
  | "wrong-interface";

export type NdpDropReason =
  | "malformed"
  | "bad-checksum"
  | "not-icmpv6"
  /** ICMPv6, but not a Neighbor Solicitation (NAs go to the conflict monitor). */
  | "not-solicitation"
  /** RFC 4861 §7.1.1: hop limit is not 255, so it may come from off-link. */
  | "hop-limit"
  | "eth-destination"
  /** A multicast destination other than the target's solicited-node group. */
  | "ip-destination"
  | "no-source-lla"
  | "no-link-local"
  | "not-owned"
  | "not-announced"
  | "wrong-interface";

export type DropReason = ArpDropReason | NdpDropReason;

export type Verdict =
  | {
      readonly action: "reply";
      readonly protocol: "arp" | "ndp";
      /** The IP asked about. */
      readonly ip: IpAddress;
      /** Who asked (ARP sender / NS source link-layer address or Ethernet source). */
      readonly requester: Mac;
      readonly frame: Uint8Array;
    }
  | {
      readonly action: "drop";
      readonly protocol: "arp" | "ndp";
      readonly reason: DropReason;
      /** The IP asked about, once the frame got far enough to name one. */
      readonly ip: IpAddress | undefined;
      readonly requester: Mac | undefined;
    };

function drop(protocol: "arp" | "ndp", reason: DropReason, ip?: IpAddress, requester?: Mac): Verdict {
  return { action: "drop", protocol, reason, ip, requester };
}

/** A parse failure as the responder reports it. */
export function parseFailureReason(protocol: "arp" | "ndp", err: unknown): DropReason {
  if (!(err instanceof L2Error)) throw err;
  if (protocol === "arp" && err.code === "L2_UNSUPPORTED") return "unsupported";
  if (protocol === "ndp" && err.code === "L2_CHECKSUM") return "bad-checksum";
  return "malformed";
}

export function answerArp(frame: ParsedFrame, arrivalIfindex: number, port: PortView, owner: OwnershipLookup): Verdict {
  if (frame.kind !== "arp") return drop("arp", "not-arp");
  const { arp, ethernet } = frame;
  if (arp.operation === ArpOperation.Reply) return drop("arp", "arp-reply", arp.targetIp, arp.senderMac);
  if (arp.operation !== ArpOperation.Request) return drop("arp", "not-request", arp.targetIp, arp.senderMac);
  if (ethernet.destination !== BROADCAST_MAC && ethernet.destination !== port.mac) {
    return drop("arp", "eth-destination", arp.targetIp, arp.senderMac);
  }
  const ownership = arrivalIfindex === port.ifindex ? owner(arp.targetIp, port) : "other-interface";
  if (ownership !== "here") return drop("arp", ownershipReason(ownership), arp.targetIp, arp.senderMac);
  const reply = arpFrame({
    ethernetDestination: arp.senderMac,
    ethernetSource: port.mac,
    arp: { operation: ArpOperation.Reply, senderMac: port.mac, senderIp: arp.targetIp, targetMac: arp.senderMac, targetIp: arp.senderIp },
  });
  return { action: "reply", protocol: "arp", ip: arp.targetIp, requester: arp.senderMac, frame: reply };
}

export interface NdpAnswerOptions {
  /** The O flag of solicited advertisements (default true; MetalLB sends false). */
  readonly solicitedOverride?: boolean | undefined;
}

export function answerNdp(frame: ParsedFrame, arrivalIfindex: number, port: PortView, owner: OwnershipLookup, options: NdpAnswerOptions = {}): Verdict {
  if (frame.kind !== "icmpv6") return drop("ndp", "not-icmpv6");
  const { ethernet, ipv6, message } = frame;
  if (message.type !== "neighbor-solicitation") return drop("ndp", "not-solicitation");
  const target = message.target;
  const sourceLla = findLla(message.options, "source-lla");
  const requester = sourceLla ?? ethernet.source;
  // RFC 4861 §7.1.1: hop limit 255 proves the NS was not forwarded by a router.
  if (ipv6.hopLimit !== 255) return drop("ndp", "hop-limit", target, requester);
  const dad = ipv6.source.value === 0n;
  const multicastDst = ipv6.destination.value >> 120n === 0xffn;
  // RFC 4861 §7.1.1: the target is not multicast; a DAD probe goes to the
  // solicited-node group and carries no source link-layer option.
  if (target.value >> 120n === 0xffn) return drop("ndp", "malformed", target, requester);
  if (dad && (!multicastDst || sourceLla !== undefined)) return drop("ndp", "malformed", target, requester);
  if (ethernet.destination !== port.mac && (!isGroupMac(ethernet.destination) || ethernet.destination === BROADCAST_MAC)) {
    return drop("ndp", "eth-destination", target, requester);
  }
  if (multicastDst && !ipEquals(ipv6.destination, solicitedNodeGroup(target))) return drop("ndp", "ip-destination", target, requester);
  const ownership = arrivalIfindex === port.ifindex ? owner(target, port) : "other-interface";
  if (ownership !== "here") return drop("ndp", ownershipReason(ownership), target, requester);
  // RFC 4861 §7.2.2: a multicast NS from a specified source MUST carry the option.
  if (!dad && sourceLla === undefined && multicastDst) return drop("ndp", "no-source-lla", target, requester);
  if (port.linkLocal === undefined) return drop("ndp", "no-link-local", target, requester);
  const override = options.solicitedOverride ?? true;
  const reply = icmpv6Frame({
    // RFC 4861 §7.2.4: answer a DAD probe to all-nodes, unsolicited (S=0) and overriding.
    ethernetDestination: dad ? ipv6MulticastMac(ALL_NODES) : requester,
    ethernetSource: port.mac,
    source: port.linkLocal,
    destination: dad ? ALL_NODES : ipv6.source,
    message: {
      type: "neighbor-advertisement",
      router: false,
      solicited: !dad,
      override: dad ? true : override,
      target,
      options: [{ type: "target-lla", mac: port.mac }],
    },
  });
  return { action: "reply", protocol: "ndp", ip: target, requester, frame: reply };
}

function ownershipReason(o: Exclude<Ownership, "here">): DropReason {
  return o === "unknown" ? "not-owned" : o === "not-ready" ? "not-announced" : "wrong-interface";
}
