// Label and field selectors with the grammar and matching rules of
// k8s.io/apimachinery/pkg/labels (`=`, `==`, `!=`, `in`, `notin`, `key`,
// `!key`, `>`, `<`) and pkg/fields (`=`, `==`, `!=`, backslash escapes).
//
// Parsing errors carry the reason BadRequest (400), as the apiserver answers
// them. Which field names a resource supports is decided by the resource
// table, not here: this module only parses and matches.
import { badRequest } from "./errors.ts";

export type LabelOp = "=" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";

export interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOp;
  readonly values: readonly string[];
}

export type LabelSelector = readonly LabelRequirement[];

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isQualifiedName(key: string): boolean {
  if (!QUALIFIED_NAME.test(key)) return false;
  const slash = key.indexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  return name.length <= 63 && (slash < 0 || slash <= 253);
}

export function isLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function fail(req: string, why: string): never {
  throw badRequest(`unable to parse requirement: ${JSON.stringify(req)}: ${why}`);
}

function checkKey(req: string, key: string): void {
  if (!isQualifiedName(key)) fail(req, `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

function checkValue(req: string, v: string): void {
  if (!isLabelValue(v)) fail(req, `invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

/** Parses a label selector string; the empty string selects everything. */
export function parseLabelSelector(input: string): LabelSelector {
  const reqs: LabelRequirement[] = [];
  if (input.trim() === "") return reqs;
  for (const raw of splitTopLevel(input)) {
    const req = raw.trim();
    if (req === "") fail(raw, "found '', expected: !, identifier, or 'end of string'");
    let m: RegExpMatchArray | null;
    if ((m = /^!\s*([^\s=!<>(),]+)$/.exec(req))) {
      checkKey(req, m[1] as string);
      reqs.push({ key: m[1] as string, op: "!", values: [] });
    } else if ((m = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(req))) {
      const key = m[1] as string;
      checkKey(req, key);
      const values = (m[3] as string).split(",").map((v) => v.trim());
      if (values.length === 1 && values[0] === "" && m[2] === "in") fail(req, "for 'in', 'notin' operators, values set can't be empty");
      for (const v of values) checkValue(req, v);
      reqs.push({ key, op: m[2] as "in" | "notin", values: [...new Set(values)].sort() });
    } else if ((m = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/.exec(req))) {
      const key = m[1] as string;
      const op = m[2] as string;
      const value = m[3] as string;
      checkKey(req, key);
      if (op === ">" || op === "<") {
        if (!/^-?\d+$/.test(value)) fail(req, `for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op, values: [value] });
      } else {
        checkValue(req, value);
        reqs.push({ key, op: op === "!=" ? "!=" : "=", values: [value] });
      }
    } else if ((m = /^([^\s=!<>(),]+)$/.exec(req))) {
      checkKey(req, m[1] as string);
      reqs.push({ key: m[1] as string, op: "exists", values: [] });
    } else {
      fail(req, "found unexpected token, expected: '=', '!=', '==', 'in', notin'");
    }
  }
  return reqs;
}

export function matchLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case "=":
        if (!has || v !== r.values[0]) return false;
        break;
      case "!=":
        if (has && v === r.values[0]) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case "notin":
        if (has && r.values.includes(v as string)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
      case ">":
      case "<": {
        if (!has || !/^-?\d+$/.test(v as string)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === ">" ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: "=" | "!=";
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/** Splits on `sep` characters that are not escaped with a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\" && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescapeFieldValue(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === "\\") {
      const next = v[i + 1];
      if (next === undefined || !"\\,=".includes(next)) throw badRequest(`invalid field selector: invalid escape sequence in ${JSON.stringify(v)}`);
      out += next;
      i++;
    } else if (c === "," || c === "=") {
      throw badRequest(`invalid field selector: unescaped ${c} in ${JSON.stringify(v)}`);
    } else out += c;
  }
  return out;
}

export function parseFieldSelector(input: string): FieldSelector {
  const out: FieldRequirement[] = [];
  if (input.trim() === "") return out;
  for (const part of splitUnescaped(input, ",")) {
    const m = /^([^=!]+?)\s*(==|!=|=)(.*)$/s.exec(part.trim());
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${part}'`);
    out.push({ field: (m[1] as string).trim(), op: m[2] === "!=" ? "!=" : "=", value: unescapeFieldValue(m[3] as string) });
  }
  return out;
}

export function matchFields(selector: FieldSelector, get: (field: string) => string | undefined): boolean {
  for (const r of selector) {
    const v = get(r.field) ?? "";
    if (r.op === "=" ? v !== r.value : v === r.value) return false;
  }
  return true;
}
