// A strict, typed reader over the `yaml` package's syntax tree, with the
// decoding rules of gopkg.in/yaml.v2's UnmarshalStrict that MetalLB uses:
//
// - a key the format does not define is an error (with a "did you mean"),
//   and so is a key written twice in one mapping;
// - YAML null (`~`, `null`, an empty value) is the same as an absent field;
//   a null list item is the zero value (an empty mapping, an empty string);
// - a string field takes any scalar as written (`name: 2024` is "2024"), as
//   yaml.v2 does;
// - an integer field takes a plain decimal or 0x-hex integer; a quoted string,
//   a float or a value outside the field's type is an error (yaml.v2 would
//   silently truncate 1.5 to 1: we do not);
// - a boolean field takes YAML 1.1's spellings (true/false, yes/no, on/off,
//   y/n in their usual cases), which yaml.v2 accepts and existing MetalLB
//   configs use;
// - anchors, aliases and `<<` merge keys are followed.
//
// The document is parsed with the failsafe schema, so every scalar arrives as
// the text that was written and the typing above is ours alone. Every problem
// is recorded with its path and source position; readers return the INVALID
// marker instead of a value so callers can skip checks that depend on it
// without reporting a second, derived error.
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Document, type Node } from "yaml";
import { childPath, type ConfigIssue, type ConfigIssueCode } from "./issues.ts";

export const INVALID: unique symbol = Symbol("invalid");
export type Invalid = typeof INVALID;
/** A field's value: undefined when absent or null, INVALID when it was reported as wrong. */
export type Read<T> = T | undefined | Invalid;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A node with its path and the source offset to report problems at. */
export interface Item {
  /** null for YAML null (`~`, `null`, an empty value). */
  readonly node: Node | null;
  readonly path: string;
  readonly offset: number;
}

export interface IntegerSpec {
  readonly min: number;
  readonly max: number;
  /** How the range is named in messages: "uint32", "uint16", "int32". */
  readonly typeName: string;
}

export const UINT16: IntegerSpec = { min: 0, max: 0xffff, typeName: "uint16" };
export const UINT32: IntegerSpec = { min: 0, max: 0xffff_ffff, typeName: "uint32" };
export const INT32: IntegerSpec = { min: -0x8000_0000, max: 0x7fff_ffff, typeName: "int32" };

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
// yaml.v2 resolves these plain scalars to booleans (YAML 1.1).
const TRUES = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const FALSES = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
const DECIMAL = /^[-+]?(0|[1-9][0-9_]*)$/;
const HEX = /^0x[0-9a-fA-F][0-9a-fA-F_]*$/;
const MAX_MERGE_DEPTH = 16;

export class YamlReader {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  constructor(
    private readonly doc: Document.Parsed,
    private readonly position: (offset: number) => Position,
  ) {}

  error(code: ConfigIssueCode, path: string, offset: number, message: string): void {
    this.errors.push({ severity: "error", code, path, ...this.position(offset), message });
  }

  warn(code: ConfigIssueCode, path: string, offset: number, message: string): void {
    this.warnings.push({ severity: "warning", code, path, ...this.position(offset), message });
  }

  /** Follows aliases; returns null for YAML null. */
  resolve(node: unknown): Node | null {
    let n = node;
    for (let i = 0; i < MAX_MERGE_DEPTH && isAlias(n); i++) n = n.resolve(this.doc);
    if (n === null || n === undefined || isAlias(n)) return null;
    if (isScalar(n) && isNull(n)) return null;
    return n as Node;
  }

  /** The source offset of a node, or `fallback` when it has none (absent, synthetic). */
  offsetOf(node: unknown, fallback: number): number {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? range[0] : fallback;
  }

  item(node: unknown, path: string, fallbackOffset: number): Item {
    const offset = this.offsetOf(node, fallbackOffset);
    if (isAlias(node) && node.resolve(this.doc) === undefined) {
      this.error("YAML_SYNTAX", path, offset, `unknown alias *${node.source}`);
      return { node: null, path, offset };
    }
    return { node: this.resolve(node), path, offset };
  }

