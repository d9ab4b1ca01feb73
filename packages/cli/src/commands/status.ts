// `ironlb status`: what the cluster's LoadBalancer IPs look like, read-only:
// each pool's size and use per family, which Service holds each IP (shared
// IPs list all holders and the key), Services still waiting for an IP with
// the reason their ironlb.io/Allocated condition gives, and Services holding
// an IP the current config would take back.
//
// Below that, the speakers' side: which node announces each Service (layer 2
// owner, BGP nodes) and every BGP session's state, from the status each
// speaker publishes on its own pod (the view `ironlb speakers` shows alone).
// Reading it needs pods in IronLB's namespace; without that access the
// section says why instead of failing the command.
//
// Built from the API alone (ConfigMap, Services, Namespaces) with the
// allocator rebuilt from the statuses as the controller does on a restart,
// so it works on any cluster, with or without access to the controller.
import type { Command } from "commander";
import { clusterReadOptions, emit, renderTable, type ClusterReadFlags } from "../cli-kit.ts";
import type { IpAddress } from "@ironlb/core/ip";
import type { ClusterState } from "../cluster-view.ts";
import type { SpeakerStatusView, renderSpeakerStatus as RenderSpeakerStatus } from "@ironlb/speaker";

export const order = 20;

interface Options extends ClusterReadFlags {
  readonly speakerSelector: string;
}

const EXAMPLES = `
Examples:
  $ ironlb status
  $ ironlb status --kubeconfig ./kubeconfig -o json | jq '.pending'

Exit status: 0, also when Services are pending (their reasons are listed).`;

export function register(program: Command): void {
  clusterReadOptions(program.command("status").description("show pools (size and use per family), who holds each IP, and pending Services with their reason"), (c) =>
    c.option("--speaker-selector <labels>", "label selector of the speaker pods", "app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker"),
  )
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { readCluster } = await import("../cluster-view.ts");
      const { formatIp } = await import("@ironlb/core/ip");
      const state = await readCluster(opts);
      const announcements = await readAnnouncements(opts);
      const { renderSpeakerStatus } = await import("@ironlb/speaker");
      const report = { ...toReport(state, formatIp), announcements };
      emit(opts.output, report, () => render(report, renderSpeakerStatus));
    });
}

type Announcements = { readonly view: SpeakerStatusView; readonly problem: null } | { readonly view: null; readonly problem: string };

async function readAnnouncements(opts: Options): Promise<Announcements> {
  const { createClients, describeError } = await import("@ironlb/kube");
  const { collectSpeakerStatus } = await import("@ironlb/speaker");
  const namespace = opts.namespace ?? process.env["IRONLB_NAMESPACE"] ?? "ironlb-system";
  try {
    const view = await collectSpeakerStatus(createClients({ kubeconfig: opts.kubeconfig }), namespace, opts.speakerSelector);
    return { view, problem: null };
  } catch (err) {
    return { view: null, problem: `cannot read the speakers in ${namespace}: ${describeError(err)}` };
  }
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

function render(r: Report & { readonly announcements: Announcements }, renderSpeakers: typeof RenderSpeakerStatus): string {
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
  out.push("", "Announcements (published by the speakers):");
  if (r.announcements.view === null) out.push(r.announcements.problem);
  else if (r.announcements.view.speakers.length === 0) out.push("no speaker has published its state (are the speakers running?)");
  else out.push(renderSpeakers(r.announcements.view, renderTable).trimEnd());
  return out.join("\n") + "\n";
}

