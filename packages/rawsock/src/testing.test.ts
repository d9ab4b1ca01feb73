// The in-memory segment behaves like a packet socket bound to an interface:
// ethertype binding, unicast/multicast/broadcast classification, membership,
// BPF filters, asynchronous delivery, iteration and close.
import { describe, expect, it } from "vitest";
import { Bpf, bpfJump, bpfStmt } from "./bpf.ts";
import { RawsockError } from "./errors.ts";
import type { ReceivedFrame } from "./packet-conn.ts";
import { createPacketConnPair, MemorySegment } from "./testing.ts";

const A = "02:00:00:00:00:0a";
const B = "02:00:00:00:00:0b";
const mac = (t: string) => Uint8Array.from(t.split(":").map((h) => parseInt(h, 16)));

function frame(dst: string, ethertype: number, body = 46): Uint8Array {
  const f = new Uint8Array(14 + body);
  f.set(mac(dst), 0);
  f.set(mac(A), 6);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  return f;
}

function collect(conn: { onFrame(l: (f: ReceivedFrame) => void): () => void }): ReceivedFrame[] {
  const got: ReceivedFrame[] = [];
  conn.onFrame((f) => got.push(f));
  return got;
}

describe("MemorySegment", () => {
  it("delivers after the sender returns, classified like sll_pkttype", async () => {
    const [a, b, seg] = createPacketConnPair({ mac: A, ethertype: 0x0806 }, { mac: B, ethertype: 0x0806 });
    const got = collect(b);
    a.send(frame("ff:ff:ff:ff:ff:ff", 0x0806));
    expect(got).toHaveLength(0);
    await seg.settled();
    a.send(frame(B, 0x0806));
    a.send(frame("02:00:00:00:00:99", 0x0806));
    await seg.settled();
    expect(got.map((f) => f.packetType)).toEqual(["broadcast", "host"]);
    expect(got[0]?.ifindex).toBe(b.ifindex);
    expect(a.sentFrames).toHaveLength(3);
    expect(seg.log).toHaveLength(3);
  });

  it("binds to an ethertype", async () => {
    const [a, b, seg] = createPacketConnPair({ mac: A, ethertype: 0x0806 }, { mac: B, ethertype: 0x86dd });
    const got = collect(b);
    a.send(frame("ff:ff:ff:ff:ff:ff", 0x0806));
    a.send(frame("ff:ff:ff:ff:ff:ff", 0x86dd));
    await seg.settled();
    expect(got).toHaveLength(1);
  });

  it("delivers multicast only to members (all-nodes is always joined), counting joins", async () => {
    const [a, b, seg] = createPacketConnPair({ mac: A, ethertype: 0x86dd }, { mac: B, ethertype: 0x86dd });
    const got = collect(b);
    const group = "33:33:ff:00:00:01";
    a.send(frame(group, 0x86dd));
    a.send(frame("33:33:00:00:00:01", 0x86dd));
    await seg.settled();
    expect(got.map((f) => f.packetType)).toEqual(["multicast"]);
    b.addMembership(mac(group));
    b.addMembership(mac(group));
    b.dropMembership(mac(group));
    expect(b.memberships()).toEqual([group]);
    a.send(frame(group, 0x86dd));
    await seg.settled();
    expect(got).toHaveLength(2);
    b.dropMembership(mac(group));
    expect(b.memberships()).toEqual([]);
    expect(() => b.dropMembership(mac(group))).toThrow(RawsockError);
  });

  it("runs the BPF filter and truncates to its return value", async () => {
    const seg = new MemorySegment();
    const a = seg.attach({ mac: A, ethertype: 0x0003 });
    const onlyLong = [bpfStmt(Bpf.LD | Bpf.LEN, 0), bpfJump(Bpf.JMP | Bpf.JGE | Bpf.K, 100, 0, 1), bpfStmt(Bpf.RET | Bpf.K, 20), bpfStmt(Bpf.RET | Bpf.K, 0)];
    const b = seg.attach({ mac: B, ethertype: 0x0003, filter: onlyLong });
    const got = collect(b);
    a.send(frame(B, 0x0800, 46));
    a.send(frame(B, 0x0800, 200));
    await seg.settled();
    expect(got.map((f) => f.data.length)).toEqual([20]);
  });

  it("iterates frames asynchronously and ends on close", async () => {
    const [a, b, seg] = createPacketConnPair({ mac: A, ethertype: 0x0806 }, { mac: B, ethertype: 0x0806 });
    const it = b[Symbol.asyncIterator]();
    a.send(frame(B, 0x0806));
    a.send(frame(B, 0x0806));
    await seg.settled();
    expect((await it.next()).done).toBe(false);
    const pending = it.next();
    const third = it.next();
    expect((await pending).done).toBe(false);
    b.close();
    expect((await third).done).toBe(true);
    expect(b.closed).toBe(true);
    expect(() => b.send(frame(A, 0x0806))).toThrow(expect.objectContaining({ code: "RAWSOCK_CLOSED" }));
    b.close(); // idempotent
  });

  it("a fatal error rejects the iterator and reaches error listeners", async () => {
    const [, b] = createPacketConnPair({ mac: A, ethertype: 0x0806 }, { mac: B, ethertype: 0x0806 });
    const errors: [string, boolean][] = [];
    b.onError((e, fatal) => errors.push([e.code, fatal]));
    const it = b[Symbol.asyncIterator]();
    const next = it.next();
    b.failWith(new RawsockError("RAWSOCK_ENETDOWN", "down"), false);
    b.failWith(new RawsockError("RAWSOCK_ENODEV", "gone"), true);
    await expect(next).rejects.toMatchObject({ code: "RAWSOCK_ENODEV" });
    expect(errors).toEqual([
      ["RAWSOCK_ENETDOWN", false],
      ["RAWSOCK_ENODEV", true],
    ]);
    expect(b.error?.code).toBe("RAWSOCK_ENODEV");
  });

  it("unsubscribes listeners", async () => {
    const [a, b, seg] = createPacketConnPair({ mac: A, ethertype: 0x0806 }, { mac: B, ethertype: 0x0806 });
    const got: ReceivedFrame[] = [];
    const off = b.onFrame((f) => got.push(f));
    off();
    a.send(frame(B, 0x0806));
    await seg.settled();
    expect(got).toHaveLength(0);
    expect(b.stats().framesReceived).toBe(1);
  });
});
