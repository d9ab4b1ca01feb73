// ICMPv6 messages with Neighbor Discovery's two that layer 2 needs, Neighbor
// Solicitation and Neighbor Advertisement (RFC 4861 §4.3, §4.4), their
// options (§4.6; link-layer address options §4.6.1 decoded, every other
// option kept as raw data), and the ICMPv6 checksum (RFC 4443 §2.3).
//
// NS:  type 135, code 0, checksum, reserved(4), target(16), options
// NA:  type 136, code 0, checksum, R|S|O + reserved(4), target(16), options
// Option: type(1), length(1, in units of 8 octets, never 0), data
//
// Decoding checks framing and the code only; the RFC 4861 §7.1 validity rules
// that need context (hop limit, multicast target, DAD source) live in the
// responder, which reports them as drop reasons. Other ICMPv6 types decode
// to `unknown` with their body kept.
import { ipFromBytes, ipToBytes, type IpAddress } from "@ironlb/core/ip";
import { Reader, type Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";
import { IpProtocol, upperLayerChecksum, type PseudoHeader } from "./ipv6.ts";
import { macFromBytes, macToBytes, type Mac } from "./mac.ts";
import { l2ReadErrors } from "./wire.ts";

// IANA ICMPv6 "type" numbers (RFC 4861 §4.3, §4.4).
export const Icmpv6Type = {
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
} as const;

// RFC 4861 §4.6 option types.
export const NdpOptionType = {
  SourceLinkLayerAddress: 1,
  TargetLinkLayerAddress: 2,
} as const;

// RFC 4861 §4.4 flag bits of the first byte after the checksum.
const FLAG_ROUTER = 0x80;
const FLAG_SOLICITED = 0x40;
const FLAG_OVERRIDE = 0x20;

export type NdpOption =
  | { readonly type: "source-lla"; readonly mac: Mac }
  | { readonly type: "target-lla"; readonly mac: Mac }
  /** Any other option (or a link-layer option that is not 6 bytes): type and the bytes after the length octet. */
  | { readonly type: "unknown"; readonly optionType: number; readonly data: Uint8Array };

export interface NeighborSolicitation {
  readonly type: "neighbor-solicitation";
  readonly target: IpAddress;
  readonly options: readonly NdpOption[];
}

export interface NeighborAdvertisement {
  readonly type: "neighbor-advertisement";
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: IpAddress;
  readonly options: readonly NdpOption[];
}

export interface UnknownIcmpv6 {
  readonly type: "unknown";
  readonly icmpType: number;
  readonly code: number;
  readonly body: Uint8Array;
}

export type Icmpv6Message = NeighborSolicitation | NeighborAdvertisement | UnknownIcmpv6;

const ICMPV6_HEADER = 4;
const NDP_FIXED = 20; // reserved/flags(4) + target(16)

/**
 * Decodes one ICMPv6 message filling the reader. With `pseudo`, the checksum
 * is verified first (L2_CHECKSUM); without, it is not looked at (fuzzing).
 */
export function decodeIcmpv6(r: Reader, pseudo?: PseudoHeader): Icmpv6Message {
  if (pseudo !== undefined) {
    const whole = r.copy(r.remaining, "ICMPv6 message");
    if (upperLayerChecksum(pseudo, IpProtocol.Icmpv6, whole) !== 0) throw new L2Error("L2_CHECKSUM", "ICMPv6 checksum mismatch");
    return decodeIcmpv6(new Reader(whole, l2ReadErrors));
  }
  const icmpType = r.u8("ICMPv6 type");
  const code = r.u8("ICMPv6 code");
  r.skip(2, "ICMPv6 checksum");
  if (icmpType !== Icmpv6Type.NeighborSolicitation && icmpType !== Icmpv6Type.NeighborAdvertisement) {
    return { type: "unknown", icmpType, code, body: r.copy(r.remaining, "ICMPv6 body") };
  }
  // RFC 4861 §7.1.1 / §7.1.2: ICMP Code is 0.
  if (code !== 0) throw new L2Error("L2_INVALID_FIELD", `ICMPv6 type ${icmpType} with code ${code}`);
  const flags = r.u8("NDP flags");
  r.skip(3, "NDP reserved");
  const target = ipFromBytes(r.copy(16, "NDP target address"));
  const options = decodeOptions(r);
  if (icmpType === Icmpv6Type.NeighborSolicitation) return { type: "neighbor-solicitation", target, options };
  return {
    type: "neighbor-advertisement",
    router: (flags & FLAG_ROUTER) !== 0,
    solicited: (flags & FLAG_SOLICITED) !== 0,
    override: (flags & FLAG_OVERRIDE) !== 0,
    target,
    options,
  };
}

function decodeOptions(r: Reader): NdpOption[] {
  const options: NdpOption[] = [];
  while (r.remaining > 0) {
    const optionType = r.u8("NDP option type");
    const units = r.u8("NDP option length");
    // RFC 4861 §4.6: "Nodes MUST silently discard an ND packet that contains an option with length zero."
    if (units === 0) throw new L2Error("L2_BAD_LENGTH", `NDP option ${optionType} with length 0`);
    const body = r.sub(units * 8 - 2, `NDP option ${optionType}`);
    const isLla = optionType === NdpOptionType.SourceLinkLayerAddress || optionType === NdpOptionType.TargetLinkLayerAddress;
    if (isLla && units === 1) {
      // RFC 2464 §8: on Ethernet the option is exactly 8 bytes, a 6-byte MAC.
      const mac = macFromBytes(body.copy(6, "link-layer address"));
      options.push({ type: optionType === NdpOptionType.SourceLinkLayerAddress ? "source-lla" : "target-lla", mac });
    } else {
      options.push({ type: "unknown", optionType, data: body.copy(body.remaining, "NDP option data") });
    }
    body.end(`NDP option ${optionType}`);
  }
  return options;
}

export function sizeOfIcmpv6(m: Icmpv6Message): number {
  if (m.type === "unknown") return ICMPV6_HEADER + m.body.length;
  return ICMPV6_HEADER + NDP_FIXED + m.options.reduce((n, o) => n + sizeOfOption(o), 0);
}

function sizeOfOption(o: NdpOption): number {
  return o.type === "unknown" ? 2 + o.data.length : 8;
}

/**
 * Encodes one ICMPv6 message. With `pseudo`, the checksum is computed and
 * filled in; without, it is left 0.
 */
export function encodeIcmpv6(w: Writer, m: Icmpv6Message, pseudo?: PseudoHeader): void {
  const start = w.offset;
  const size = sizeOfIcmpv6(m);
  if (m.type === "unknown") {
    checkByte(m.icmpType, "ICMPv6 type");
    checkByte(m.code, "ICMPv6 code");
    w.u8(m.icmpType);
    w.u8(m.code);
    w.u16(0);
    w.put(m.body);
  } else {
    if (m.target.family !== "ipv6") throw new L2Error("L2_INVALID_ARGUMENT", "an NDP target is an IPv6 address");
    const ns = m.type === "neighbor-solicitation";
    w.u8(ns ? Icmpv6Type.NeighborSolicitation : Icmpv6Type.NeighborAdvertisement);
    w.u8(0);
    w.u16(0);
    w.u8(ns ? 0 : (m.router ? FLAG_ROUTER : 0) | (m.solicited ? FLAG_SOLICITED : 0) | (m.override ? FLAG_OVERRIDE : 0));
    w.zeros(3);
    w.put(ipToBytes(m.target));
    for (const o of m.options) encodeOption(w, o);
  }
  w.assertWritten("ICMPv6", size, start);
  if (pseudo !== undefined) {
    const checksum = upperLayerChecksum(pseudo, IpProtocol.Icmpv6, w.bytes.subarray(start, start + size));
    w.bytes[start + 2] = checksum >>> 8;
    w.bytes[start + 3] = checksum & 0xff;
  }
}

function encodeOption(w: Writer, o: NdpOption): void {
  if (o.type === "unknown") {
    checkByte(o.optionType, "NDP option type");
    const total = 2 + o.data.length;
    if (total % 8 !== 0 || total > 255 * 8) throw new L2Error("L2_INVALID_ARGUMENT", `NDP option ${o.optionType}: ${total} bytes is not a multiple of 8 up to 2040`);
    w.u8(o.optionType);
    w.u8(total / 8);
    w.put(o.data);
    return;
  }
  w.u8(o.type === "source-lla" ? NdpOptionType.SourceLinkLayerAddress : NdpOptionType.TargetLinkLayerAddress);
  w.u8(1);
  w.put(macToBytes(o.mac));
}

function checkByte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new L2Error("L2_INVALID_ARGUMENT", `${what} ${v} is not a byte`);
}

/** The first link-layer address option of the given kind, if any. */
export function findLla(options: readonly NdpOption[], kind: "source-lla" | "target-lla"): Mac | undefined {
  for (const o of options) if (o.type === kind) return o.mac;
  return undefined;
}