  /** A struct: null is the empty struct; anything but a mapping is an error. */
  mapping(item: Item, keys: readonly string[]): MapView | Invalid {
    if (item.node === null) return new MapView(this, item.path, item.offset, new Map());
    if (!isMap(item.node)) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected a mapping, got ${describe(item.node)}`);
      return INVALID;
    }
    const entries = new Map<string, Entry>();
    this.collectPairs(item.node, item.path, keys, entries, 0);
    return new MapView(this, item.path, item.offset, entries);
  }

  /** A list: null means absent; anything but a sequence is an error. */
  list(item: Item): Item[] | undefined | Invalid {
    if (item.node === null) return undefined;
    if (!isSeq(item.node)) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected a list, got ${describe(item.node)}`);
      return INVALID;
    }
    return item.node.items.map((n, i) => this.item(n, childPath(item.path, i), item.offset));
  }

  /** A string-to-string mapping (`match-labels`), keys in document order. */
  stringMap(item: Item): { key: string; keyOffset: number; value: Item }[] | undefined | Invalid {
    if (item.node === null) return undefined;
    if (!isMap(item.node)) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected a mapping, got ${describe(item.node)}`);
      return INVALID;
    }
    const entries = new Map<string, Entry>();
    this.collectPairs(item.node, item.path, null, entries, 0);
    return [...entries.entries()].map(([key, e]) => ({ key, keyOffset: e.keyOffset, value: e.value }));
  }

  string(item: Item): Read<string> {
    const n = item.node;
    if (n === null) return undefined;
    if (!isScalar(n)) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected a string, got ${describe(n)}`);
      return INVALID;
    }
    return scalarText(n);
  }

  integer(item: Item, spec: IntegerSpec): Read<number> {
    const n = item.node;
    if (n === null) return undefined;
    if (!isScalar(n)) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected an integer, got ${describe(n)}`);
      return INVALID;
    }
    const text = scalarText(n);
    if (n.type !== Scalar.PLAIN) {
      this.error("INVALID_TYPE", item.path, item.offset, `expected an integer, got the string ${JSON.stringify(text)} (remove the quotes)`);
      return INVALID;
    }
    let value: bigint;
    if (DECIMAL.test(text)) value = BigInt(text.replace(/_/g, ""));
    else if (HEX.test(text)) value = BigInt(text.replace(/_/g, ""));
    else {
      this.error("INVALID_TYPE", item.path, item.offset, `expected an integer, got ${JSON.stringify(text)}`);
      return INVALID;
    }
    if (value < BigInt(spec.min) || value > BigInt(spec.max)) {
      this.error("OUT_OF_RANGE", item.path, item.offset, `${text} does not fit in ${spec.typeName} (${spec.min}..${spec.max})`);
      return INVALID;
    }
    return Number(value);
  }

  bool(item: Item): Read<boolean> {
    const n = item.node;
    if (n === null) return undefined;
    if (isScalar(n) && n.type === Scalar.PLAIN) {
      const text = scalarText(n);
      if (TRUES.has(text)) return true;
      if (FALSES.has(text)) return false;
    }
    const got = isScalar(n) ? JSON.stringify(scalarText(n)) : describe(n);
    this.error("INVALID_TYPE", item.path, item.offset, `expected true or false, got ${got}`);
    return INVALID;
  }

  private collectPairs(node: Node, path: string, keys: readonly string[] | null, into: Map<string, Entry>, depth: number): void {
    if (!isMap(node)) return;
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key;
      const keyOffset = this.offsetOf(keyNode, this.offsetOf(node, 0));
      if (!isScalar(keyNode)) {
        this.error("INVALID_TYPE", path, keyOffset, `expected a string key, got ${describe(keyNode as Node)}`);
        continue;
      }
      const key = scalarText(keyNode);
      // YAML merge key (`<<: *defaults`): yaml.v2 honours it, so do we.
      if (key === "<<" && keyNode.type === Scalar.PLAIN) {
        merges.push(pair.value);
        continue;
      }
      if (keys !== null && !keys.includes(key)) {
        this.error("UNKNOWN_KEY", childPath(path, key), keyOffset, unknownKeyMessage(key, keys));
        continue;
      }
      // yaml.v2 refuses a repeated key; the first one is kept for the other checks.
      if (into.has(key)) {
        this.error("DUPLICATE_KEY", childPath(path, key), keyOffset, `duplicate key ${JSON.stringify(key)}`);
        continue;
      }
      const value = this.item(pair.value, childPath(path, key), this.offsetOf(pair.value, keyOffset));
      into.set(key, { keyOffset, value });
    }
    if (depth >= MAX_MERGE_DEPTH) return;
    for (const m of merges) {
      const target = this.resolve(m);
      // Keys written in the mapping itself override merged ones; earlier merges win over later.
      const sources = target !== null && isSeq(target) ? target.items.map((n) => this.resolve(n)) : [target];
      for (const src of sources) {
        if (src === null || !isMap(src)) {
          this.error("INVALID_TYPE", childPath(path, "<<"), this.offsetOf(m, this.offsetOf(node, 0)), "a merge key (<<) must refer to a mapping");
          continue;
        }
        const merged = new Map<string, Entry>();
        this.collectPairs(src, path, keys, merged, depth + 1);
        for (const [k, e] of merged) if (!into.has(k)) into.set(k, e);
      }
    }
  }
}

interface Entry {
  readonly keyOffset: number;
  readonly value: Item;
}

/** The fields of one mapping, read by type. Every reader reports its own errors. */
export class MapView {
  constructor(
    private readonly reader: YamlReader,
    readonly path: string,
    readonly offset: number,
    private readonly entries: ReadonlyMap<string, Entry>,
  ) {}

  /** The key was written (even with a null value). */
  written(key: string): boolean {
    return this.entries.has(key);
  }

  /** The field's item; for an absent key, a null item at the mapping's position. */
  item(key: string): Item {
    return this.entries.get(key)?.value ?? { node: null, path: childPath(this.path, key), offset: this.offset };
  }

  /** Where to report a problem with this key: its value if written, else the mapping. */
  offsetOf(key: string): number {
    return this.entries.get(key)?.value.offset ?? this.offset;
  }

  keyOffset(key: string): number {
    return this.entries.get(key)?.keyOffset ?? this.offset;
  }

  string(key: string): Read<string> {
    return this.reader.string(this.item(key));
  }

  integer(key: string, spec: IntegerSpec): Read<number> {
    return this.reader.integer(this.item(key), spec);
  }

  bool(key: string): Read<boolean> {
    return this.reader.bool(this.item(key));
  }

  list(key: string): Item[] | undefined | Invalid {
    return this.reader.list(this.item(key));
  }

  mapping(key: string, keys: readonly string[]): MapView | undefined | Invalid {
    const item = this.item(key);
    return item.node === null ? undefined : this.reader.mapping(item, keys);
  }

  /** A list of strings; null items read as "" (yaml.v2's zero value) for the caller to judge. */
  stringList(key: string): { value: string; path: string; offset: number }[] | undefined | Invalid {
    const items = this.list(key);
    if (items === undefined || items === INVALID) return items;
    const out: { value: string; path: string; offset: number }[] = [];
    let bad = false;
    for (const it of items) {
      const v = this.reader.string(it);
      if (v === INVALID) bad = true;
      else out.push({ value: v ?? "", path: it.path, offset: it.offset });
    }
    return bad ? INVALID : out;
  }
}

function isNull(n: Scalar): boolean {
  return n.type === Scalar.PLAIN && NULLS.has(scalarText(n));
}

function scalarText(n: Scalar): string {
  return typeof n.source === "string" ? n.source : String(n.value);
}

function describe(n: Node | null): string {
  if (n === null) return "null";
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list";
  if (isScalar(n)) return JSON.stringify(scalarText(n));
  return "an unsupported node";
}

function unknownKeyMessage(key: string, keys: readonly string[]): string {
  const hint = suggest(key, keys);
  return `unknown key ${JSON.stringify(key)}${hint === undefined ? "" : `; did you mean ${JSON.stringify(hint)}?`}`;
}

/**
 * The known key the user most likely meant: the CRD spelling of a ConfigMap
 * key (`peerAddress` for `peer-address`) or a typo within two edits.
 */
export function suggest(key: string, keys: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const exact = keys.find((k) => squash(k) === squash(key));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of keys) {
    const d = editDistance(key.toLowerCase(), k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The value, or `fallback` when absent or invalid (callers have already rejected the invalid case). */
export function valueOr<T>(v: Read<T>, fallback: T): T {
  return v === undefined || v === INVALID ? fallback : v;
}
