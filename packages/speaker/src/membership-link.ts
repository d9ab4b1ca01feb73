// The speaker's use of the membership (./membership): started once the key
// Secret is readable (MetalLB's memberlist Secret, key `secretkey`), seeded
// with the other speaker pods' IPs, its view turned into "alive" / "gone"
// signals for the live set and the failover clock.
//
// Readiness: a speaker that has not yet reached any other speaker would see
// only itself and claim every layer 2 IP; its pod stays unready until it has
// joined someone, there is nobody else, or `joinTimeoutMs` passed (the
// others may all be down). Because the live set requires a Ready pod, no
// speaker counts it before then, itself included.
//
// The key is read once: a changed Secret is reported and used after the next
// restart (a rolling update), since members with different keys cannot talk.
import type { Clock } from "@ironlb/kube";
import type { Logger } from "@ironlb/kube";
import { createMembership, DEFAULT_PORT, type AddressPort, type Membership, type MembershipConfig } from "./membership/index.ts";
import { secretText, type SecretObject } from "./secrets.ts";

export interface MembershipSettings {
  /** Where to receive (--ml-bind); the speaker runs with hostNetwork, so the node address. */
  readonly bind: AddressPort;
  /** Where the others reach this speaker, when the bind address is a wildcard. */
  readonly advertise?: AddressPort | undefined;
  /** Secret in the speaker's namespace holding the shared key (key `secretkey`). */
  readonly secretName: string;
  readonly config?: Partial<MembershipConfig> | undefined;
  /** Port the other speakers listen on (default: the bind port). */
  readonly peerPort?: number | undefined;
  /** Become ready after this long even if nobody answered (default 10 s). */
  readonly joinTimeoutMs?: number | undefined;
}

export type MembershipSignal = { readonly type: "alive"; readonly name: string; readonly at: number } | { readonly type: "gone"; readonly name: string; readonly at: number; readonly cause: "dead" | "left" };

export interface LinkDeps {
  readonly nodeName: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onChange: (signal: MembershipSignal) => void;
}

export const SECRET_KEY = "secretkey";

export class SpeakerMembership {
  readonly #s: MembershipSettings;
  readonly #d: LinkDeps;
  #ml: Membership | null = null;
  #starting: Promise<void> | null = null;
  #keyText: string | undefined;
  #seeds: string[] = [];
  #startedAt = 0;
  #problem = "membership key Secret not read yet";
  #stopped = false;

  constructor(settings: MembershipSettings, deps: LinkDeps) {
    this.#s = settings;
    this.#d = deps;
  }

  secretKey(namespace: string): string {
    return `${namespace}/${this.#s.secretName}`;
  }

  get bindAddress(): string {
    return this.#s.advertise?.address ?? this.#s.bind.address;
  }

