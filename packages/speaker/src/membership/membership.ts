// The driver: binds the sans-IO protocol (swim.ts) to a transport and a clock.
// It owns exactly three things: the socket (or the injected transport), one
// timer armed for the protocol's next deadline, and the event listeners.
//
// One trick worth its comment: when the timer fires late (the event loop was
// blocked by a GC pause or a long synchronous task), acks that arrived during
// the stall are still unread in the socket, and Node runs expired timers
// before it polls sockets. Acting at once would turn our own stall into a
// false suspicion of a healthy peer. So a timer that fires more than
// `lateTimerSlack` ms late yields once (a zero-delay timer runs after the
// poll phase) and acts on the next turn, after the pending datagrams.
import type { Clock, TimerHandle } from "@ironlb/kube";
import { resolveConfig, type MembershipConfig } from "./config.ts";
import { DEFAULT_PORT, endpoint, isWildcard, parseEndpoint, type Endpoint } from "./endpoint.ts";
import { MembershipError } from "./errors.ts";
import { zeroCounters, type EventOf, type Member, type MembershipCounters, type MembershipEvent, type MembershipEventType } from "./events.ts";
import { Swim } from "./swim.ts";
import type { Transport } from "./transport.ts";
import { openUdpTransport } from "./udp.ts";
import { MAX_NAME_BYTES } from "./wire/messages.ts";
import { deriveKey } from "./wire/packet.ts";

export interface AddressPort {
  readonly address: string;
  /** Default 7946. */
  readonly port?: number;
}

export interface MembershipOptions {
  /** This member's name: the node name. */
  readonly name: string;
  /** Where to receive; "0.0.0.0" / "::" need `advertise`. Port 0 picks a free one. */
  readonly bind: AddressPort;
  /** Where others reach this member (default: the bind address and the bound port). */
  readonly advertise?: AddressPort;
  /**
   * Shared secrets, raw bytes as read from the Secret; the first signs, any
   * verifies (rotation: prepend the new key everywhere, then drop the old).
   */
  readonly keys: readonly Uint8Array[];
  readonly clock: Clock;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Default: UDP bound at `bind` on start(). The membership owns it and closes it on stop(). */
  readonly transport?: Transport;
  readonly config?: Partial<MembershipConfig>;
}

export interface JoinOptions {
  /** The addresses are the complete seed list: forget seeds not in it. Default false. */
  readonly replaceSeeds?: boolean;
}

export interface Membership {
  readonly name: string;
  readonly config: MembershipConfig;
  /** Binds (unless a transport was given) and starts probing; again after leave() rejoins with a higher incarnation. */
  start(): Promise<void>;
  /**
   * Adds seed addresses ("IP", "IP:PORT", "[IPv6]:PORT" or endpoints) and
   * contacts those not present; absent seeds are retried every rejoinInterval.
   * With `replaceSeeds` the list replaces the seeds (pass the current speaker
   * pod list each time it changes).
   */
  join(addresses: readonly (string | AddressPort)[], options?: JoinOptions): void;
  /** Tells every member at once that we leave; resolves once the last retransmission went out. */
  leave(): Promise<void>;
  /** Stops timers and closes the transport, without a goodbye (a leave() first is the polite way). */
  stop(): Promise<void>;
  /** Every known member, this one first. */
  members(): Member[];
  /** Names of alive and suspect members, this one included while it runs. */
  aliveNames(): Set<string>;
  /** Members reachable but clock-skewed beyond replayWindow: name -> offset (ms). See swim.ts. */
  skewedMembers(): ReadonlyMap<string, number>;
  /** Subscribes to one event type; returns the unsubscribe function. Listeners must not throw. */
  on<T extends MembershipEventType>(type: T, cb: (event: EventOf<T>) => void): () => void;
  /** A snapshot of the counters. */
  counters(): MembershipCounters;
  /** The endpoint advertised to others (after start()). */
  readonly advertised: Endpoint | undefined;
}

export function createMembership(options: MembershipOptions): Membership {
  return new Driver(options);
}

class Driver implements Membership {
  readonly name: string;
  readonly config: MembershipConfig;
  readonly #options: MembershipOptions;
  readonly #keys: readonly Uint8Array[];
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #listeners = new Map<MembershipEventType, Set<(e: MembershipEvent) => void>>();
  readonly #pendingSeeds: Endpoint[] = [];
  #transport: Transport | undefined;
  #swim: Swim | undefined;
  #timer: TimerHandle | undefined;
  #armedAt: number | undefined;
  #stopped = false;
  #starting: Promise<void> | undefined;
  #leaveWaiters: (() => void)[] = [];

  constructor(options: MembershipOptions) {
    if (options.name.length === 0 || Buffer.byteLength(options.name) > MAX_NAME_BYTES) {
      throw new MembershipError("MEMBERSHIP_BAD_NAME", `member name must be 1-${MAX_NAME_BYTES} bytes, got "${options.name}"`);
    }
    if (options.keys.length === 0 || options.keys.some((k) => k.length === 0)) {
      throw new MembershipError("MEMBERSHIP_NO_KEY", "at least one non-empty shared key is required");
    }
    this.name = options.name;
    this.config = resolveConfig(options.config);
    this.#options = options;
    this.#keys = options.keys.map(deriveKey);
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    // Validate early: a bad address is a configuration error, not a start-time surprise.
    endpoint(options.bind.address, options.bind.port ?? DEFAULT_PORT);
    if (options.advertise !== undefined) endpoint(options.advertise.address, options.advertise.port ?? DEFAULT_PORT);
    else if (isWildcard(endpoint(options.bind.address, 0).address)) {
      throw new MembershipError("MEMBERSHIP_NO_ADVERTISE", `bound to ${options.bind.address}: set advertise to the address other members reach`);
    }
  }

