// Ethernet II frames (IEEE 802.3 with an EtherType), with one IEEE 802.1Q tag
// understood on decode and encode.
//
// Layout: 6 bytes destination, 6 bytes source, [4 bytes 802.1Q tag: TPID
// 0x8100, PCP(3) DEI(1) VID(12)], 2 bytes EtherType, N bytes payload. No FCS:
// packet sockets never see it.
//
// Decode is liberal about length (no minimum payload: frames from the local
// kernel on a veth are not padded); the payload keeps any padding, and the
// protocol decoders above decide what padding they accept. Encode writes the
// frame exactly; padFrame() brings a frame to the 60-byte minimum for sending.
// Deliberately not here: 802.1ad (QinQ) and LLC/SNAP: such frames decode with
// their outer EtherType and the rest as payload.
import type { Reader, Writer } from "@ironlb/core/wire";
import { L2Error } from "./errors.ts";
import { macFromBytes, macToBytes, type Mac } from "./mac.ts";

// IEEE registry values as named in the RFCs that use them.
export const EtherType = {
  IPv4: 0x0800,
  Arp: 0x0806,
  Vlan: 0x8100,
  IPv6: 0x86dd,
} as const;

export const ETHERNET_HEADER_SIZE = 14;
const VLAN_TAG_SIZE = 4;
/** 64-byte minimum frame minus the 4-byte FCS. */
export const ETHERNET_MIN_FRAME = 60;
/** Minimum payload of an untagged frame; shorter payloads are padded. */
export const ETHERNET_MIN_PAYLOAD = 46;

export interface VlanTag {
  /** PCP, 0..7 */
  readonly priority: number;
  readonly dropEligible: boolean;
  /** VID, 0..4095 */
  readonly id: number;
}

export interface EthernetFrame {
  readonly destination: Mac;
  readonly source: Mac;
  readonly vlan?: VlanTag | undefined;
  readonly etherType: number;
  readonly payload: Uint8Array;
}

export function decodeEthernet(r: Reader): EthernetFrame {
  r.require(ETHERNET_HEADER_SIZE, "Ethernet header");
  const destination = macFromBytes(r.take(6, "destination"));
  const source = macFromBytes(r.take(6, "source"));
  let etherType = r.u16("EtherType");
  let vlan: VlanTag | undefined;
  if (etherType === EtherType.Vlan) {
    const tci = r.u16("802.1Q TCI");
    vlan = { priority: tci >>> 13, dropEligible: (tci & 0x1000) !== 0, id: tci & 0x0fff };
    etherType = r.u16("inner EtherType");
  }
  const payload = r.copy(r.remaining, "Ethernet payload");
  return vlan === undefined ? { destination, source, etherType, payload } : { destination, source, vlan, etherType, payload };
}

export function sizeOfEthernet(frame: EthernetFrame): number {
  return ETHERNET_HEADER_SIZE + (frame.vlan === undefined ? 0 : VLAN_TAG_SIZE) + frame.payload.length;
}

export function encodeEthernet(w: Writer, frame: EthernetFrame): void {
  const start = w.offset;
  if (!Number.isInteger(frame.etherType) || frame.etherType < 0 || frame.etherType > 0xffff) {
    throw new L2Error("L2_INVALID_ARGUMENT", `EtherType ${frame.etherType} is not 16 bits`);
  }
  w.put(macToBytes(frame.destination));
  w.put(macToBytes(frame.source));
  if (frame.vlan !== undefined) {
    const { priority, dropEligible, id } = frame.vlan;
    if (priority < 0 || priority > 7 || id < 0 || id > 0xfff) throw new L2Error("L2_INVALID_ARGUMENT", `bad 802.1Q tag ${JSON.stringify(frame.vlan)}`);
    w.u16(EtherType.Vlan);
    w.u16((priority << 13) | (dropEligible ? 0x1000 : 0) | id);
  }
  w.u16(frame.etherType);
  w.put(frame.payload);
  w.assertWritten("Ethernet", sizeOfEthernet(frame), start);
}

/** Pads a frame with zeros to the 60-byte Ethernet minimum (IEEE 802.3 §3.2.8). */
export function padFrame(frame: Uint8Array): Uint8Array {
  if (frame.length >= ETHERNET_MIN_FRAME) return frame;
  const out = new Uint8Array(ETHERNET_MIN_FRAME);
  out.set(frame);
  return out;
}
