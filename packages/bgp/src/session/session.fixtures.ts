// An in-memory network and fake clock for Session tests: two sessions (or a
// session and a scripted peer) exchange bytes through queues that a test
// drains explicitly, and timers fire only when the clock is advanced. Nothing
// sleeps; everything is deterministic.
import { type IpAddress, parseIp } from "@ironlb/core/ip";
import { codecContext, type CodecContext } from "../context.ts";
import { decodeMessage, type Message } from "../message.ts";
import { createFramer } from "../framer.ts";
import type { ConnId } from "../fsm/types.ts";
import { type SessionEvent } from "./events.ts";
import type { SessionOptions } from "./options.ts";
import { Session, type SessionTransport } from "./session.ts";

export class FakeClock {
  now = 0;
  readonly #timers = new Map<string, { at: number; fire: () => void }>();
  set(id: string, ms: number, fire: () => void): void {
    this.#timers.set(id, { at: this.now + ms, fire });
  }
  clear(id: string): void {
    this.#timers.delete(id);
  }
  /** Fires due timers in deadline order, running `settle` after each. */
  advance(ms: number, settle: () => void): void {
    const end = this.now + ms;
    for (;;) {
      let next: [string, { at: number; fire: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fire();
      settle();
    }
    this.now = end;
  }
  pending(prefix: string): string[] {
    return [...this.#timers.keys()].filter((k) => k.startsWith(prefix));
  }
}

interface Endpoint {
  readonly name: string;
  readonly address: IpAddress;
  session: Session | undefined;
  /** Accepts inbound connections (a listener exists). */
  listening: boolean;
  /** Messages this side received, decoded (best effort, for assertions). */
  readonly got: Message[];
  ctx: CodecContext;
  /** How many writes before write() reports backpressure; Infinity = never. */
  window: number;
  inflight: number;
  readonly events: SessionEvent[];
}

/** Two endpoints "a" and "b" on one wire. */
export class FakeNet {
  readonly clock = new FakeClock();
  readonly #queue: (() => void)[] = [];
  // "a:1" -> "b:3": each connection id on one side maps to its other end
  readonly #links = new Map<string, string>();
  readonly ends: Record<"a" | "b", Endpoint>;
  linkUp = true;

  constructor() {
    const end = (name: string, addr: string): Endpoint => ({ name, address: parseIp(addr), session: undefined, listening: true, got: [], ctx: codecContext({ fourOctetAs: true, extendedMessage: true }), window: Infinity, inflight: 0, events: [] });
    this.ends = { a: end("a", "10.0.0.1"), b: end("b", "10.0.0.2") };
  }

  other(side: "a" | "b"): "a" | "b" {
    return side === "a" ? "b" : "a";
  }

  /** Creates the session of `side` on this network. */
  session(side: "a" | "b", options: SessionOptions): Session {
    const me = this.ends[side];
    const peerSide = this.other(side);
    const framers = new Map<ConnId, ReturnType<typeof createFramer>>();
    const transport: SessionTransport = {
      connect: (conn) => {
        this.#queue.push(() => {
          const peer = this.ends[peerSide];
          if (!this.linkUp || peer.session === undefined || !peer.listening) return me.session?.connectFailed(conn);
          let peerConn: ConnId | undefined;
          const ok = peer.session.offerInbound({ localAddress: peer.address, remoteAddress: me.address }, (c) => {
            peerConn = c;
            this.#links.set(`${peerSide}:${c}`, `${side}:${conn}`);
            this.#links.set(`${side}:${conn}`, `${peerSide}:${c}`);
          });
          if (!ok || peerConn === undefined) return me.session?.connectFailed(conn);
          me.session?.connected(conn, { localAddress: me.address, remoteAddress: peer.address });
        });
      },
      write: (conn, bytes) => {
        const copy = bytes.slice();
        me.inflight++;
        // The far end is fixed when the bytes are written, as with a real socket.
        const to = this.#links.get(`${side}:${conn}`);
        this.#queue.push(() => {
          me.inflight--;
          if (to !== undefined && this.linkUp) {
            const [s, c] = to.split(":") as ["a" | "b", string];
            const target = this.ends[s];
            let f = framers.get(conn);
            if (f === undefined) framers.set(conn, (f = createFramer({ extendedMessage: true })));
            for (const frame of f.push(copy)) {
              try {
                const m = decodeMessage(frame, target.ctx).message;
                target.got.push(m);
                if (m.type === "open") target.ctx = codecContext({ fourOctetAs: m.capabilities.some((x) => x.type === "four-octet-as"), extendedMessage: true });
              } catch {
                // assertions look at what decoded; the session sees raw bytes anyway
              }
            }
            target.session?.received(Number(c), copy);
          }
          if (me.inflight === 0 && me.window !== Infinity) me.session?.drained(conn);
        });
        return me.inflight < me.window;
      },
      close: (conn) => {
        const to = this.#links.get(`${side}:${conn}`);
        this.#links.delete(`${side}:${conn}`);
        if (to === undefined) return;
        this.#links.delete(to);
        const [s, c] = to.split(":") as ["a" | "b", string];
        // A FIN never crosses a link that is down; the far end finds out by its hold timer.
        if (this.linkUp) this.#queue.push(() => this.ends[s].session?.closed(Number(c)));
      },
      setTimer: (key, ms) => this.clock.set(`${side}:${key}`, ms, () => me.session?.timerFired(key)),
      clearTimer: (key) => this.clock.clear(`${side}:${key}`),
    };
    const s = new Session(options, { transport, now: () => this.clock.now, random: () => 1, onEvent: (e) => me.events.push(e) });
    me.session = s;
    return s;
  }

  /** Delivers queued work until quiet (bounded, so a livelock fails the test). */
  run(limit = 100_000): void {
    for (let i = 0; i < limit; i++) {
      const job = this.#queue.shift();
      if (job === undefined) return;
      job();
    }
    throw new Error("FakeNet.run: no quiescence");
  }

  advance(ms: number): void {
    this.run();
    this.clock.advance(ms, () => this.run());
    this.run();
  }
}

export const baseOptions = (overrides: Partial<SessionOptions> = {}): SessionOptions => ({
  localAs: 64512,
  peerAs: 64513,
  routerId: parseIp("10.0.0.1"),
  holdTime: 9,
  ...overrides,
});