  get advertised(): Endpoint | undefined {
    return this.#swim?.advertise;
  }

  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new MembershipError("MEMBERSHIP_STOPPED", "start() after stop()"));
    this.#starting ??= this.#bind();
    return this.#starting.then(() => {
      const swim = this.#swim as Swim;
      swim.start(this.#clock.now());
      if (this.#pendingSeeds.length > 0) swim.join(this.#pendingSeeds.splice(0), this.#clock.now());
      this.#flush();
    });
  }

  async #bind(): Promise<void> {
    const o = this.#options;
    const transport = o.transport ?? (await openUdpTransport({ address: o.bind.address, port: o.bind.port ?? DEFAULT_PORT }));
    if (this.#stopped) {
      await transport.close();
      throw new MembershipError("MEMBERSHIP_STOPPED", "stopped while starting");
    }
    const advertise =
      o.advertise !== undefined ? endpoint(o.advertise.address, o.advertise.port ?? DEFAULT_PORT) : endpoint(transport.local.address, transport.local.port);
    this.#transport = transport;
    this.#swim = new Swim({ name: this.name, advertise, keys: this.#keys, config: this.config, random: this.#random });
    transport.onPacket((bytes, from) => {
      this.#swim?.receive(bytes, from, this.#clock.now());
      this.#flush();
    });
    transport.onError(() => {
      if (this.#swim !== undefined) this.#swim.counters.sendErrors++;
    });
  }

  join(addresses: readonly (string | AddressPort)[], options: JoinOptions = {}): void {
    const endpoints = addresses.map((a) => (typeof a === "string" ? parseEndpoint(a) : endpoint(a.address, a.port ?? DEFAULT_PORT)));
    if (this.#swim === undefined) {
      if (options.replaceSeeds === true) this.#pendingSeeds.length = 0;
      this.#pendingSeeds.push(...endpoints);
      return;
    }
    this.#swim.join(endpoints, this.#clock.now(), options);
    this.#flush();
  }

  leave(): Promise<void> {
    const swim = this.#swim;
    if (swim === undefined || (swim.phase !== "running" && swim.phase !== "leaving")) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#leaveWaiters.push(resolve));
    swim.leave(this.#clock.now());
    this.#flush();
    return done;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#swim?.stop();
    this.#disarm();
    this.#resolveLeave();
    await this.#starting?.catch(() => {});
    await this.#transport?.close();
  }

  members(): Member[] {
    return this.#swim?.members() ?? [];
  }

  aliveNames(): Set<string> {
    const names = new Set<string>();
    for (const m of this.members()) if (m.state === "alive" || m.state === "suspect") names.add(m.name);
    if (this.#swim?.phase !== "running") names.delete(this.name);
    return names;
  }

  skewedMembers(): ReadonlyMap<string, number> {
    return this.#swim?.skewedMembers() ?? new Map();
  }

  on<T extends MembershipEventType>(type: T, cb: (event: EventOf<T>) => void): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    const listener = cb as (e: MembershipEvent) => void;
    set.add(listener);
    return () => void set.delete(listener);
  }

  counters(): MembershipCounters {
    return structuredClone(this.#swim?.counters ?? zeroCounters());
  }

  // Sends what the protocol produced, dispatches events, re-arms the timer.
  #flush(): void {
    const swim = this.#swim;
    if (swim === undefined) return;
    for (const out of swim.drain()) {
      if (out.type === "send") this.#transport?.send(out.to, out.bytes);
      else this.#dispatch(out.event);
    }
    // Done leaving (or restarted, or stopped, meanwhile).
    if (swim.phase !== "leaving") this.#resolveLeave();
    if (this.#stopped) return;
    const next = swim.nextDeadline();
    if (next === this.#armedAt) return;
    this.#disarm();
    if (next === undefined) return;
    this.#armedAt = next;
    this.#timer = this.#clock.setTimer(next - this.#clock.now(), () => this.#fire(next, false));
  }

  #fire(due: number, yielded: boolean): void {
    this.#timer = undefined;
    this.#armedAt = undefined;
    if (this.#stopped || this.#swim === undefined) return;
    const now = this.#clock.now();
    if (!yielded && now - due > this.config.lateTimerSlack) {
      // See the header: let the datagrams that arrived during the stall in first.
      this.#armedAt = due;
      this.#timer = this.#clock.setTimer(0, () => this.#fire(due, true));
      return;
    }
    this.#swim.tick(now);
    this.#flush();
  }

  #disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedAt = undefined;
  }

  #resolveLeave(): void {
    for (const w of this.#leaveWaiters.splice(0)) w();
  }

  #dispatch(event: MembershipEvent): void {
    const set = this.#listeners.get(event.type);
    if (set === undefined) return;
    for (const cb of [...set]) {
      try {
        cb(event);
      } catch (err) {
        // A listener's bug must not leave the protocol half-way through a
        // step; surface it as an uncaught error once this step is done.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
