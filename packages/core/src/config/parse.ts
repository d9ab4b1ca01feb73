// parseConfig: the ConfigMap's `config` YAML (MetalLB's legacy format plus
// IronLB's extensions) to a deeply frozen Config, or every problem of the file.
//
// Strict like MetalLB's yaml.UnmarshalStrict (unknown keys and wrong types are
// errors), but unlike MetalLB it does not stop at the first problem: each
// section and field is checked on its own, and only checks that depend on a
// broken value are skipped (an invalid CIDR is not overlap-checked; an unknown
// alias is not duplicate-checked). Problems come back sorted by position.
//
// Sections are read in dependency order: bfd-profiles (peers name them),
// bgp-communities (advertisements name them), peers (advertisements name
// them), then address-pools.
//
// Pure: no I/O, no clock. Deliberately not here: finding the config inside a
// ConfigMap manifest (manifest.ts) and resolving cluster objects (Secrets,
// Namespaces, Nodes), which needs the cluster.
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import { readBfdProfiles } from "./bfd.ts";
import { readCommunityAliases } from "./bgp-communities.ts";
import { sortIssues, type ConfigIssue } from "./issues.ts";
import { readPeers } from "./peers.ts";
import { readPools } from "./pools.ts";
import type { Config } from "./types.ts";
import { INVALID, YamlReader, type Item, type Position } from "./yaml-reader.ts";

const TOP_LEVEL_KEYS = ["peers", "bgp-communities", "address-pools", "bfd-profiles"] as const;

/**
 * Where the text sits in the file the user handed in. A config embedded in a
 * ConfigMap as a literal block scalar is shifted by whole lines and an indent;
 * one embedded as a quoted string (JSON manifests) is reported at the string.
 */
export type PositionMap =
  | { readonly kind: "offset"; readonly lineOffset: number; readonly columnOffset: number }
  | { readonly kind: "fixed"; readonly line: number; readonly column: number };

export interface ParseOptions {
  readonly position?: PositionMap | undefined;
}

export type ParseResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[]; readonly warnings: readonly ConfigIssue[] };

export function parseConfig(yamlText: string, options: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const toPosition = positionFunction(lines, options.position);
  // failsafe: every scalar stays the text that was written; yaml-reader.ts types it.
  // Repeated keys are reported by yaml-reader.ts, which knows their path.
  const docs = parseAllDocuments(yamlText, { schema: "failsafe", lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];

  const syntax: ConfigIssue[] = [];
  let fatal = false;
  for (const doc of list) {
    for (const e of doc.errors) {
      fatal = true;
      syntax.push({ severity: "error", code: "YAML_SYNTAX", path: "", ...toPosition(e.pos[0]), message: yamlMessage(e.message) });
    }
  }
  const nonEmpty = list.filter((d) => d.contents !== null);
  if (nonEmpty.length > 1) {
    const second = nonEmpty[1] as Document.Parsed;
    syntax.push({
      severity: "error",
      code: "YAML_SYNTAX",
      path: "",
      ...toPosition(second.range[0]),
      message: "the config holds several YAML documents; it must be exactly one",
    });
    fatal = true;
  }
  if (fatal) return deepFreeze({ ok: false, errors: sortIssues(syntax), warnings: [] });

  const doc = nonEmpty[0] ?? list[0];
  if (doc === undefined) return ok(emptyConfig(), []);
  const r = new YamlReader(doc, toPosition);
  const config = readConfig(r, r.item(doc.contents, "", 0));
  const errors = [...syntax, ...r.errors];
  if (errors.length > 0 || config === undefined) return deepFreeze({ ok: false, errors: sortIssues(errors), warnings: sortIssues(r.warnings) });
  return ok(config, r.warnings);
}

function readConfig(r: YamlReader, root: Item): Config | undefined {
  const top = r.mapping(root, TOP_LEVEL_KEYS);
  if (top === INVALID) return undefined;

  const list = (key: (typeof TOP_LEVEL_KEYS)[number]): Item[] | undefined => {
    const items = top.list(key);
    return items === INVALID ? undefined : items;
  };
  const bfdItems = list("bfd-profiles");
  const bfd = readBfdProfiles(r, bfdItems);
  if (bfdItems !== undefined && bfdItems.length > 0) {
    r.warn("BFD_NOT_ACTIVE", "bfd-profiles", top.keyOffset("bfd-profiles"), "bfd-profiles are accepted and checked, but BFD is not active yet: peer failures are detected by the BGP hold timer");
  }
  const communities = readCommunityAliases(r, top.item("bgp-communities"));
  const peers = readPeers(r, list("peers"), bfd);
  const pools = readPools(r, list("address-pools"), { communities, peers });
  return {
    peers: peers.peers,
    pools,
    bfdProfiles: bfd.profiles,
    communities: Object.fromEntries(communities.values),
  };
}

function emptyConfig(): Config {
  return { peers: [], pools: [], bfdProfiles: [], communities: {} };
}

function ok(config: Config, warnings: readonly ConfigIssue[]): ParseResult {
  return deepFreeze({ ok: true, config, warnings: sortIssues(warnings) });
}

function positionFunction(lines: LineCounter, map: PositionMap | undefined): (offset: number) => Position {
  return (offset) => {
    if (map?.kind === "fixed") return { line: map.line, column: map.column };
    const { line, col } = lines.linePos(offset);
    if (map?.kind === "offset") return { line: line + map.lineOffset, column: col + map.columnOffset };
    return { line, column: col };
  };
}

/** The yaml package's message without its own "at line N, column M" suffix: we report the position separately. */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "");
}

/** Freezes a value and everything reachable from it; returns it typed as deeply readonly. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  // Already-frozen parts (ip values) are still walked: frozen says nothing about their children.
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
  return Object.freeze(value);
}