  /** Starts the membership when `secret` holds a key (once; later changes are reported only). */
  maybeStart(secret: SecretObject | undefined): Promise<void> {
    const read = secretText(secret, SECRET_KEY);
    if (this.#ml !== null || this.#starting !== null) {
      if (read.ok && this.#keyText !== undefined && read.value !== this.#keyText) this.#d.log.warn("membership key Secret changed; the new key is used after a restart", { op: "membership", secret: this.#s.secretName });
      return this.#starting ?? Promise.resolve();
    }
    if (!read.ok) {
      this.#problem = `membership key Secret "${this.#s.secretName}" key "${SECRET_KEY}": ${read.problem}`;
      this.#d.log.warn("membership not started", { op: "membership", problem: this.#problem });
      return Promise.resolve();
    }
    this.#keyText = read.value;
    const ml = createMembership({
      name: this.#d.nodeName,
      bind: this.#s.bind,
      ...(this.#s.advertise === undefined ? {} : { advertise: this.#s.advertise }),
      keys: [read.bytes],
      clock: this.#d.clock,
      ...(this.#s.config === undefined ? {} : { config: this.#s.config }),
    });
    const signal = this.#d.onChange;
    ml.on("memberJoined", (e) => signal({ type: "alive", name: e.name, at: e.at }));
    ml.on("memberAlive", (e) => signal({ type: "alive", name: e.name, at: e.at }));
    ml.on("memberDead", (e) => {
      this.#d.log.info("speaker declared dead", { op: "membership", member: e.name, reason: e.reason, from: e.from, suspectedAt: e.suspectedAt });
      signal({ type: "gone", name: e.name, at: e.at, cause: "dead" });
    });
    // Clock skew (see membership/swim.ts): the member is up but our clocks
    // disagree by more than the replay window. Counting it live on every node
    // keeps the layer 2 election consistent instead of splitting the brain.
    ml.on("memberClockSkew", (e) => {
      this.#d.log.error("speaker clock skew: its datagrams are outside the replay window; counting it live from its pod readiness until the clocks agree (check NTP)", { op: "membership", member: e.name, offsetMs: e.offsetMs });
      signal({ type: "alive", name: e.name, at: e.at });
    });
    ml.on("memberClockSkewEnded", (e) => {
      this.#d.log.warn("speaker clock skew ended", { op: "membership", member: e.name, reason: e.reason });
      if (e.reason === "expired" && !ml.aliveNames().has(e.name)) signal({ type: "gone", name: e.name, at: e.at, cause: "dead" });
    });
    ml.on("memberLeft", (e) => {
      this.#d.log.info("speaker left", { op: "membership", member: e.name });
      signal({ type: "gone", name: e.name, at: e.at, cause: "left" });
    });
    ml.on("packetRejected", (e) => this.#d.log.debug("membership datagram rejected", { op: "membership", reason: e.reason, source: e.source }));
    this.#starting = ml
      .start()
      .then(() => {
        if (this.#stopped) return;
        this.#ml = ml;
        this.#startedAt = this.#d.clock.now();
        this.#problem = "";
        this.#d.log.info("membership started", { op: "membership", advertised: ml.advertised });
        ml.join(this.#seedEndpoints(), { replaceSeeds: true });
        signal({ type: "alive", name: this.#d.nodeName, at: this.#startedAt });
      })
      .catch((err: unknown) => {
        this.#problem = `membership failed to start: ${err instanceof Error ? err.message : String(err)}`;
        this.#d.log.error("membership failed to start", { op: "membership", error: this.#problem });
      })
      .finally(() => {
        this.#starting = null;
      });
    return this.#starting;
  }

  /** Alive (and suspect) members, this node included, and clock-skewed but reachable ones; undefined until started. */
  alive(): Set<string> | undefined {
    if (this.#ml === null) return undefined;
    const names = this.#ml.aliveNames();
    for (const name of this.#ml.skewedMembers().keys()) names.add(name);
    return names;
  }

  /** Members up but clock-skewed beyond the replay window: name -> offset (ms). */
  skewed(): ReadonlyMap<string, number> {
    return this.#ml?.skewedMembers() ?? new Map();
  }

  /** The other speakers' IPs (their pods); replaces the seed list. */
  seeds(ips: readonly string[]): void {
    const sorted = [...new Set(ips)].sort();
    if (sorted.join(",") === this.#seeds.join(",")) return;
    this.#seeds = sorted;
    this.#ml?.join(this.#seedEndpoints(), { replaceSeeds: true });
  }

  rejoin(): void {
    this.#ml?.join(this.#seedEndpoints(), { replaceSeeds: true });
  }

  notReadyReason(otherSpeakers: number): string | null {
    if (this.#ml === null) return this.#problem;
    if (otherSpeakers === 0 || (this.#ml.aliveNames().size ?? 0) > 1) return null;
    if (this.#d.clock.now() - this.#startedAt >= (this.#s.joinTimeoutMs ?? 10_000)) return null;
    return `joining: none of ${otherSpeakers} other speakers reached yet`;
  }

  /** Tells every member at once that this speaker leaves (graceful hand-over). */
  async leave(): Promise<void> {
    await this.#starting;
    await this.#ml?.leave();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#starting;
    await this.#ml?.stop();
  }

  #seedEndpoints(): AddressPort[] {
    const port = this.#s.peerPort ?? this.#s.bind.port ?? DEFAULT_PORT;
    return this.#seeds.map((address) => ({ address, port }));
  }
}
