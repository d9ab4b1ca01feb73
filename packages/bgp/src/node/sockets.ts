// How the driver gets TCP sockets: an injectable factory, so tests and
// platforms without the native addon can use plain `net`. The default factory
// uses plain `net` when no socket option is needed and @ironlb/rawsock when
// one is: TCP MD5 (RFC 2385), TTL for ebgp-multihop, GTSM (RFC 5082: send
// with TTL 255, accept only >= 254), binding to a device. Those must be set
// before the SYN (client) or on the listener (server), which `net` cannot do.
import net from "node:net";
import { openTcpSocket, setMinTtl, setTcpMd5, setTtl } from "@ironlb/rawsock";

export type Family = "ipv4" | "ipv6";

export interface SocketOptions {
  /** RFC 2385 key for this peer. */
  readonly md5Key?: string | undefined;
  /** IP TTL / hop limit of sent packets (ebgp-multihop; 255 for GTSM). */
  readonly ttl?: number | undefined;
  /** Minimum TTL of received packets (GTSM: 254). */
  readonly minTtl?: number | undefined;
  readonly bindToDevice?: string | undefined;
}

export interface ConnectRequest extends SocketOptions {
  readonly family: Family;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string | undefined;
}

export interface ListenRequest {
  readonly family: Family;
  readonly address: string;
  readonly port: number;
  /** MD5 keys per peer address, installed on the listener before accepting. */
  readonly md5: readonly { readonly address: string; readonly key: string }[];
  /** Use the native path even without keys (so keys can be added later). */
  readonly native: boolean;
}

export interface Listener {
  readonly server: net.Server;
  /** Adds or removes a peer's MD5 key (native listeners only). */
  setMd5(address: string, key: string | null): void;
}

export interface SocketFactory {
  connect(req: ConnectRequest): net.Socket;
  listen(req: ListenRequest, onConnection: (socket: net.Socket) => void): Promise<Listener>;
  /** Applies per-peer options to an accepted socket (TTL, GTSM). */
  configureAccepted(socket: net.Socket, family: Family, options: SocketOptions): void;
}

const needsNative = (o: SocketOptions) => o.md5Key !== undefined || o.ttl !== undefined || o.minTtl !== undefined || o.bindToDevice !== undefined;

/** The file descriptor behind a net.Socket. Node does not expose it publicly; libuv's handle has it on Unix. */
function fdOf(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

export const defaultSocketFactory: SocketFactory = {
  connect(req) {
    if (!needsNative(req)) {
      return net.connect({ host: req.remoteAddress, port: req.remotePort, ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }) });
    }
    const fd = openTcpSocket({
      family: req.family,
      bind: req.localAddress === undefined ? undefined : { address: req.localAddress, port: 0 },
      md5: req.md5Key === undefined ? undefined : [{ address: req.remoteAddress, key: req.md5Key }],
      ttl: req.ttl,
      minTtl: req.minTtl,
      bindToDevice: req.bindToDevice,
    });
    const socket = new net.Socket({ fd, readable: true, writable: true });
    return socket.connect({ host: req.remoteAddress, port: req.remotePort });
  },

  async listen(req, onConnection) {
    const server = net.createServer({ noDelay: true }, onConnection);
    let fd: number | undefined;
    if (req.native || req.md5.length > 0) {
      fd = openTcpSocket({ family: req.family, bind: { address: req.address, port: req.port }, md5: req.md5, reuseAddress: true, ipv6Only: false }, { listen: 64 });
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const ready = () => {
        server.off("error", reject);
        resolve();
      };
      if (fd !== undefined) server.listen({ fd }, ready);
      else server.listen({ host: req.address, port: req.port, exclusive: true }, ready);
    });
    const listenerFd = fd;
    return {
      server,
      setMd5(address, key) {
        if (listenerFd === undefined) throw new Error("a plain net listener cannot hold TCP MD5 keys");
        setTcpMd5(listenerFd, address, key);
      },
    };
  },

  configureAccepted(socket, family, options) {
    if (options.ttl === undefined && options.minTtl === undefined) return;
    const fd = fdOf(socket);
    if (fd === undefined) return;
    if (options.ttl !== undefined) setTtl(fd, family, options.ttl);
    if (options.minTtl !== undefined) setMinTtl(fd, family, options.minTtl);
  },
};
