// Conflict evidence (RFC 5227 §2.1.1 and §2.4 for IPv4, RFC 4862 §5.4.3-5.4.4
// for IPv6): given a received frame, which of the IPs we probe for or
// announce some other host claims, and with which MAC. Pure; the announcer
// decides what to do (refuse, report, defend).
//
// A claim is a frame whose *sender* is the IP: an ARP reply or request with
// that sender IP, a Neighbor Advertisement for that target, a Neighbor
// Solicitation sent from that address. While probing, a host probing for the
// same IP at the same time (ARP probe with that target, DAD NS for that target)
// is a conflict too (RFC 5227 §2.1.1, RFC 4862 §5.4.3); while announcing it is
// not: the responder answers it and the other host backs off.
// Frames from any of this host's own MACs are never evidence.
import type { IpAddress } from "@ironlb/core/ip";
import { ArpOperation } from "./arp.ts";
import type { ParsedFrame } from "./frames.ts";
import type { Mac } from "./mac.ts";
import { findLla } from "./ndp.ts";

export type ConflictEvidence =
  /** An ARP reply whose sender IP is ours. */
  | "arp-reply"
  /** An ARP request (gratuitous or ordinary) whose sender IP is ours. */
  | "arp-request"
  /** An ARP probe (sender 0.0.0.0) for our IP: only while probing. */
  | "arp-probe"
  | "neighbor-advertisement"
  /** A Neighbor Solicitation sent from our IP. */
  | "neighbor-solicitation"
  /** A DAD probe (NS from ::) for our IP: only while probing. */
  | "dad-probe";

export interface Claim {
  readonly ip: IpAddress;
  readonly mac: Mac;
  readonly evidence: ConflictEvidence;
}

/**
 * The claim a frame makes on `ip`, if any. `phase` says whether we are still
 * probing for it; `ownMacs` are this host's interface MACs.
 */
export function claimOn(frame: ParsedFrame, ip: IpAddress, phase: "probing" | "announcing", ownMacs: ReadonlySet<Mac>): Claim | undefined {
  let claim: Claim | undefined;
  if (frame.kind === "arp" && ip.family === "ipv4") {
    const { arp } = frame;
    if (arp.senderIp.value === ip.value) {
      if (arp.operation === ArpOperation.Reply) claim = { ip, mac: arp.senderMac, evidence: "arp-reply" };
      else if (arp.operation === ArpOperation.Request) claim = { ip, mac: arp.senderMac, evidence: "arp-request" };
    } else if (phase === "probing" && arp.operation === ArpOperation.Request && arp.senderIp.value === 0n && arp.targetIp.value === ip.value) {
      claim = { ip, mac: arp.senderMac, evidence: "arp-probe" };
    }
  } else if (frame.kind === "icmpv6" && ip.family === "ipv6") {
    const { message, ipv6, ethernet } = frame;
    if (message.type === "neighbor-advertisement" && message.target.value === ip.value) {
      claim = { ip, mac: findLla(message.options, "target-lla") ?? ethernet.source, evidence: "neighbor-advertisement" };
    } else if (message.type === "neighbor-solicitation") {
      if (ipv6.source.value === ip.value) {
        claim = { ip, mac: findLla(message.options, "source-lla") ?? ethernet.source, evidence: "neighbor-solicitation" };
      } else if (phase === "probing" && ipv6.source.value === 0n && message.target.value === ip.value) {
        claim = { ip, mac: ethernet.source, evidence: "dad-probe" };
      }
    }
  }
  if (claim === undefined || ownMacs.has(claim.mac)) return undefined;
  return claim;
}

/** The IPs a frame could be claiming, so only their entries are looked at. */
export function claimCandidates(parsed: ParsedFrame): IpAddress[] {
  if (parsed.kind === "arp") return parsed.arp.senderIp.value === 0n ? [parsed.arp.targetIp] : [parsed.arp.senderIp];
  if (parsed.kind === "icmpv6") {
    const m = parsed.message;
    if (m.type === "neighbor-advertisement") return [m.target];
    if (m.type === "neighbor-solicitation") return parsed.ipv6.source.value === 0n ? [m.target] : [parsed.ipv6.source];
  }
  return [];
}
