// A fake host for announcer tests: interfaces attached to in-memory Ethernet
// segments (@ironlb/rawsock/testing), interface facts the test can change,
// and a peer on each segment that sees every frame and can send its own.
import { parseIp, type IpAddress } from "@ironlb/core/ip";
import { RawsockError, type InterfaceFacts, type PacketConn } from "@ironlb/rawsock";
import type { MemorySegment} from "@ironlb/rawsock/testing";
import { type MemoryPacketConn } from "@ironlb/rawsock/testing";
import { L2Announcer, type L2AnnouncerOptions } from "./announcer.ts";
import { FakeClock, sequence } from "./clock.fixtures.ts";
import type { L2Event } from "./events.ts";
import type { ConnSpec } from "./filter.ts";
import { parseFrame, type ParsedFrame } from "./frames.ts";

export interface FakeInterface {
  name: string;
  index: number;
  mac: string;
  up: boolean;
  broadcast: boolean;
  noArp: boolean;
  master: string | undefined;
  linkLocal: string | undefined;
  segment: MemorySegment;
}

export class FakeHost {
  readonly clock = new FakeClock();
  readonly events: L2Event[] = [];
  readonly interfaces = new Map<string, FakeInterface>();
  /** Every connection opened, newest last. */
  readonly conns: { ifname: string; spec: ConnSpec; conn: MemoryPacketConn }[] = [];
  /** Next openConn calls throw this (e.g. EPERM). */
  openError: RawsockError | undefined;
  announcer: L2Announcer | undefined;

  addInterface(name: string, init: Partial<FakeInterface> & { segment: MemorySegment }): FakeInterface {
    const index = this.interfaces.size + 2;
    const iface: FakeInterface = {
      name,
      index,
      mac: `02:00:00:00:00:${index.toString(16).padStart(2, "0")}`,
      up: true,
      broadcast: true,
      noArp: false,
      master: undefined,
      linkLocal: `fe80::${index}`,
      ...init,
    };
    this.interfaces.set(name, iface);
    return iface;
  }

  facts(): InterfaceFacts[] {
    return [...this.interfaces.values()].map((i) => ({
      name: i.name,
      index: i.index,
      mac: i.mac,
      flags: { up: i.up, broadcast: i.broadcast, loopback: false, pointToPoint: false, noArp: i.noArp, multicast: true, running: i.up },
      mtu: 1500,
      master: i.master,
      ipv6LinkLocal: i.linkLocal,
    }));
  }

  start(options: Partial<L2AnnouncerOptions> = {}): L2Announcer {
    this.announcer = new L2Announcer({
      openConn: (ifname, spec) => this.open(ifname, spec),
      listInterfaces: () => this.facts(),
      onEvent: (e) => this.events.push(e),
      clock: this.clock,
      random: sequence(0.5),
      rescanIntervalMs: 0,
      ...options,
    });
    return this.announcer;
  }

  open(ifname: string, spec: ConnSpec): PacketConn {
    if (this.openError !== undefined) throw this.openError;
    const iface = this.interfaces.get(ifname);
    if (iface === undefined) throw new RawsockError("RAWSOCK_ENODEV", `no ${ifname}`);
    const conn = iface.segment.attach({ ifname, ifindex: iface.index, mac: iface.mac, ethertype: spec.ethertype, filter: spec.filter });
    this.conns.push({ ifname, spec, conn });
    return conn;
  }

  conn(ifname: string, protocol: "arp" | "ndp"): MemoryPacketConn | undefined {
    return [...this.conns].reverse().find((c) => c.ifname === ifname && c.spec.protocol === protocol && !c.conn.closed)?.conn;
  }

  /** Frames our side sent on an interface's connection, parsed. */
  sent(ifname: string, protocol: "arp" | "ndp"): ParsedFrame[] {
    return this.conns.filter((c) => c.ifname === ifname && c.spec.protocol === protocol).flatMap((c) => c.conn.sentFrames.map((f) => parseFrame(f)));
  }

  eventsOf<T extends L2Event["type"]>(type: T): Extract<L2Event, { type: T }>[] {
    return this.events.filter((e): e is Extract<L2Event, { type: T }> => e.type === type);
  }
}

/** A peer on a segment that sees everything (promiscuous, all EtherTypes) and can send. */
export function peer(segment: MemorySegment, mac = "02:00:00:00:00:ee"): MemoryPacketConn & { frames(): ParsedFrame[] } {
  const conn = segment.attach({ ifname: "peer", mac, ethertype: 0x0003, promiscuous: true });
  const got: ParsedFrame[] = [];
  conn.onFrame((f) => got.push(parseFrame(f.data)));
  return Object.assign(conn, { frames: () => got });
}

export const ip = (text: string): IpAddress => parseIp(text);
