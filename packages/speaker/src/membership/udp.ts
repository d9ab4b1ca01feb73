// UDP transport over node:dgram: one socket bound to the membership address
// (default port 7946, as MetalLB's memberlist). IPv4 addresses get a udp4
// socket, IPv6 ones (including "::") a udp6 socket; a socket bound to "::"
// is dual-stack, so it also reaches IPv4 peers, which it sees as
// ::ffff:a.b.c.d (folded back to IPv4 by endpoint.ts).
//
// Deliberately thin: no retries, no fragmentation logic (the protocol keeps
// datagrams under maxPacketSize), no DNS. Errors never throw out of here:
// an unreachable peer is the protocol's business, so they go to onError.
import dgram from "node:dgram";
import { canonicalAddress, endpoint, isIpv6, type Endpoint } from "./endpoint.ts";
import { MembershipError } from "./errors.ts";
import type { Transport } from "./transport.ts";

export interface UdpOptions {
  readonly address: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export async function openUdpTransport(options: UdpOptions): Promise<Transport> {
  const address = canonicalAddress(options.address);
  if (address === undefined) throw new MembershipError("MEMBERSHIP_BAD_ADDRESS", `bind address "${options.address}" is not an IP address`);
  const v6 = address.includes(":");
  const socket = dgram.createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: false });
  let onPacket: (bytes: Uint8Array, from: Endpoint) => void = () => {};
  let onError: (err: Error) => void = () => {};
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    socket.once("error", fail);
    socket.bind({ address, port: options.port, exclusive: true }, () => {
      socket.off("error", fail);
      resolve();
    });
  });
  socket.on("error", (err) => onError(err));
  socket.on("message", (msg, rinfo) => {
    const from = canonicalAddress(rinfo.address);
    if (from === undefined) return;
    onPacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: from, port: rinfo.port });
  });
  const bound = socket.address();
  const local = endpoint(bound.address, bound.port);
  let closed = false;
  return {
    local,
    send(to, bytes) {
      if (closed) return;
      let target = to.address;
      if (isIpv6(to) && !v6) {
        onError(new Error(`cannot send to ${to.address} from an IPv4 socket`));
        return;
      }
      // A dual-stack socket reaches IPv4 peers through their mapped form.
      if (v6 && !isIpv6(to)) target = `::ffff:${to.address}`;
      socket.send(bytes, to.port, target, (err) => {
        if (err) onError(err);
      });
    },
    onPacket(cb) {
      onPacket = cb;
    },
    onError(cb) {
      onError = cb;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
