import { describe, expect, it } from "vitest";
import { mustParse, runScenarios, y, type Scenario } from "./scenarios.fixtures.ts";
import { formatSelector, labelKeyProblem, labelValueProblem } from "./selector-parse.ts";
import { matchesAnySelector } from "./selector.ts";

/** A peer whose node-selectors block starts on line 5. */
const withSelectors = (block: string) => `peers:\n- my-asn: 64500\n  peer-asn: 64501\n  peer-address: 10.99.0.1\n  node-selectors:\n${block}`;

const table: Scenario[] = [
  { desc: "no node-selectors: every node", yaml: withSelectors(""), want: { peers: [{ nodeSelectors: [] }] } },
  {
    desc: "match-labels and match-expressions",
    yaml: withSelectors("  - match-labels:\n      foo: bar\n    match-expressions:\n      - {key: bar, operator: In, values: [quux]}\n"),
    want: {
      peers: [{ nodeSelectors: [{ matchLabels: { foo: "bar" }, matchExpressions: [{ key: "bar", operator: "In", values: ["quux"] }] }] }],
    },
  },
  {
    desc: "several selectors",
    yaml: withSelectors("  - match-labels: {rack: a}\n  - match-expressions: [{key: edge, operator: Exists}]\n"),
    want: {
      peers: [
        {
          nodeSelectors: [
            { matchLabels: { rack: "a" }, matchExpressions: [] },
            { matchLabels: {}, matchExpressions: [{ key: "edge", operator: "Exists", values: [] }] },
          ],
        },
      ],
    },
  },
  { desc: "prefixed label key", yaml: withSelectors("  - match-labels: {kubernetes.io/hostname: node-1}\n"), want: { peers: [{ nodeSelectors: [{ matchLabels: { "kubernetes.io/hostname": "node-1" } }] }] } },
  { desc: "a number as label value is its text", yaml: withSelectors("  - match-labels: {zone: 1}\n"), want: { peers: [{ nodeSelectors: [{ matchLabels: { zone: "1" } }] }] } },
  {
    desc: "label value that is a mapping",
    yaml: withSelectors("  - match-labels:\n      foo:\n        bar: baz\n"),
    wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].node-selectors[0].match-labels.foo", line: 8 }],
  },
  {
    desc: "expression without key",
    yaml: withSelectors("  - match-expressions:\n    - operator: In\n      values: [foo, bar]\n"),
    wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].node-selectors[0].match-expressions[0].key", line: 7 }],
  },
  {
    desc: "expression without operator",
    yaml: withSelectors("  - match-expressions:\n    - key: foo\n      values: [foo, bar]\n"),
    wantErrors: [{ code: "MISSING_FIELD", path: "peers[0].node-selectors[0].match-expressions[0].operator", line: 7 }],
  },
  {
    desc: "invalid operator",
    yaml: withSelectors("  - match-expressions:\n    - key: foo\n      operator: Surrounds\n      values: [foo, bar]\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_OPERATOR", path: "peers[0].node-selectors[0].match-expressions[0].operator", line: 8 }],
  },
  {
    desc: "operators are case-sensitive",
    yaml: withSelectors("  - match-expressions: [{key: foo, operator: in, values: [a]}]\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_OPERATOR", path: "peers[0].node-selectors[0].match-expressions[0].operator", line: 6 }],
  },
  {
    desc: "In needs values",
    yaml: withSelectors("  - match-expressions:\n    - key: foo\n      operator: In\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_VALUES", path: "peers[0].node-selectors[0].match-expressions[0].values", line: 7 }],
  },
  {
    desc: "NotIn needs values",
    yaml: withSelectors("  - match-expressions: [{key: foo, operator: NotIn, values: []}]\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_VALUES", path: "peers[0].node-selectors[0].match-expressions[0].values", line: 6 }],
  },
  {
    desc: "Exists must not have values",
    yaml: withSelectors("  - match-expressions:\n    - key: foo\n      operator: Exists\n      values: [x]\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_VALUES", path: "peers[0].node-selectors[0].match-expressions[0].values", line: 9 }],
  },
  {
    desc: "DoesNotExist must not have values",
    yaml: withSelectors("  - match-expressions: [{key: foo, operator: DoesNotExist, values: [x]}]\n"),
    wantErrors: [{ code: "INVALID_SELECTOR_VALUES", path: "peers[0].node-selectors[0].match-expressions[0].values", line: 6 }],
  },
  { desc: "DoesNotExist", yaml: withSelectors("  - match-expressions: [{key: foo, operator: DoesNotExist}]\n"), want: { peers: [{ nodeSelectors: [{ matchExpressions: [{ key: "foo", operator: "DoesNotExist", values: [] }] }] }] } },
  {
    desc: "invalid label key",
    yaml: withSelectors("  - match-labels: {-bad-: x}\n"),
    wantErrors: [{ code: "INVALID_LABEL_KEY", path: "peers[0].node-selectors[0].match-labels.-bad-", line: 6 }],
  },
  {
    desc: "invalid label value",
    yaml: withSelectors("  - match-labels: {rack: a b}\n"),
    wantErrors: [{ code: "INVALID_LABEL_VALUE", path: "peers[0].node-selectors[0].match-labels.rack", line: 6 }],
  },
  {
    desc: "invalid expression key and value",
    yaml: withSelectors("  - match-expressions: [{key: Foo/bar, operator: In, values: [\"a/b\"]}]\n"),
    wantErrors: [
      { code: "INVALID_LABEL_KEY", path: "peers[0].node-selectors[0].match-expressions[0].key", line: 6 },
      { code: "INVALID_LABEL_VALUE", path: "peers[0].node-selectors[0].match-expressions[0].values[0]", line: 6 },
    ],
  },
  {
    desc: "unknown key in a selector (CRD spelling)",
    yaml: withSelectors("  - matchLabels: {rack: a}\n"),
    wantErrors: [{ code: "UNKNOWN_KEY", path: "peers[0].node-selectors[0].matchLabels", line: 6 }],
  },
  {
    desc: "node-selectors must be a list",
    yaml: "peers:\n- my-asn: 64500\n  peer-asn: 64501\n  peer-address: 10.99.0.1\n  node-selectors: {rack: a}\n",
    wantErrors: [{ code: "INVALID_TYPE", path: "peers[0].node-selectors", line: 5 }],
  },
  {
    desc: "duplicate node selectors are tolerated, as in MetalLB's ConfigMap format",
    yaml: withSelectors("  - match-labels: {rack: a}\n  - match-labels: {rack: a}\n"),
    want: { peers: [{ nodeSelectors: [{ matchLabels: { rack: "a" } }, { matchLabels: { rack: "a" } }] }] },
  },
];

