// `ironlb explain NAMESPACE/NAME`: a dry run of the allocation for one
// Service, read-only. It shows which rule of MetalLB's order applies
// (requested IPs, requested pool, automatic; reference §2.2), every pool with
// the reason it is accepted or rejected (namespace not allowed, selector
// mismatch, auto-assign off, family missing, full, port or backend conflict),
// whether the IPs the Service holds now would be re-claimed, and the IP it
// would get, or the condition reason it would fail with.
//
// The allocator is the one the controller rebuilds on a restart (statuses of
// every other Service re-claimed first), and the verdicts come from the same
// planner that allocates, so the explanation cannot disagree with the
// controller.
import type { Command } from "commander";
import type { ExplainReport } from "@ironlb/core/allocator";
import type { IpAddress } from "@ironlb/core/ip";
import { CliError, clusterReadOptions, emit, renderTable, type ClusterReadFlags } from "../cli-kit.ts";

export const order = 21;

type Options = ClusterReadFlags;

const EXAMPLES = `
Examples:
  $ ironlb explain default/web
  $ ironlb explain shop/checkout -o yaml

Exit status: 0 when the Service would get an IP, 3 when it would not (the reason is printed),
1 on bad arguments or when the Service cannot be read.`;

const EXIT_WOULD_FAIL = 3;

interface Result {
  readonly service: string;
  readonly mode: ExplainReport["mode"];
  readonly requested: { readonly ips: readonly string[]; readonly pool: string | null };
  readonly current: { readonly pool: string; readonly ips: readonly string[]; readonly reclaim: { readonly ok: boolean; readonly code?: string; readonly message?: string } } | null;
  readonly pools: readonly { readonly pool: string; readonly stage: string; readonly accepted: boolean; readonly reason: string; readonly ips: readonly string[] }[];
  readonly outcome: { readonly ok: true; readonly pool: string; readonly ips: readonly string[] } | { readonly ok: false; readonly reason: string; readonly code: string; readonly message: string };
}

export function register(program: Command): void {
  clusterReadOptions(
    program
      .command("explain")
      .description("dry run: which pools could serve a Service, why each is accepted or rejected, and the IP it would get")
      .argument("<service>", "the Service, as NAMESPACE/NAME"),
  )
    .addHelpText("after", EXAMPLES)
    .action(async (ref: string, opts: Options) => {
      const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(ref);
      if (m === null) throw new CliError(`service: "${ref}" is not NAMESPACE/NAME`);
      const key = `${m[1]}/${m[3]}`;
      const { readCluster } = await import("../cluster-view.ts");
      const { explainService, reasonFor } = await import("@ironlb/controller");
      const { formatIp } = await import("@ironlb/core/ip");
      const state = await readCluster(opts);
      const svc = state.services.find((s) => `${s.metadata?.namespace}/${s.metadata?.name}` === key);
      if (svc === undefined) throw new CliError(`service ${key} not found`);
      const explained = explainService(state.view, svc, state.snapshot);
      if (!explained.ok) {
        const detail = state.configProblem !== null && explained.code === "NO_CONFIG" ? state.configProblem : explained.message;
        throw new CliError(`cannot explain ${key}: ${detail}`, EXIT_WOULD_FAIL);
      }
      const r = explained.report;
      const texts = (ips: readonly IpAddress[]) => ips.map(formatIp);
      const result: Result = {
        service: key,
        mode: r.mode,
        requested: { ips: explained.requestedIps, pool: explained.requestedPool },
        current:
          r.current === null
            ? null
            : {
                pool: r.current.assignment.pool,
                ips: texts(r.current.assignment.ips),
                reclaim: r.current.reclaim.ok ? { ok: true } : { ok: false, code: r.current.reclaim.error.code, message: r.current.reclaim.error.message },
              },
        pools: r.pools.map((p) => ({ pool: p.pool, stage: p.stage, accepted: p.accepted, reason: p.reason, ips: texts(p.ips) })),
        outcome: r.outcome.ok
          ? { ok: true, pool: r.outcome.value.pool, ips: texts(r.outcome.value.ips) }
          : { ok: false, reason: reasonFor(r.outcome.error.code), code: r.outcome.error.code, message: r.outcome.error.message },
      };
      emit(opts.output, result, () => render(result));
      if (!result.outcome.ok) process.exitCode = EXIT_WOULD_FAIL;
    });
}

function render(r: Result): string {
  const out: string[] = [`service ${r.service}`];
  const how =
    r.mode === "requested-ips" ? `requested IPs ${r.requested.ips.join(", ")}${r.requested.pool === null ? "" : ` in pool ${r.requested.pool}`}` : r.mode === "requested-pool" ? `requested pool ${r.requested.pool ?? ""}` : "automatic allocation";
  out.push(`rule    ${how}`);
  if (r.current !== null) {
    const keep = r.current.reclaim.ok ? "kept on re-claim" : `would be taken back: ${r.current.reclaim.code} ${r.current.reclaim.message}`;
    out.push(`holds   ${r.current.ips.join(", ")} from pool ${r.current.pool} (${keep})`);
  }
  out.push("", renderTable(["POOL", "STAGE", "VERDICT", "REASON", "WOULD GIVE"], r.pools.map((p) => [p.pool, p.stage, p.accepted ? "accepted" : "rejected", p.reason, p.ips.join(", ") || "-"])).trimEnd(), "");
  if (r.outcome.ok) out.push(`result  ${r.outcome.ips.join(", ")} from pool ${r.outcome.pool}`);
  else out.push(`result  no IP: ${r.outcome.reason} (${r.outcome.code}): ${r.outcome.message}`);
  return out.join("\n") + "\n";
}
