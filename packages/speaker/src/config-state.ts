// The configuration in force on this speaker, and whether the ConfigMap still
// agrees with it.
//
// As the controller (MetalLB's legacy reload semantics, reference §1a, §1c):
// a ConfigMap that does not parse, or that disappears, leaves the last good
// config in force (ironlb_config_stale = 1, a ConfigInvalid / ConfigMissing
// Event). Until a config has loaded, nothing is announced.
//
// One rule is the speaker's own (MetalLB's SetConfig, reference §3 step 4): a
// new config under which an IP this node announces fits no pool is rejected
// ("new configuration rejected") and retried until the controller has moved
// the Service to an IP the new config allows. Announcing keeps working with
// the old pools meanwhile, instead of withdrawing a live IP before its
// Service has somewhere to go.
//
// Pure apart from the clock-free state it keeps; the daemon feeds it
// ConfigMaps and asks it to retry.
import { formatIssue, parseConfig, type Config, type ConfigIssue } from "@ironlb/core/config";
import { formatIp, type IpAddress } from "@ironlb/core/ip";
import { PoolIndex } from "./pool-index.ts";

export interface ConfigMapLike {
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export interface AnnouncedIps {
  readonly service: string;
  readonly ips: readonly IpAddress[];
}

export type ConfigObservation =
  | { readonly kind: "unchanged" }
  | { readonly kind: "loaded"; readonly config: Config; readonly first: boolean; readonly warnings: readonly ConfigIssue[] }
  | { readonly kind: "invalid"; readonly errors: readonly string[]; readonly keptLast: boolean }
  | { readonly kind: "missing"; readonly keptLast: boolean }
  /** Parses, but would orphan IPs this node announces: kept pending and retried. */
  | { readonly kind: "rejected"; readonly orphans: readonly { readonly service: string; readonly ip: string }[] };

export class SpeakerConfig {
  readonly where: string;
  #lastText: string | null | undefined = undefined;
  #config: Config | null = null;
  #pools: PoolIndex | null = null;
  #pending: { readonly config: Config; readonly warnings: readonly ConfigIssue[] } | null = null;
  #problem: string | null = null;

  constructor(where: string) {
    this.where = where;
  }

  get config(): Config | null {
    return this.#config;
  }

  get pools(): PoolIndex | null {
    return this.#pools;
  }

  get stale(): boolean {
    return this.#config !== null && this.#problem !== null;
  }

  get problem(): string | null {
    return this.#problem;
  }

  /** A parsed config waits for the Services it would orphan to move. */
  get pending(): boolean {
    return this.#pending !== null;
  }

  observe(cm: ConfigMapLike | undefined, announced: Iterable<AnnouncedIps>): ConfigObservation {
    const text = cm === undefined ? null : (cm.data?.["config"] ?? null);
    if (this.#lastText !== undefined && text === this.#lastText) return this.#pending === null ? { kind: "unchanged" } : this.retry(announced);
    this.#lastText = text;
    this.#pending = null;
    const keptLast = this.#config !== null;
    if (text === null) {
      this.#problem = cm === undefined ? `ConfigMap ${this.where} not found` : `ConfigMap ${this.where} has no "config" key`;
      return { kind: "missing", keptLast };
    }
    const parsed = parseConfig(text);
    if (!parsed.ok) {
      const errors = parsed.errors.map(formatIssue);
      this.#problem = `ConfigMap ${this.where} is invalid: ${errors[0] ?? "unknown error"}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`;
      return { kind: "invalid", errors, keptLast };
    }
    this.#pending = { config: parsed.config, warnings: parsed.warnings };
    return this.retry(announced);
  }

  /** Tries the pending config again (after the announced set changed). */
  retry(announced: Iterable<AnnouncedIps>): ConfigObservation {
    const pending = this.#pending;
    if (pending === null) return { kind: "unchanged" };
    const pools = new PoolIndex(pending.config);
    const orphans: { service: string; ip: string }[] = [];
    for (const a of announced) for (const ip of a.ips) if (pools.poolOf(ip) === undefined) orphans.push({ service: a.service, ip: formatIp(ip) });
    if (orphans.length > 0) {
      this.#problem = `new configuration rejected: ${orphans.map((o) => `${o.service} ${o.ip}`).join(", ")} would fit no pool`;
      return { kind: "rejected", orphans };
    }
    const first = this.#config === null;
    this.#config = pending.config;
    this.#pools = pools;
    this.#pending = null;
    this.#problem = null;
    return { kind: "loaded", config: pending.config, first, warnings: pending.warnings };
  }
}
