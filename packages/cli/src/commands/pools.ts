// `ironlb pools`: the address pools of the configuration in force, each with
// its protocol, its addresses, its size and use per family (a shared IP counts
// once, avoided .0/.255 addresses are not usable), how many Services hold its
// addresses, and who may draw from it (auto-assign, priority, namespaces,
// selectors). Read-only, from the API alone.
//
// The numbers come from the same view as `ironlb status` (cluster-view.ts):
// the allocator rebuilt from the Services' statuses as the controller
// rebuilds it on a restart, so they match the controller's
// ironlb_allocator_* gauges.
//
// Deliberately not here: per-IP owners and pending Services (`ironlb
// status`), why a Service got no IP (`ironlb explain`).
import type { Command } from "commander";
import type { Pool } from "@ironlb/core/config";
import { CliError, clusterReadOptions, emit, renderTable, type ClusterReadFlags } from "../cli-kit.ts";

export const order = 22;

type Options = ClusterReadFlags;

const EXAMPLES = `
Examples:
  $ ironlb pools
  $ kubectl ironlb pools -o json | jq '.pools[] | select(.ipv4.available == "0") | .name'

Exit status: 0; 1 when the cluster cannot be read or no configuration is in force.`;

interface FamilyUse {
  readonly size: string;
  readonly inUse: string;
  readonly available: string;
}

export interface PoolRow {
  readonly name: string;
  readonly protocol: string;
  readonly addresses: readonly string[];
  readonly ipv4: FamilyUse;
  readonly ipv6: FamilyUse;
  readonly services: number;
  readonly autoAssign: boolean;
  readonly avoidBuggyIps: boolean;
  /** Who may draw from the pool: null when anyone may (no service-allocation). */
  readonly allocation: { readonly priority: number; readonly namespaces: readonly string[]; readonly namespaceSelectors: number; readonly serviceSelectors: number } | null;
}

export interface PoolsReport {
  readonly configMap: string;
  readonly pools: readonly PoolRow[];
}

export function register(program: Command): void {
  clusterReadOptions(program.command("pools").description("list the address pools with their size and use per family, and who may draw from them"))
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { readCluster } = await import("../cluster-view.ts");
      const state = await readCluster(opts);
      if (state.configProblem !== null || state.snapshot.pools === null) throw new CliError(state.configProblem ?? `no configuration in ${state.configMap}`);
      const pools = state.snapshot.pools;
      const report: PoolsReport = {
        configMap: state.configMap,
        pools: pools.map((p) => poolRow(p, state.view.allocator.counters(p.name))),
      };
      emit(opts.output, report, () => renderPools(report));
    });
}

type Counters = { readonly total: bigint; readonly inUse: bigint; readonly available: bigint };

export function poolRow(p: Pool, c: { readonly ipv4: Counters; readonly ipv6: Counters; readonly services: number } | undefined): PoolRow {
  const fam = (f: Counters | undefined): FamilyUse => ({ size: String(f?.total ?? 0n), inUse: String(f?.inUse ?? 0n), available: String(f?.available ?? 0n) });
  const sa = p.serviceAllocation;
  return {
    name: p.name,
    protocol: p.protocol,
    addresses: p.addresses.map((a) => a.text),
    ipv4: fam(c?.ipv4),
    ipv6: fam(c?.ipv6),
    services: c?.services ?? 0,
    autoAssign: p.autoAssign,
    avoidBuggyIps: p.avoidBuggyIps,
    allocation: sa === null ? null : { priority: sa.priority, namespaces: sa.namespaces, namespaceSelectors: sa.namespaceSelectors.length, serviceSelectors: sa.serviceSelectors.length },
  };
}

/** "3/48 (6%)", "-" for a family the pool lacks; huge IPv6 sizes as powers of two. */
export function use(f: FamilyUse): string {
  const size = BigInt(f.size);
  if (size === 0n) return "-";
  const inUse = BigInt(f.inUse);
  const pct = Number((inUse * 1000n) / size) / 10;
  return `${f.inUse}/${shortSize(size)} (${pct < 0.1 && inUse > 0n ? "<0.1" : String(pct)}%)`;
}

function shortSize(n: bigint): string {
  if (n < 1_000_000n) return String(n);
  const bits = n.toString(2).length - 1;
  return n === 1n << BigInt(bits) ? `2^${bits}` : `~2^${bits}`;
}

function who(r: PoolRow): string {
  const parts: string[] = [];
  if (!r.autoAssign) parts.push("on request only");
  const a = r.allocation;
  if (a !== null) {
    if (a.priority > 0) parts.push(`priority ${a.priority}`);
    if (a.namespaces.length > 0) parts.push(`namespaces ${a.namespaces.join(",")}`);
    if (a.namespaceSelectors > 0) parts.push(`${a.namespaceSelectors} namespace selector${a.namespaceSelectors === 1 ? "" : "s"}`);
    if (a.serviceSelectors > 0) parts.push(`${a.serviceSelectors} service selector${a.serviceSelectors === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "any Service" : parts.join("; ");
}

export function renderPools(r: PoolsReport): string {
  const rows = r.pools.map((p) => [p.name, p.protocol, use(p.ipv4), use(p.ipv6), String(p.services), who(p), p.addresses.join(", ")]);
  return `config ${r.configMap}: ${r.pools.length} pool${r.pools.length === 1 ? "" : "s"}\n\n` + renderTable(["POOL", "PROTOCOL", "IPV4 USED/SIZE", "IPV6 USED/SIZE", "SERVICES", "FOR", "ADDRESSES"], rows);
}
