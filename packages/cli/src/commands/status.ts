// `ironlb status`: what the cluster's LoadBalancer IPs look like, read-only:
// each pool's size and use per family, which Service holds each IP (shared
// IPs list all holders and the key), Services still waiting for an IP with
// the reason their ironlb.io/Allocated condition gives, and Services holding
// an IP the current config would take back.
//
// Built from the API alone (ConfigMap, Services, Namespaces) with the
// allocator rebuilt from the statuses as the controller does on a restart,
// so it works on any cluster, with or without access to the controller.
import type { Command } from "commander";
import { emit, outputOption, renderTable, type OutputFormat } from "../cli-kit.ts";
import type { IpAddress } from "@ironlb/core/ip";
import type { ClusterState } from "../cluster-view.ts";

export const order = 20;

interface Options {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly configMap: string;
  readonly lbClass?: string;
  readonly output: OutputFormat;
}

const EXAMPLES = `
Examples:
  $ ironlb status
  $ ironlb status --kubeconfig ./kubeconfig -o json | jq '.pending'

Exit status: 0, also when Services are pending (their reasons are listed).`;

export function register(program: Command): void {
  program
    .command("status")
    .description("show pools (size and use per family), who holds each IP, and pending Services with their reason")
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--namespace <ns>", "namespace of IronLB's ConfigMap (default: $IRONLB_NAMESPACE, else ironlb-system)")
    .option("--config-map <name>", "name of the config ConfigMap", "config")
    .option("--lb-class <class>", "the controller's --lb-class, if it has one")
    .addOption(outputOption())
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { readCluster } = await import("../cluster-view.ts");
      const { formatIp } = await import("@ironlb/core/ip");
      const state = await readCluster(opts);
      const report = toReport(state, formatIp);
      emit(opts.output, report, () => render(report));
    });
}

interface FamilyUse {
  readonly total: string;
  readonly inUse: string;
  readonly available: string;
}

interface Report {
  readonly configMap: string;
  readonly config: { readonly loaded: boolean; readonly pools: number; readonly problem: string | null };
  readonly pools: readonly { readonly name: string; readonly ipv4: FamilyUse; readonly ipv6: FamilyUse; readonly services: number }[];
  readonly ips: readonly { readonly ip: string; readonly pool: string; readonly sharingKey: string; readonly services: readonly string[] }[];
  readonly pending: readonly { readonly service: string; readonly reason: string; readonly message: string }[];
  readonly conflicts: readonly { readonly service: string; readonly ips: readonly string[]; readonly code: string; readonly message: string }[];
}

function toReport(state: ClusterState, formatIp: (ip: IpAddress) => string): Report {
  const { allocator, services } = state.view;
  const fam = (c: { total: bigint; inUse: bigint; available: bigint } | undefined): FamilyUse => ({
    total: String(c?.total ?? 0n),
    inUse: String(c?.inUse ?? 0n),
    available: String(c?.available ?? 0n),
  });
  return {
    configMap: state.configMap,
    config: { loaded: state.configProblem === null, pools: state.poolCount, problem: state.configProblem },
    pools: allocator.poolNames().map((name) => {
      const c = allocator.counters(name);
      return { name, ipv4: fam(c?.ipv4), ipv6: fam(c?.ipv6), services: c?.services ?? 0 };
    }),
    ips:
      state.configProblem === null
        ? allocator.owners().map((o) => ({ ip: formatIp(o.ip), pool: o.pool, sharingKey: o.sharingKey, services: o.services }))
        : services.filter((s) => s.state === "allocated").flatMap((s) => s.ips.map((ip) => ({ ip, pool: s.pool ?? "?", sharingKey: "", services: [s.key] }))),
    pending: services
      .filter((s) => s.state === "pending")
      .map((s) => ({ service: s.key, reason: s.reason ?? "Unknown", message: s.message ?? "no ironlb.io/Allocated condition yet (is the controller running?)" })),
    conflicts: services.filter((s) => s.state === "conflict").map((s) => ({ service: s.key, ips: s.ips, code: s.reason ?? "", message: s.message ?? "" })),
  };
}

function render(r: Report): string {
  const out: string[] = [];
  out.push(`config ${r.configMap}: ${r.config.problem ?? `loaded, ${r.config.pools} pool${r.config.pools === 1 ? "" : "s"}`}`);
  if (r.pools.length > 0) {
    const use = (f: FamilyUse) => (f.total === "0" ? "-" : `${f.inUse}/${f.total}`);
    out.push("", renderTable(["POOL", "IPV4 USED/SIZE", "IPV6 USED/SIZE", "SERVICES"], r.pools.map((p) => [p.name, use(p.ipv4), use(p.ipv6), String(p.services)])).trimEnd());
  }
  if (r.ips.length > 0) {
    out.push("", renderTable(["IP", "POOL", "SERVICES"], r.ips.map((i) => [i.ip, i.pool, i.services.join(", ") + (i.services.length > 1 ? ` (shared, key "${i.sharingKey}")` : "")])).trimEnd());
  } else out.push("", "no IP is assigned");
  if (r.pending.length > 0) out.push("", renderTable(["PENDING", "REASON", "MESSAGE"], r.pending.map((p) => [p.service, p.reason, p.message])).trimEnd());
  if (r.conflicts.length > 0) {
    out.push("", "Services holding IPs the current config does not allow (the controller will move them):");
    out.push(renderTable(["SERVICE", "IPS", "CODE", "MESSAGE"], r.conflicts.map((c) => [c.service, c.ips.join(", "), c.code, c.message])).trimEnd());
  }
  return out.join("\n") + "\n";
}
