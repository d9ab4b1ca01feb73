// Label selectors as the ConfigMap spells them (`match-labels`,
// `match-expressions: [{key, operator, values}]`), validated as Kubernetes'
// metav1.LabelSelectorAsSelector does: label keys are qualified names, values
// are label values, operators are In/NotIn/Exists/DoesNotExist, In and NotIn
// need values, Exists and DoesNotExist must have none.
//
// Deliberately not here: matching (selector.ts) and the Kubernetes "set-based"
// string syntax as input (`a in (b)`): the config format never had it; we only
// print it, for summaries and messages.
import { childPath } from "./issues.ts";
import type { LabelSelector, LabelSelectorRequirement, SelectorOperator } from "./types.ts";
import { INVALID, type Invalid, type Item, type YamlReader } from "./yaml-reader.ts";

const SELECTOR_KEYS = ["match-labels", "match-expressions"] as const;
const EXPRESSION_KEYS = ["key", "operator", "values"] as const;
const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes label key: `[prefix/]name`, name <= 63 chars, prefix a DNS subdomain <= 253. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return "the prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.', at most 253 characters)";
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return "the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  }
  return undefined;
}

/** Kubernetes label value: empty, or <= 63 chars of the name alphabet. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME_PART.test(value)) {
    return "a label value must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  }
  return undefined;
}

/** Object names (Secrets) are DNS subdomains. */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** Namespace names are DNS labels. */
export function isDnsLabel(name: string): boolean {
  return name.length > 0 && name.length <= 63 && DNS1123_LABEL.test(name);
}

export interface SelectorOptions {
  /** The CRD-era rules of serviceAllocation: duplicate values or expressions are rejected. */
  readonly rejectDuplicates: boolean;
}

/** Reads one selector; reports every problem in it; INVALID if any. */
export function readSelector(r: YamlReader, item: Item, options: SelectorOptions): LabelSelector | Invalid {
  const m = r.mapping(item, SELECTOR_KEYS);
  if (m === INVALID) return INVALID;
  let bad = false;
  const matchLabels: Record<string, string> = {};
  const labels = r.stringMap(m.item("match-labels"));
  if (labels === INVALID) bad = true;
  else {
    for (const { key, keyOffset, value } of labels ?? []) {
      const v = r.string(value);
      if (v === INVALID) {
        bad = true;
        continue;
      }
      const keyProblem = labelKeyProblem(key);
      if (keyProblem !== undefined) {
        r.error("INVALID_LABEL_KEY", value.path, keyOffset, `invalid label key ${JSON.stringify(key)}: ${keyProblem}`);
        bad = true;
      }
      const valueProblem = labelValueProblem(v ?? "");
      if (valueProblem !== undefined) {
        r.error("INVALID_LABEL_VALUE", value.path, value.offset, `invalid label value ${JSON.stringify(v)}: ${valueProblem}`);
        bad = true;
      }
      Object.defineProperty(matchLabels, key, { value: v ?? "", enumerable: true, writable: true, configurable: true });
    }
  }

  const matchExpressions: LabelSelectorRequirement[] = [];
  const exprs = m.list("match-expressions");
  if (exprs === INVALID) bad = true;
  else {
    const seen = new Map<string, string>();
    for (const e of exprs ?? []) {
      const req = readRequirement(r, e, options);
      if (req === INVALID) {
        bad = true;
        continue;
      }
      const canonical = formatRequirement({ ...req, values: [...req.values].sort() });
      if (options.rejectDuplicates && seen.has(canonical)) {
        r.error("DUPLICATE_ENTRY", e.path, e.offset, `duplicate definition of match expressions ${JSON.stringify(canonical)}`);
        bad = true;
        continue;
      }
      seen.set(canonical, e.path);
      matchExpressions.push(req);
    }
  }
  return bad ? INVALID : { matchLabels, matchExpressions };
}

