// The wire oracle on hand-made captures: reassembly across segments, dropped
// retransmissions, the other direction ignored, a lost segment reported.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bgpMessagesInPcap } from "./bgp-pcap.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ilb-pcap-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bgp(type: number, bodyLength: number): Buffer {
  const m = Buffer.alloc(19 + bodyLength, 0xff);
  m.writeUInt16BE(19 + bodyLength, 16);
  m[18] = type;
  return m;
}

function frame(src: string, dst: string, seq: number, payload: Buffer, syn = false): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[9] = 6;
  Buffer.from(src.split(".").map(Number)).copy(ip, 12);
  Buffer.from(dst.split(".").map(Number)).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt32BE(seq, 4);
  tcp[12] = 5 << 4;
  tcp[13] = syn ? 0x02 : 0x18;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, tcp, payload]);
}

function pcap(frames: readonly [number, Buffer][]): string {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(262144, 16);
  g.writeUInt32LE(1, 20);
  const records = frames.map(([t, f]) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(t), 0);
    h.writeUInt32LE(Math.round((t % 1) * 1e6), 4);
    h.writeUInt32LE(f.length, 8);
    h.writeUInt32LE(f.length, 12);
    return Buffer.concat([h, f]);
  });
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(file, Buffer.concat([g, ...records]));
  return file;
}

const a = "10.99.1.2";
const b = "10.99.1.1";

describe("bgpMessagesInPcap", () => {
  it("reassembles one direction and splits it into messages", () => {
    const stream = Buffer.concat([bgp(1, 10), bgp(4, 0), bgp(2, 100), bgp(2, 30)]);
    const isn = 1000;
    const file = pcap([
      [1.0, frame(a, b, isn, Buffer.alloc(0), true)],
      [1.1, frame(a, b, isn + 1, stream.subarray(0, 40))],
      [1.2, frame(b, a, 5000, bgp(4, 0))], // the other direction
      [1.3, frame(a, b, isn + 1 + 40, stream.subarray(40, 150))],
      [1.35, frame(a, b, isn + 1, stream.subarray(0, 40))], // a retransmission
      [1.4, frame(a, b, isn + 1 + 150, stream.subarray(150))],
    ]);
    const got = bgpMessagesInPcap(file, { from: a, to: b });
    expect(got.map((m) => m.type)).toEqual([1, 4, 2, 2]);
    expect(got.map((m) => m.length)).toEqual([29, 19, 119, 49]);
    expect(got[2]?.time).toBeCloseTo(1.4, 5); // completed by the last segment
  });

  it("reports a hole in the stream instead of miscounting", () => {
    const stream = Buffer.concat([bgp(2, 50), bgp(2, 50)]);
    const file = pcap([
      [1.0, frame(a, b, 1, Buffer.alloc(0), true)],
      [1.1, frame(a, b, 2, stream.subarray(0, 30))],
      [1.2, frame(a, b, 2 + 60, stream.subarray(60))],
    ]);
    expect(() => bgpMessagesInPcap(file, { from: a, to: b })).toThrow(/LAB_EXEC_FAILED.*lost 30 bytes/);
  });
});
