// ConfigTracker as an ordered scenario table (reference §1a reload
// semantics): what each ConfigMap state means for the config in force, the
// stale flag, and whether the pools changed.
import { expect, test } from "vitest";
import { ConfigTracker, type ConfigMapLike, type ConfigObservation } from "./config-state.ts";

const A = "address-pools:\n- name: a\n  protocol: layer2\n  addresses: [198.51.100.0/30]\n";
const A_PEER = `peers:\n- my-asn: 64512\n  peer-asn: 64513\n  peer-address: 10.99.0.1\n${A}`;
const B = "address-pools:\n- name: b\n  protocol: layer2\n  addresses: [198.51.100.0/30]\n";
const BROKEN = "address-pools:\n- name: a\n  protocol: layer2\n  addresses: [198.51.100.0/33]\n";

const cm = (config?: string): ConfigMapLike => (config === undefined ? { data: {} } : { data: { config } });

interface Row {
  readonly desc: string;
  readonly input: ConfigMapLike | undefined;
  readonly want: { readonly kind: ConfigObservation["kind"]; readonly first?: boolean; readonly poolsChanged?: boolean; readonly recovered?: boolean; readonly keptLast?: boolean };
  readonly stale: boolean;
  readonly pools: readonly string[] | null;
  readonly problem?: string;
}

const rows: readonly Row[] = [
  { desc: "no ConfigMap at start: missing, nothing in force", input: undefined, want: { kind: "missing" }, stale: false, pools: null, problem: "ConfigMap ns/config not found" },
  { desc: "an invalid first config: nothing in force", input: cm(BROKEN), want: { kind: "invalid" }, stale: false, pools: null, problem: "(line 4)" },
  { desc: "the first good config: loaded, pools changed, recovered", input: cm(A), want: { kind: "loaded", first: true, poolsChanged: true, recovered: true }, stale: false, pools: ["a"] },
  { desc: "the same text again (a label change): unchanged", input: cm(A), want: { kind: "unchanged" }, stale: false, pools: ["a"] },
  { desc: "a peer added, pools equal: loaded without a pool change", input: cm(A_PEER), want: { kind: "loaded", first: false, poolsChanged: false, recovered: false }, stale: false, pools: ["a"] },
  { desc: "broken: the last good config stays, stale", input: cm(BROKEN), want: { kind: "invalid", keptLast: true }, stale: true, pools: ["a"], problem: "is invalid: address-pools[0].addresses[0]" },
  { desc: "no data.config key: still the last good config, stale", input: cm(), want: { kind: "invalid", keptLast: true }, stale: true, pools: ["a"], problem: "has no data.config key" },
  { desc: "fixed with other pools: loaded, changed, recovered", input: cm(B), want: { kind: "loaded", poolsChanged: true, recovered: true }, stale: false, pools: ["b"] },
  { desc: "deleted: the last config stays, stale", input: undefined, want: { kind: "missing", keptLast: true }, stale: true, pools: ["b"], problem: "not found" },
];

test("the config in force across ConfigMap changes", () => {
  const t = new ConfigTracker("ns/config");
  for (const row of rows) {
    const before = JSON.stringify(row.input);
    const got = t.observe(row.input);
    expect(JSON.stringify(row.input), row.desc).toBe(before);
    expect(got, row.desc).toMatchObject(row.want);
    expect(t.stale, row.desc).toBe(row.stale);
    expect(t.config?.pools.map((p) => p.name) ?? null, row.desc).toEqual(row.pools);
    if (row.problem !== undefined) expect(t.problem, row.desc).toContain(row.problem);
    else expect(t.problem, row.desc).toBeNull();
  }
});
