// The Node driver for one Session: real sockets, real timers, nothing else.
// It owns net.Sockets and setTimeout handles and feeds what happens back into
// the sans-IO Session; every decision is the Session's.
//
// Closing: the Session asks to close after queueing a NOTIFICATION; we end the
// socket (so the NOTIFICATION is flushed, then FIN) and destroy it if the
// peer does not finish the close within a few seconds. A frozen peer (SIGSTOP)
// still has a kernel that ACKs, so our hold-timer NOTIFICATION waits in its
// receive buffer and is read when it resumes.
//
// BFD (RFC 5880) is not here yet; the seam is `lost()`: a liveness detector
// calls it and the Session handles it as a TCP failure of the established
// connection.
import type net from "node:net";
import { type IpAddress, type IpFamily, parseIp, tryParseIp } from "@ironlb/core/ip";
import type { ConnId } from "../fsm/types.ts";
import type { Advertisement } from "../session/advertisement.ts";
import type { SessionCounters, SessionEvent } from "../session/events.ts";
import type { SessionOptions } from "../session/options.ts";
import { Session } from "../session/session.ts";
import type { SocketFactory, SocketOptions } from "./sockets.ts";

export interface PeerOptions extends SessionOptions {
  /** The peer's address. */
  readonly address: string;
  /** The peer's TCP port. Default 179. */
  readonly port?: number | undefined;
  /** Source address of our connections. */
  readonly localAddress?: string | undefined;
  /** TCP MD5 key (RFC 2385). */
  readonly password?: string | undefined;
  /** Hops for ebgp-multihop (IP TTL of our packets). */
  readonly multihop?: number | undefined;
  /** RFC 5082 GTSM: send TTL 255, accept only TTL >= 254 (directly connected peers). */
  readonly gtsm?: boolean | undefined;
  readonly bindToDevice?: string | undefined;
}

const CLOSE_GRACE_MS = 3000;

export class BgpPeer {
  readonly session: Session;
  readonly address: IpAddress;
  readonly options: PeerOptions;
  readonly #sockets = new Map<ConnId, net.Socket>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #factory: SocketFactory;
  readonly #listeners = new Set<(e: SessionEvent) => void>();
  // sockets ended but not yet closed (their NOTIFICATION may still be in flight)
  readonly #closing = new Set<net.Socket>();

  constructor(options: PeerOptions, factory: SocketFactory, onEvent?: (e: SessionEvent) => void) {
    this.options = options;
    this.address = parseIp(options.address);
    this.#factory = factory;
    if (onEvent !== undefined) this.#listeners.add(onEvent);
    const started = performance.now();
    this.session = new Session(options, {
      now: () => performance.now() - started,
      onEvent: (e) => {
        for (const l of this.#listeners) l(e);
      },
      transport: {
        connect: (conn) => this.#connect(conn),
        write: (conn, bytes) => this.#sockets.get(conn)?.write(bytes) ?? true,
        close: (conn) => this.#close(conn),
        setTimer: (key, ms) => {
          clearTimeout(this.#timers.get(key));
          this.#timers.set(key, setTimeout(() => {
            this.#timers.delete(key);
            this.session.timerFired(key);
          }, ms));
        },
        clearTimer: (key) => {
          clearTimeout(this.#timers.get(key));
          this.#timers.delete(key);
        },
      },
    });
  }

  get family(): IpFamily {
    return this.address.family;
  }

  /** Socket options for this peer, as the factory wants them. */
  get socketOptions(): SocketOptions {
    const o = this.options;
    return {
      md5Key: o.password,
      ttl: o.gtsm === true ? 255 : o.multihop,
      minTtl: o.gtsm === true ? 254 : undefined,
      bindToDevice: o.bindToDevice,
    };
  }

