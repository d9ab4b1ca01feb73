// Bulk-loading GoBGP: writes an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) that
// `gobgp mrt inject global FILE` turns into global-RIB routes in about a second,
// where `gobgp global rib add` would take one process per prefix.
// Quirks of GoBGP 3.10's importer (lab.md), handled here:
//  - IPv6 records need MP_REACH_NLRI in full wire form (AFI, SAFI, next-hop
//    length, next hop, reserved byte, no NLRI), not RFC 6396 §4.3.4's
//    abbreviated form (next-hop length and next hop only);
//  - the last few hundred records of a file are lost (more on a busy machine:
//    the CLI seems to end its stream before everything is sent): the tail is
//    padded with repeats of the last records (re-adding a route changes
//    nothing), and injectMrt() checks that the RIB holds every prefix and
//    injects again when it does not.
// Attribute bytes are written by hand here (ORIGIN IGP, empty AS_PATH,
// NEXT_HOP or MP_REACH_NLRI): the baseline must not lean on the project's codec.
import { writeFileSync } from "node:fs";
import { LabError } from "../errors.ts";
import { waitFor } from "../wait-for.ts";
import type { GobgpRouter } from "./gobgp.ts";

const mrtTableDumpV2 = 13;
const peerIndexTable = 1;
const ribIpv4Unicast = 2;
const ribIpv6Unicast = 4;
const tailPadding = 2000;

export interface MrtRoutes {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly nextHopV4: string;
  readonly nextHopV6: string;
  /** Peer the dump claims the routes came from (only recorded in the file). */
  readonly peerAs: number;
  readonly peerId: string;
}

export function writeMrt(file: string, r: MrtRoutes): void {
  const time = Math.floor(Date.now() / 1000);
  const records: Buffer[] = [record(time, peerIndexTable, peerIndex(r.peerId, r.peerAs))];
  const ribs: Buffer[] = [];
  let seq = 0;
  const v4attrs = Buffer.concat([origin(), emptyAsPath(), nextHop(r.nextHopV4)]);
  const v6attrs = Buffer.concat([origin(), emptyAsPath(), mpReachFull(r.nextHopV6)]);
  for (const p of r.ipv4) ribs.push(record(time, ribIpv4Unicast, ribEntry(seq++, p, v4attrs, time)));
  for (const p of r.ipv6) ribs.push(record(time, ribIpv6Unicast, ribEntry(seq++, p, v6attrs, time)));
  // Padding: the last records once more, so whatever the importer drops at the end is a repeat.
  ribs.push(...ribs.slice(-tailPadding));
  writeFileSync(file, Buffer.concat([...records, ...ribs]));
}

/** `gobgp mrt inject global FILE` (again, up to 3 times) until the global RIB holds every prefix. */
export async function injectMrt(router: GobgpRouter, file: string, expected: { readonly ipv4: number; readonly ipv6: number }): Promise<void> {
  const held = async (family: "ipv4" | "ipv6"): Promise<number> => {
    const m = /Destination:\s*(\d+)/.exec(await router.cli(["global", "rib", "summary", "-a", family]));
    return m === null ? 0 : Number(m[1]);
  };
  const complete = async () => (await held("ipv4")) >= expected.ipv4 && (await held("ipv6")) >= expected.ipv6;
  for (let attempt = 1; attempt <= 3; attempt++) {
    await router.cli(["mrt", "inject", "global", file], { timeout: 120_000 });
    try {
      await waitFor(complete, { what: "GoBGP's global RIB to hold every injected prefix", timeout: 10_000, interval: 100 });
      return;
    } catch {
      // inject again: the lost records are re-read, the others re-added unchanged
    }
  }
  throw new LabError("LAB_ROUTER_FAILED", `MRT import incomplete after 3 injections: ${await held("ipv4")}/${expected.ipv4} IPv4, ${await held("ipv6")}/${expected.ipv6} IPv6`);
}

function record(time: number, subtype: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(time, 0);
  h.writeUInt16BE(mrtTableDumpV2, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

function peerIndex(peerId: string, peerAs: number): Buffer {
  const b = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  ipv4(peerId).copy(b, 0); // collector BGP ID
  b.writeUInt16BE(0, 4); // view name length
  b.writeUInt16BE(1, 6); // peer count
  b[8] = 0x02; // peer type: IPv4 address, 4-octet AS
  ipv4(peerId).copy(b, 9);
  ipv4(peerId).copy(b, 13);
  b.writeUInt32BE(peerAs, 17);
  return b;
}

function ribEntry(seq: number, prefix: string, attrs: Buffer, time: number): Buffer {
  const [addr = "", lenText = ""] = prefix.split("/");
  const len = Number(lenText);
  const bytes = (addr.includes(":") ? ipv6(addr) : ipv4(addr)).subarray(0, Math.ceil(len / 8));
  const b = Buffer.alloc(4 + 1 + bytes.length + 2 + 2 + 4 + 2);
  let o = b.writeUInt32BE(seq, 0);
  o = b.writeUInt8(len, o);
  o += bytes.copy(b, o);
  o = b.writeUInt16BE(1, o); // entry count
  o = b.writeUInt16BE(0, o); // peer index
  o = b.writeUInt32BE(time, o); // originated time
  b.writeUInt16BE(attrs.length, o);
  return Buffer.concat([b, attrs]);
}

// Path attributes: flags, type, length, value (RFC 4271 §4.3).
const origin = () => Buffer.from([0x40, 1, 1, 0]);
const emptyAsPath = () => Buffer.from([0x40, 2, 0]);
const nextHop = (a: string) => Buffer.concat([Buffer.from([0x40, 3, 4]), ipv4(a)]);

function mpReachFull(nh: string): Buffer {
  const value = Buffer.concat([Buffer.from([0, 2, 1, 16]), ipv6(nh), Buffer.from([0])]);
  return Buffer.concat([Buffer.from([0x80, 14, value.length]), value]);
}

function ipv4(a: string): Buffer {
  const parts = a.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new LabError("LAB_BAD_ARGUMENT", `"${a}" is not an IPv4 address`);
  return Buffer.from(parts);
}

function ipv6(a: string): Buffer {
  const [head = "", tail] = a.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) throw new LabError("LAB_BAD_ARGUMENT", `"${a}" is not an IPv6 address`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
