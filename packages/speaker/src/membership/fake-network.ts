// An in-memory datagram network for tests, driven by an injected clock: every
// delivery is a timer on that clock, so a test that advances a FakeClock sees
// exactly the datagrams that would have arrived by then, and never sleeps.
//
// Faults: random loss (with the injected random), a delay per pair, partitions
// between groups of endpoints and heal, and a filter for anything else
// ("drop everything to B for a while"). `tap` sees every datagram that is
// delivered, so a test can capture one and `inject` it again (replay), or
// tamper with it.
//
// Deliberately not a model of a real network's timing: delays are what the
// test sets. Datagrams are copied on send, so no two parties share a buffer.
import type { Clock } from "@ironlb/kube";
import { endpointKey, formatEndpoint, type Endpoint } from "./endpoint.ts";
import type { Transport } from "./transport.ts";

export type Delay = number | ((from: Endpoint, to: Endpoint) => number);

export interface FakeNetworkOptions {
  readonly clock: Clock;
  /** For loss decisions. Default: a seeded generator (deterministic). */
  readonly random?: () => number;
  /** Milliseconds per datagram. Default 1. */
  readonly delay?: Delay;
  /** Probability in [0, 1] that a datagram is lost. Default 0. */
  readonly loss?: number;
}

export interface Datagram {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly bytes: Uint8Array;
}

interface Port {
  readonly local: Endpoint;
  onPacket: (bytes: Uint8Array, from: Endpoint) => void;
  open: boolean;
}

export class FakeNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #ports = new Map<string, Port>();
  readonly #groups = new Map<string, number>();
  readonly #taps: ((d: Datagram) => void)[] = [];
  #delay: Delay;
  #loss: number;
  #filter: ((d: Datagram) => boolean) | undefined;
  readonly stats = { sent: 0, delivered: 0, lost: 0, blocked: 0, unreachable: 0 };

  constructor(options: FakeNetworkOptions) {
    this.#clock = options.clock;
    this.#random = options.random ?? seededRandom(1);
    this.#delay = options.delay ?? 1;
    this.#loss = options.loss ?? 0;
  }

  /** A transport receiving at `local`. */
  attach(local: Endpoint): Transport {
    const key = endpointKey(local);
    if (this.#ports.get(key)?.open === true) throw new Error(`fake network: ${formatEndpoint(local)} is in use`);
    const port: Port = { local, onPacket: () => {}, open: true };
    this.#ports.set(key, port);
    return {
      local,
      send: (to, bytes) => {
        if (port.open) this.#send({ from: local, to, bytes: bytes.slice() });
      },
      onPacket: (cb) => {
        port.onPacket = cb;
      },
      onError: () => {},
      close: () => {
        port.open = false;
        return Promise.resolve();
      },
    };
  }

  setDelay(delay: Delay): void {
    this.#delay = delay;
  }

  setLoss(loss: number): void {
    this.#loss = loss;
  }

  /** Drops every datagram for which `drop` returns true (undefined: none). */
  setFilter(drop: ((d: Datagram) => boolean) | undefined): void {
    this.#filter = drop;
  }

  /** Endpoints in different groups cannot reach each other; others are unaffected. */
  partition(...groups: readonly (readonly Endpoint[])[]): void {
    this.#groups.clear();
    groups.forEach((g, i) => g.forEach((e) => this.#groups.set(endpointKey(e), i)));
  }

  heal(): void {
    this.#groups.clear();
  }

  tap(cb: (d: Datagram) => void): () => void {
    this.#taps.push(cb);
    return () => {
      const i = this.#taps.indexOf(cb);
      if (i >= 0) this.#taps.splice(i, 1);
    };
  }

  /** Sends raw bytes as if from `from` (subject to the same faults). */
  inject(from: Endpoint, to: Endpoint, bytes: Uint8Array): void {
    this.#send({ from, to, bytes: bytes.slice() });
  }

  #send(d: Datagram): void {
    this.stats.sent++;
    if (this.#partitioned(d) || this.#filter?.(d) === true) {
      this.stats.blocked++;
      return;
    }
    if (this.#loss > 0 && this.#random() < this.#loss) {
      this.stats.lost++;
      return;
    }
    const delay = typeof this.#delay === "number" ? this.#delay : this.#delay(d.from, d.to);
    this.#clock.setTimer(delay, () => {
      // A partition also cuts datagrams in flight (the filter is judged once, on send).
      if (this.#partitioned(d)) {
        this.stats.blocked++;
        return;
      }
      const port = this.#ports.get(endpointKey(d.to));
      if (port === undefined || !port.open) {
        this.stats.unreachable++;
        return;
      }
      this.stats.delivered++;
      for (const t of this.#taps) t(d);
      port.onPacket(d.bytes.slice(), d.from);
    });
  }

  #partitioned(d: Datagram): boolean {
    const a = this.#groups.get(endpointKey(d.from));
    const b = this.#groups.get(endpointKey(d.to));
    return a !== undefined && b !== undefined && a !== b;
  }
}

/** A small deterministic generator (mulberry32) for tests and simulations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
