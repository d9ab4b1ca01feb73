// Counting BGP messages on the wire, as an oracle independent of both peers:
// reads a pcap file that tcpdump wrote (Ethernet link type), reassembles one
// direction of one TCP connection by sequence number (duplicates and
// retransmissions dropped), and splits the byte stream into BGP messages by
// the length in each 19-byte header. Each message gets the capture time of
// the segment that completed it. Deliberately no decoding beyond the header:
// the type byte is enough to count UPDATEs.
import { readFileSync } from "node:fs";
import { formatV6 } from "./addresses.ts";
import { LabError } from "./errors.ts";

export interface WireMessage {
  /** Capture time (seconds since the epoch) of the segment that completed the message. */
  readonly time: number;
  /** BGP message type (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH). */
  readonly type: number;
  readonly length: number;
}

interface Segment {
  readonly time: number;
  readonly seq: number;
  readonly data: Buffer;
  readonly syn: boolean;
}

const linktypeEthernet = 1;

/** BGP messages sent from `from` to `to` (addresses as tcpdump sees them) in the capture. */
export function bgpMessagesInPcap(file: string, direction: { readonly from: string; readonly to: string }): WireMessage[] {
  const segments = tcpSegments(readFileSync(file), direction);
  const synAt = segments.findIndex((s) => s.syn);
  // The stream starts after the SYN (seq + 1); without one, at the lowest sequence number seen.
  const isn = synAt >= 0 ? ((segments[synAt] as Segment).seq + 1) >>> 0 : Math.min(...segments.map((s) => s.seq));
  const ordered = segments
    .filter((s) => s.data.length > 0)
    .map((s) => ({ ...s, offset: ((s.seq - isn) >>> 0) }))
    .sort((a, b) => a.offset - b.offset || a.time - b.time);
  const out: WireMessage[] = [];
  let stream = Buffer.alloc(0);
  let streamEnd = 0; // offset of the first byte not yet appended
  for (const s of ordered) {
    const end = s.offset + s.data.length;
    if (end <= streamEnd) continue; // retransmission of bytes we have
    if (s.offset > streamEnd) throw new LabError("LAB_EXEC_FAILED", `${file}: the capture lost ${s.offset - streamEnd} bytes of the TCP stream at offset ${streamEnd}`);
    stream = Buffer.concat([stream, s.data.subarray(streamEnd - s.offset)]);
    streamEnd = end;
    while (stream.length >= 19) {
      const len = stream.readUInt16BE(16);
      if (len < 19) throw new LabError("LAB_EXEC_FAILED", `${file}: BGP header with length ${len}`);
      if (stream.length < len) break;
      out.push({ time: s.time, type: stream[18] as number, length: len });
      stream = stream.subarray(len);
    }
  }
  return out;
}

function tcpSegments(pcap: Buffer, dir: { readonly from: string; readonly to: string }): Segment[] {
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new LabError("LAB_BAD_ARGUMENT", "not a pcap file");
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  if (u32(20) !== linktypeEthernet) throw new LabError("LAB_BAD_ARGUMENT", `pcap link type ${u32(20)} is not Ethernet`);
  const out: Segment[] = [];
  for (let o = 24; o + 16 <= pcap.length; ) {
    const time = u32(o) + u32(o + 4) / (nano ? 1e9 : 1e6);
    const caplen = u32(o + 8);
    const origlen = u32(o + 12);
    const frame = pcap.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    if (caplen < origlen) throw new LabError("LAB_BAD_ARGUMENT", "the capture truncated packets (use -s 0)");
    const seg = parseFrame(frame, dir);
    if (seg !== undefined) out.push({ time, ...seg });
  }
  return out;
}

function parseFrame(f: Buffer, dir: { readonly from: string; readonly to: string }): { seq: number; data: Buffer; syn: boolean } | undefined {
  let at = 12;
  let etherType = f.readUInt16BE(at);
  if (etherType === 0x8100) etherType = f.readUInt16BE((at += 4));
  at += 2;
  let src: string;
  let dst: string;
  let tcpAt: number;
  let end: number;
  if (etherType === 0x0800) {
    if (f[at + 9] !== 6) return undefined;
    src = [...f.subarray(at + 12, at + 16)].join(".");
    dst = [...f.subarray(at + 16, at + 20)].join(".");
    tcpAt = at + ((f[at] as number) & 0x0f) * 4;
    end = at + f.readUInt16BE(at + 2);
  } else if (etherType === 0x86dd) {
    if (f[at + 6] !== 6) return undefined; // no extension headers on BGP sessions here
    src = v6(f.subarray(at + 8, at + 24));
    dst = v6(f.subarray(at + 24, at + 40));
    tcpAt = at + 40;
    end = tcpAt + f.readUInt16BE(at + 4);
  } else return undefined;
  if (src !== dir.from || dst !== dir.to) return undefined;
  const seq = f.readUInt32BE(tcpAt + 4);
  const flags = f[tcpAt + 13] as number;
  const dataAt = tcpAt + ((f[tcpAt + 12] as number) >> 4) * 4;
  return { seq, data: f.subarray(dataAt, end), syn: (flags & 0x02) !== 0 };
}

function v6(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  return formatV6(groups); // the same text form as the address plan (RFC 5952)
}