  /** Subscribes to session events; returns the unsubscribe function. */
  on(listener: (e: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.session.start();
  }

  /** Cease / Administrative Shutdown with an optional RFC 9003 message; or a graceful close (no NOTIFICATION). */
  stop(options: { readonly message?: string | undefined; readonly graceful?: boolean | undefined } = {}): void {
    this.session.stop(options);
  }

  setAdvertisements(all: Iterable<Advertisement>): void {
    this.session.setAdvertisements(all);
  }

  counters(): SessionCounters {
    return this.session.counters();
  }

  /** Resolves once the session reaches `state` (e.g. "Established"); rejects after `timeoutMs`. */
  waitFor(state: SessionCounters["state"], timeoutMs = 60_000): Promise<void> {
    if (this.session.state === state) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(Object.assign(new Error(`BGP session with ${this.options.address} not ${state} after ${timeoutMs} ms`), { code: "BGP_TIMEOUT" }));
      }, timeoutMs);
      const off = this.on((e) => {
        if (e.type === "stateChanged" && e.to === state) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  /** The liveness seam (BFD later): the established connection is gone. */
  lost(): void {
    const conn = this.session.establishedConnection;
    if (conn !== undefined) this.session.closed(conn);
  }

  /** Called by the listener with a connection from this peer's address. */
  offer(socket: net.Socket): void {
    const endpoints = { localAddress: addr(socket.localAddress), remoteAddress: addr(socket.remoteAddress) };
    const ok = this.session.offerInbound(endpoints, (conn) => {
      this.#factory.configureAccepted(socket, this.family, this.socketOptions);
      this.#wire(conn, socket);
    });
    if (!ok) socket.destroy();
  }

  /** Resolves once every socket we ended has closed, or after `timeoutMs`. */
  async settled(timeoutMs = 1000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.#closing.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  /** Stops timers and sockets without any protocol exchange (process exit). */
  dispose(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const s of [...this.#sockets.values(), ...this.#closing]) s.destroy();
    this.#sockets.clear();
    this.#closing.clear();
  }

  #connect(conn: ConnId): void {
    const o = this.options;
    let socket: net.Socket;
    try {
      socket = this.#factory.connect({ family: this.family, remoteAddress: o.address, remotePort: o.port ?? 179, localAddress: o.localAddress, ...this.socketOptions });
    } catch {
      // Options the kernel refused (e.g. a source address not configured): a failed attempt, retried with backoff.
      queueMicrotask(() => this.session.connectFailed(conn));
      return;
    }
    socket.setNoDelay(true);
    let up = false;
    socket.once("connect", () => {
      up = true;
      this.#wire(conn, socket);
      this.session.connected(conn, { localAddress: addr(socket.localAddress), remoteAddress: addr(socket.remoteAddress) });
    });
    socket.once("error", () => {
      if (up) return;
      if (this.#sockets.get(conn) === socket) this.#sockets.delete(conn);
      socket.destroy();
      this.session.connectFailed(conn);
    });
    this.#sockets.set(conn, socket);
  }

  #wire(conn: ConnId, socket: net.Socket): void {
    this.#sockets.set(conn, socket);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.session.received(conn, chunk));
    socket.on("drain", () => this.session.drained(conn));
    socket.on("error", () => undefined); // "close" follows
    socket.once("close", () => {
      if (this.#sockets.get(conn) === socket) this.#sockets.delete(conn);
      this.session.closed(conn);
    });
  }

  #close(conn: ConnId): void {
    const socket = this.#sockets.get(conn);
    this.#sockets.delete(conn);
    if (socket === undefined) return;
    this.#closing.add(socket);
    socket.end();
    const t = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    t.unref();
    socket.once("close", () => {
      clearTimeout(t);
      this.#closing.delete(socket);
    });
  }
}

function addr(text: string | undefined): IpAddress | undefined {
  if (text === undefined) return undefined;
  const a = tryParseIp(text.startsWith("::ffff:") && text.includes(".") ? text.slice(7) : text);
  return a;
}
