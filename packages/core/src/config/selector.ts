// Kubernetes label-selector semantics for the selectors found in the config
// (node selectors, namespace and service selectors). Matching only; parsing
// and validation of the YAML form live in the config parser.
import type { LabelSelector, LabelSelectorRequirement } from "./types.ts";

export type Labels = Readonly<Record<string, string>>;

/** The empty selector (no labels, no expressions) matches every object. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) {
    if (labels[k] !== v) return false;
  }
  return selector.matchExpressions.every((r) => matchesRequirement(r, labels));
}

/** Several selectors are ORed; an empty list matches everything (MetalLB node-selectors). */
export function matchesAnySelector(selectors: readonly LabelSelector[], labels: Labels): boolean {
  return selectors.length === 0 || selectors.some((s) => matchesSelector(s, labels));
}

function matchesRequirement(r: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case "In":
      return has && r.values.includes(labels[r.key] as string);
    case "NotIn":
      return !has || !r.values.includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
  }
}