runScenarios("node selectors", table);

describe("selector helpers", () => {
  it("validates label keys and values as Kubernetes does", () => {
    expect(labelKeyProblem("app")).toBeUndefined();
    expect(labelKeyProblem("example.com/app")).toBeUndefined();
    expect(labelKeyProblem("a".repeat(63))).toBeUndefined();
    expect(labelKeyProblem("a".repeat(64))).toBeDefined();
    expect(labelKeyProblem("/app")).toBeDefined();
    expect(labelKeyProblem("Example.com/app")).toBeDefined();
    expect(labelKeyProblem("app/")).toBeDefined();
    expect(labelValueProblem("")).toBeUndefined();
    expect(labelValueProblem("a.b-c_d")).toBeUndefined();
    expect(labelValueProblem("-a")).toBeDefined();
  });

  it("prints selectors like labels.Selector.String()", () => {
    const config = mustParse(
      withSelectors("  - match-labels: {zone: b, app: web}\n    match-expressions:\n    - {key: tier, operator: NotIn, values: [y, x]}\n    - {key: canary, operator: DoesNotExist}\n"),
    );
    const sel = config.peers[0]?.nodeSelectors[0];
    expect(sel && formatSelector(sel)).toBe("app=web,!canary,tier notin (x,y),zone=b");
  });

  it("parsed selectors match nodes with Kubernetes semantics", () => {
    const config = mustParse(
      y`
        peers:
        - my-asn: 64500
          peer-asn: 64501
          peer-address: 10.99.0.1
          node-selectors:
          - match-labels: {rack: a}
            match-expressions: [{key: role, operator: NotIn, values: [storage]}]
          - match-expressions: [{key: edge, operator: Exists}]
      `,
    );
    const sels = config.peers[0]?.nodeSelectors ?? [];
    expect(matchesAnySelector(sels, { rack: "a" })).toBe(true);
    expect(matchesAnySelector(sels, { rack: "a", role: "storage" })).toBe(false);
    expect(matchesAnySelector(sels, { rack: "b" })).toBe(false);
    expect(matchesAnySelector(sels, { rack: "b", edge: "" })).toBe(true);
  });
});
