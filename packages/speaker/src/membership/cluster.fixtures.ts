// Test harness: n members on a FakeNetwork under one FakeClock, each with its
// own seeded random generator, recording every event. Nothing here sleeps:
// `advance` moves the fake clock, and datagrams are timers on it.
import { FakeClock } from "@ironlb/kube/testing";
import type { MembershipConfig } from "./config.ts";
import { endpoint, type Endpoint } from "./endpoint.ts";
import type { MembershipEvent } from "./events.ts";
import { FakeNetwork, seededRandom, type FakeNetworkOptions } from "./fake-network.ts";
import { createMembership, type Membership } from "./membership.ts";

export const secret = new TextEncoder().encode("c2VjcmV0LWtleS1mb3ItdGVzdHM");

export interface Node {
  readonly name: string;
  readonly at: Endpoint;
  membership: Membership;
  readonly events: MembershipEvent[];
}

export interface ClusterOptions {
  readonly config?: Partial<MembershipConfig>;
  readonly network?: Partial<Omit<FakeNetworkOptions, "clock">>;
  readonly seed?: number;
  readonly keys?: readonly Uint8Array[];
}

export class Cluster {
  readonly clock = new FakeClock();
  // node name -> how far that node's wall clock is off (ms); see setClockOffset
  readonly #offsets = new Map<string, number>();
  readonly net: FakeNetwork;
  readonly nodes: Node[] = [];
  readonly #options: ClusterOptions;
  #seed: number;

  constructor(options: ClusterOptions = {}) {
    this.#options = options;
    this.#seed = options.seed ?? 42;
    this.net = new FakeNetwork({ clock: this.clock, random: seededRandom(this.#seed * 7919), ...options.network });
  }

  /** Adds (does not start) a member named node-<i> at 192.0.2.<i+1>:7946 (TEST-NET-1, never routed). */
  add(name = `node-${this.nodes.length}`, keys = this.#options.keys ?? [secret]): Node {
    const at = endpoint(`192.0.2.${this.nodes.length + 1}`, 7946);
    const node: Node = { name, at, membership: this.#create(name, at, keys), events: [] };
    this.#record(node);
    this.nodes.push(node);
    return node;
  }

  /** Starts every member and has each join the first one. */
  async startAll(): Promise<void> {
    for (const n of this.nodes) await n.membership.start();
    const seed = this.nodes[0];
    if (seed === undefined) return;
    for (const n of this.nodes.slice(1)) n.membership.join([seed.at]);
  }

  /** A crash: timers stop, the socket closes, nobody is told. */
  async kill(node: Node): Promise<void> {
    await node.membership.stop();
  }

  /** Same name and address, a fresh process: new membership object, new port binding. */
  async restart(node: Node, keys = this.#options.keys ?? [secret]): Promise<void> {
    await node.membership.stop();
    node.membership = this.#create(node.name, node.at, keys);
    this.#record(node);
    await node.membership.start();
    const others = this.nodes.filter((n) => n !== node).map((n) => n.at);
    node.membership.join(others);
  }

  /** Moves `node`'s wall clock by `ms` from the shared clock (timers still fire on time). */
  setClockOffset(node: Node, ms: number): void {
    this.#offsets.set(node.name, ms);
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Advances in `step` ms increments until `pred` holds; returns the elapsed fake time, or throws. */
  async until(pred: () => boolean, limit: number, step = 10): Promise<number> {
    const start = this.clock.now();
    while (!pred()) {
      if (this.clock.now() - start >= limit) throw new Error(`condition not reached within ${limit} ms of fake time`);
      await this.clock.advance(step);
    }
    return this.clock.now() - start;
  }

  /** Sorted alive names as `node` sees them. */
  view(node: Node): string[] {
    return [...node.membership.aliveNames()].sort();
  }

  stateOf(observer: Node, name: string): string | undefined {
    return observer.membership.members().find((m) => m.name === name)?.state;
  }

  /** True when every node in `nodes` sees exactly the names of `nodes` alive. */
  converged(nodes: readonly Node[] = this.nodes): boolean {
    const want = nodes.map((n) => n.name).sort().join(",");
    return nodes.every((n) => this.view(n).join(",") === want);
  }

  async stopAll(): Promise<void> {
    for (const n of this.nodes) await n.membership.stop();
  }

  #create(name: string, at: Endpoint, keys: readonly Uint8Array[]): Membership {
    return createMembership({
      name,
      bind: at,
      keys,
      clock: { now: () => this.clock.now() + (this.#offsets.get(name) ?? 0), setTimer: (ms, fn) => this.clock.setTimer(ms, fn) },
      random: seededRandom(this.#seed++ * 104729),
      transport: this.net.attach(at),
      config: this.#options.config ?? {},
    });
  }

  #record(node: Node): void {
    const m = node.membership;
    for (const type of ["memberJoined", "memberAlive", "memberSuspect", "memberDead", "memberLeft", "memberClockSkew", "memberClockSkewEnded", "packetRejected"] as const) {
      m.on(type, (e) => node.events.push(e));
    }
  }
}
