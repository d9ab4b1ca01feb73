// Finding the config inside what users actually have on disk: the raw config
// YAML, a ConfigMap manifest (YAML or JSON, as `kubectl get -o json` prints
// it), a multi-document file or a List (kustomize or `kubectl get` output).
//
// A ConfigMap is the config's home when it holds `data.config`; if several do,
// the one named `config` (MetalLB's and IronLB's name) wins, and a name or
// namespace can be asked for. Problems inside the config keep pointing into
// the original file: a literal block scalar (`config: |`) shifts lines and
// columns by a constant, so they map exactly; a quoted string (JSON) cannot be
// mapped line by line, so its problems are reported at the string.
//
// Deliberately not here: reading files (the CLI does) and Kubernetes API
// objects (the kube package hands `data.config` to parseConfig directly).
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node, type YAMLMap } from "yaml";
import type { ConfigIssue } from "./issues.ts";
import { parseConfig, type ParseResult, type PositionMap } from "./parse.ts";

export interface ConfigMapSelector {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

export type ConfigSource =
  | { readonly kind: "raw" }
  | {
      readonly kind: "configmap";
      readonly name: string | null;
      readonly namespace: string | null;
      /** 1-based index of the YAML document that holds it. */
      readonly document: number;
      /** Where data.config's text starts in the file (1-based). */
      readonly line: number;
    };

export type Extraction =
  | { readonly ok: true; readonly source: ConfigSource; readonly text: string; readonly position: PositionMap | undefined }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] };

export type FileParseResult = ParseResult & { readonly source: ConfigSource | null };

interface ObjectRef {
  readonly map: YAMLMap;
  readonly path: string;
  readonly document: number;
}

/** Decides whether `text` is a raw config or a manifest, and finds the config text. */
export function extractConfig(text: string, selector: ConfigMapSelector = {}): Extraction {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { schema: "failsafe", lineCounter: lines, prettyErrors: false });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  // A file that is not clean YAML is handed to parseConfig as is: it reports
  // syntax errors with positions, which is what the user needs first.
  if (list.some((d) => d.errors.length > 0)) return { ok: true, source: { kind: "raw" }, text, position: undefined };

  const objects: ObjectRef[] = [];
  list.forEach((doc, i) => {
    const root = doc.contents;
    if (!isMap(root) || !isKubernetesObject(root)) return;
    const kind = field(root, "kind");
    const items = root.get("items", true);
    if (typeof kind === "string" && kind.endsWith("List") && isSeq(items)) {
      items.items.forEach((item, j) => {
        if (isMap(item)) objects.push({ map: item, path: `items[${j}]`, document: i + 1 });
      });
    } else objects.push({ map: root, path: "", document: i + 1 });
  });
  if (objects.length === 0) return { ok: true, source: { kind: "raw" }, text, position: undefined };

  const pos = (node: unknown): { line: number; column: number } => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const { line, col } = lines.linePos(range ? range[0] : 0);
    return { line, column: col };
  };
  const fail = (code: ConfigIssue["code"], path: string, node: unknown, message: string): Extraction => ({
    ok: false,
    errors: [{ severity: "error", code, path, ...pos(node), message }],
  });

  const configMaps = objects.filter((o) => {
    if (field(o.map, "kind") !== "ConfigMap") return false;
    const meta = o.map.get("metadata", true);
    const name = isMap(meta) ? field(meta, "name") : undefined;
    const namespace = isMap(meta) ? field(meta, "namespace") : undefined;
    return (selector.name === undefined || name === selector.name) && (selector.namespace === undefined || namespace === selector.namespace);
  });
  const described = (o: ObjectRef) => {
    const meta = o.map.get("metadata", true);
    const name = isMap(meta) ? (field(meta, "name") ?? null) : null;
    const namespace = isMap(meta) ? (field(meta, "namespace") ?? null) : null;
    return { name, namespace, label: `${namespace ?? "(no namespace)"}/${name ?? "(no name)"}` };
  };
  const holding = configMaps.filter((o) => {
    const data = o.map.get("data", true);
    return isMap(data) && data.has("config");
  });
  let chosen: ObjectRef | undefined;
  if (holding.length === 1) chosen = holding[0];
  else if (holding.length > 1) {
    const named = holding.filter((o) => described(o).name === "config");
    if (named.length === 1) chosen = named[0];
    else {
      const which = (named.length > 1 ? named : holding).map((o) => described(o).label).join(", ");
      return fail("AMBIGUOUS_CONFIGMAP", "", holding[1]?.map, `several ConfigMaps hold data.config (${which}); keep one in the file`);
    }
  } else {
    const named = configMaps.find((o) => described(o).name === "config");
    if (named !== undefined) return fail("MISSING_FIELD", named.path === "" ? "data.config" : `${named.path}.data.config`, named.map, 'ConfigMap "config" has no data.config key');
    const what = selector.name !== undefined || selector.namespace !== undefined ? " matching the given name/namespace" : "";
    return fail("NO_CONFIGMAP", "", objects[0]?.map, `the manifest has no ConfigMap${what} with a data.config key (${objects.length} object(s) read)`);
  }
  if (chosen === undefined) return fail("NO_CONFIGMAP", "", null, "no ConfigMap found");

  const data = chosen.map.get("data", true) as unknown as YAMLMap;
  const value = data.get("config", true) as unknown as Node | undefined;
  const valuePath = chosen.path === "" ? "data.config" : `${chosen.path}.data.config`;
  if (!isScalar(value)) return fail("INVALID_TYPE", valuePath, value ?? data, "data.config must be a string holding the config YAML");
  const { name, namespace } = described(chosen);
  const start = pos(value);
  const configText = String(value.value);
  let position: PositionMap;
  let firstLine = start.line;
  if (value.type === Scalar.BLOCK_LITERAL) {
    // Content starts on the line after the `|` header, indented by a constant.
    firstLine = start.line + 1;
    position = { kind: "offset", lineOffset: start.line, columnOffset: blockIndent(text, start.line) };
  } else {
    position = { kind: "fixed", line: start.line, column: start.column };
  }
  return { ok: true, source: { kind: "configmap", name, namespace, document: chosen.document, line: firstLine }, text: configText, position };
}

/** Raw config or manifest in; the parse of the config it holds out, with positions in `text`. */
export function parseConfigFile(text: string, selector: ConfigMapSelector = {}): FileParseResult {
  const found = extractConfig(text, selector);
  if (!found.ok) return { ok: false, errors: found.errors, warnings: [], source: null };
  return { ...parseConfig(found.text, { position: found.position }), source: found.source };
}

function isKubernetesObject(map: YAMLMap): boolean {
  return map.has("apiVersion") && map.has("kind");
}

function field(map: YAMLMap, key: string): string | undefined {
  const v = map.get(key, true);
  return isScalar(v) ? String(v.value) : undefined;
}

/** The indentation of the first non-blank line after `headerLine` (1-based). */
function blockIndent(text: string, headerLine: number): number {
  const lines = text.split(/\r?\n/);
  for (let i = headerLine; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    return line.length - line.trimStart().length;
  }
  return 0;
}
