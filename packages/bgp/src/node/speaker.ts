// A set of peers sharing one passive listener (TCP port 179 by default).
// The listener accepts a connection only from a configured peer's address and
// hands it to that peer's Session; anything else is closed at once. MD5 keys
// of all peers live on the listener (RFC 2385: the SYN must already be signed).
import type net from "node:net";
import { type IpAddress, parseIp, tryParseIp } from "@ironlb/core/ip";
import type { SessionEvent } from "../session/events.ts";
import { BgpPeer, type PeerOptions } from "./peer.ts";
import { defaultSocketFactory, type Listener, type SocketFactory } from "./sockets.ts";

export interface SpeakerOptions {
  /** Where to accept connections; false for no listener (active peers only). Default port 179 on all addresses. */
  readonly listen?: { readonly address?: string | undefined; readonly port?: number | undefined } | false | undefined;
  readonly socketFactory?: SocketFactory | undefined;
  /** Every session event, with the peer it belongs to. */
  readonly onEvent?: ((peer: string, e: SessionEvent) => void) | undefined;
}

export class BgpSpeaker {
  readonly #options: SpeakerOptions;
  readonly #factory: SocketFactory;
  // canonical peer address text -> peer
  readonly #peers = new Map<string, BgpPeer>();
  #listener: Listener | undefined;
  #listening: Promise<Listener> | undefined;

  constructor(options: SpeakerOptions = {}) {
    this.#options = options;
    this.#factory = options.socketFactory ?? defaultSocketFactory;
  }

  /** The bound listener address (port 0 in the options picks a free port). */
  get listenAddress(): net.AddressInfo | undefined {
    const a = this.#listener?.server.address();
    return a !== null && typeof a === "object" ? a : undefined;
  }

  /** Starts the listener now (it otherwise starts with the first passive peer). */
  async listen(): Promise<void> {
    await this.#ensureListener();
  }

  get peers(): readonly BgpPeer[] {
    return [...this.#peers.values()];
  }

  /** Adds and starts a peer; passive and "both" peers need the listener, which starts on first use. */
  async addPeer(options: PeerOptions): Promise<BgpPeer> {
    const key = canonical(parseIp(options.address));
    if (this.#peers.has(key)) throw Object.assign(new Error(`peer ${options.address} already configured`), { code: "BGP_PEER_EXISTS" });
    const peer = new BgpPeer(options, this.#factory, (e) => this.#options.onEvent?.(options.address, e));
    this.#peers.set(key, peer);
    if ((options.mode ?? "both") !== "active" && this.#options.listen !== false) {
      const l = await this.#ensureListener();
      if (options.password !== undefined) l.setMd5(options.address, options.password);
    }
    peer.start();
    return peer;
  }

  /** Stops a peer with Cease / Peer De-configured semantics (or a message) and forgets it. */
  removePeer(address: string, message?: string): void {
    const key = canonical(parseIp(address));
    const peer = this.#peers.get(key);
    if (peer === undefined) return;
    peer.stop({ message });
    this.#peers.delete(key);
    if (peer.options.password !== undefined && this.#listener !== undefined) {
      try {
        this.#listener.setMd5(address, null);
      } catch {
        // a plain listener never had the key
      }
    }
  }

  /** Stops every peer (Cease with `message`), then the listener. */
  async close(options: { readonly message?: string | undefined; readonly graceful?: boolean | undefined } = {}): Promise<void> {
    for (const p of this.#peers.values()) p.stop(options);
    // Let the NOTIFICATIONs and FINs go out before the process may exit.
    await Promise.all([...this.#peers.values()].map((p) => p.settled(1000)));
    for (const p of this.#peers.values()) p.dispose();
    this.#peers.clear();
    const server = this.#listener?.server;
    this.#listener = undefined;
    this.#listening = undefined;
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }

  #ensureListener(): Promise<Listener> {
    if (this.#listening !== undefined) return this.#listening;
    const l = this.#options.listen === false ? {} : (this.#options.listen ?? {});
    const address = l.address ?? "::";
    const family = parseIp(address).family;
    const md5 = [...this.#peers.values()].flatMap((p) => (p.options.password === undefined ? [] : [{ address: p.options.address, key: p.options.password }]));
    const needsNative = md5.length > 0 || this.peers.some((p) => p.options.gtsm === true || p.options.multihop !== undefined);
    this.#listening = this.#factory
      .listen({ family, address, port: l.port ?? 179, md5, native: needsNative }, (socket) => this.#accept(socket))
      .then((listener) => {
        this.#listener = listener;
        return listener;
      });
    return this.#listening;
  }

  #accept(socket: net.Socket): void {
    const text = socket.remoteAddress ?? "";
    const remote = tryParseIp(text.startsWith("::ffff:") && text.includes(".") ? text.slice(7) : text);
    const peer = remote === undefined ? undefined : this.#peers.get(canonical(remote));
    // Only configured peers (RFC 4271 §8.1: TcpConnection_Valid); others are closed at once.
    if (peer === undefined || (peer.options.mode ?? "both") === "active") {
      socket.destroy();
      return;
    }
    peer.offer(socket);
  }
}

function canonical(a: IpAddress): string {
  return `${a.family}/${a.value}`;
}
