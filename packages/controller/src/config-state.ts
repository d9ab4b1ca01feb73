// The configuration in force, and whether the ConfigMap still agrees with it.
//
// MetalLB's legacy reload semantics (reference §1a "Reload semantics", §1c):
// a ConfigMap that does not parse is ignored and the last good config stays
// in force ("fail-static", config_stale = 1); a deleted ConfigMap keeps the
// old config too ("configuration is missing"). A config that parses is always
// accepted (v0.14+: setPools never refuses; Services whose IPs left the pools
// are moved, §2.7). Parsing is core's parseConfig, the same strict parser
// `ironlb config validate` uses; the controller does not apply the speaker's
// BGP-mode rules (MetalLB's controller uses DontValidate).
//
// Deliberately not here: reacting to a change (the controller calls setPools
// and queues a reprocess-all), Events and metrics (the caller emits them from
// the returned observation).
import { formatIssue, parseConfig, type Config, type ConfigIssue } from "@ironlb/core/config";

export interface ConfigMapLike {
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export type ConfigObservation =
  /** Same data.config as last time (a label or annotation change): nothing to do. */
  | { readonly kind: "unchanged" }
  | {
      readonly kind: "loaded";
      readonly config: Config;
      /** The pools differ from the ones in force (always true for the first load). */
      readonly poolsChanged: boolean;
      readonly first: boolean;
      /** The previous observation was invalid or missing. */
      readonly recovered: boolean;
      readonly warnings: readonly ConfigIssue[];
    }
  | { readonly kind: "invalid"; readonly errors: readonly string[]; readonly keptLast: boolean }
  | { readonly kind: "missing"; readonly keptLast: boolean };

export class ConfigTracker {
  /** "namespace/name" of the ConfigMap, for messages. */
  readonly where: string;
  // data.config last observed: undefined before the first observation, null when the ConfigMap or key was absent
  #lastText: string | null | undefined = undefined;
  #lastExists = false;
  #config: Config | null = null;
  #poolsKey = "";
  #problem: string | null = null;

  constructor(where: string) {
    this.where = where;
  }

  /** The config in force, or null when none has ever loaded. */
  get config(): Config | null {
    return this.#config;
  }

  /** True when the ConfigMap says something other than the config in force (invalid or deleted after a load). */
  get stale(): boolean {
    return this.#config !== null && this.#problem !== null;
  }

  /** What is wrong with the ConfigMap now, or null. */
  get problem(): string | null {
    return this.#problem;
  }

  /** The NoConfig condition message. */
  noConfigReason(): string {
    return `no configuration loaded yet: ${this.#problem ?? `waiting for ConfigMap ${this.where}`}`;
  }

  observe(cm: ConfigMapLike | undefined): ConfigObservation {
    const text = cm?.data?.["config"] ?? null;
    const exists = cm !== undefined;
    if (this.#lastText !== undefined && text === this.#lastText && exists === this.#lastExists) return { kind: "unchanged" };
    const wasBad = this.#problem !== null;
    this.#lastText = text;
    this.#lastExists = exists;
    const keptLast = this.#config !== null;
    if (!exists) {
      this.#problem = `ConfigMap ${this.where} not found`;
      return { kind: "missing", keptLast };
    }
    if (text === null) {
      const message = `ConfigMap ${this.where} has no data.config key`;
      this.#problem = message;
      return { kind: "invalid", errors: [message], keptLast };
    }
    const parsed = parseConfig(text);
    if (!parsed.ok) {
      const errors = parsed.errors.map(formatIssue);
      this.#problem = `ConfigMap ${this.where} is invalid: ${errors.join("; ")}`;
      return { kind: "invalid", errors, keptLast };
    }
    const first = this.#config === null;
    const poolsKey = canonical(parsed.config.pools);
    const poolsChanged = first || poolsKey !== this.#poolsKey;
    this.#config = parsed.config;
    this.#poolsKey = poolsKey;
    this.#problem = null;
    return { kind: "loaded", config: parsed.config, poolsChanged, first, recovered: wasBad, warnings: parsed.warnings };
  }
}

/** A stable text form of parsed values (bigints included) for change detection. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}