function readRequirement(r: YamlReader, item: Item, options: SelectorOptions): LabelSelectorRequirement | Invalid {
  const m = r.mapping(item, EXPRESSION_KEYS);
  if (m === INVALID) return INVALID;
  let bad = false;
  const key = m.string("key");
  if (key === undefined || key === "") {
    r.error("MISSING_FIELD", childPath(m.path, "key"), m.offsetOf("key"), "a match expression needs a key");
    bad = true;
  } else if (key !== INVALID) {
    const problem = labelKeyProblem(key);
    if (problem !== undefined) {
      r.error("INVALID_LABEL_KEY", childPath(m.path, "key"), m.offsetOf("key"), `invalid label key ${JSON.stringify(key)}: ${problem}`);
      bad = true;
    }
  } else bad = true;

  const op = m.string("operator");
  let operator: SelectorOperator | undefined;
  if (op === undefined || op === "") {
    r.error("MISSING_FIELD", childPath(m.path, "operator"), m.offsetOf("operator"), "a match expression needs an operator (In, NotIn, Exists, DoesNotExist)");
    bad = true;
  } else if (op !== INVALID) {
    operator = OPERATORS.find((o) => o === op);
    if (operator === undefined) {
      r.error(
        "INVALID_SELECTOR_OPERATOR",
        childPath(m.path, "operator"),
        m.offsetOf("operator"),
        `${JSON.stringify(op)} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`,
      );
      bad = true;
    }
  } else bad = true;

  const values = m.stringList("values");
  const list = values === INVALID || values === undefined ? [] : values;
  if (values === INVALID) bad = true;
  if (operator !== undefined) {
    if ((operator === "In" || operator === "NotIn") && list.length === 0 && values !== INVALID) {
      r.error("INVALID_SELECTOR_VALUES", childPath(m.path, "values"), m.offsetOf("values"), `values must be non-empty for operator ${operator}`);
      bad = true;
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && list.length > 0) {
      r.error("INVALID_SELECTOR_VALUES", childPath(m.path, "values"), m.offsetOf("values"), `values must be empty for operator ${operator}`);
      bad = true;
    }
  }
  const seen = new Set<string>();
  for (const v of list) {
    const problem = labelValueProblem(v.value);
    if (problem !== undefined) {
      r.error("INVALID_LABEL_VALUE", v.path, v.offset, `invalid label value ${JSON.stringify(v.value)}: ${problem}`);
      bad = true;
    } else if (options.rejectDuplicates && seen.has(v.value)) {
      r.error("DUPLICATE_ENTRY", v.path, v.offset, `duplicate definition of match expression value in label selector ${JSON.stringify(v.value)}`);
      bad = true;
    }
    seen.add(v.value);
  }
  if (bad || key === undefined || key === INVALID || operator === undefined) return INVALID;
  return { key, operator, values: list.map((v) => v.value) };
}

/**
 * Reads a list of selectors (ORed). With `rejectDuplicates`, two selectors
 * that select the same thing are an error (`duplicate definition of %s %q`).
 */
export function readSelectorList(r: YamlReader, items: readonly Item[], what: string, options: SelectorOptions): LabelSelector[] | Invalid {
  const out: LabelSelector[] = [];
  const seen = new Set<string>();
  let bad = false;
  for (const it of items) {
    const sel = readSelector(r, it, options);
    if (sel === INVALID) {
      bad = true;
      continue;
    }
    const canonical = formatSelector(sel);
    if (options.rejectDuplicates && seen.has(canonical)) {
      r.error("DUPLICATE_SELECTOR", it.path, it.offset, `duplicate definition of ${what} ${JSON.stringify(canonical)}`);
      bad = true;
      continue;
    }
    seen.add(canonical);
    out.push(sel);
  }
  return bad ? INVALID : out;
}

function formatRequirement(r: LabelSelectorRequirement): string {
  switch (r.operator) {
    case "In":
      return `${r.key} in (${r.values.join(",")})`;
    case "NotIn":
      return `${r.key} notin (${r.values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
  }
}

/**
 * Kubernetes' selector string (`app=web,tier in (a,b),!canary`), requirements
 * sorted by key as labels.Selector.String() does; "" selects everything.
 */
export function formatSelector(sel: LabelSelector): string {
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels)) parts.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions) parts.push({ key: e.key, text: formatRequirement({ ...e, values: [...e.values].sort() }) });
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return parts.map((p) => p.text).join(",");
}
