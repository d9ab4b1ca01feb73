// `ironlb config validate [FILE|-]`: checks a configuration the way the
// controller and the speaker will read it, before it reaches a cluster.
//
// Input: the raw config YAML, a ConfigMap manifest (YAML or JSON), or a
// multi-document file or List holding one (kustomize / kubectl output).
// Valid: exit 0 and a summary (pools with exact sizes per family,
// advertisements, peers, communities). Invalid: exit 1 and one line per
// problem, `path: message (line N)`, on stderr. Unreadable input: exit 2 with
// one line. `--format json` prints the same information as one JSON document
// on stdout; `--strict` turns warnings into failures for CI pipelines.
//
// Deliberately not here: talking to a cluster. Secrets named by
// password-secret and Namespaces matched by selectors are not looked up.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Option } from "commander";
import type { ConfigIssue, ConfigSource, ConfigSummary, FileParseResult } from "@ironlb/core/config";
import { CliError, group, renderTable } from "../cli-kit.ts";

export const order = 30;

const EXIT_INVALID = 1;
const EXIT_UNREADABLE = 2;

interface Options {
  readonly format: "text" | "json";
  readonly strict?: boolean;
}

const EXAMPLES = `
Examples:
  $ ironlb config validate config/example.yaml
  $ kubectl -n ironlb-system get configmap config -o yaml | ironlb config validate -
  $ kustomize build manifests | ironlb config validate --strict --format json -

Exit status: 0 valid, 1 invalid (or warnings with --strict), 2 unreadable input.`;

export function register(program: Command): void {
  group(program, "config", "work with IronLB's configuration")
    .command("validate")
    .description("check a config (raw YAML, a ConfigMap manifest, or a multi-document file holding one) and summarise it")
    .argument("[file]", "file to read, or - for stdin")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--strict", "treat warnings as errors (for CI pipelines)")
    .addHelpText("after", EXAMPLES)
    .action(async (file: string | undefined, options: Options) => {
      const name = file ?? "-";
      const text = await readInput(file);
      const { parseConfigFile, summarizeConfig } = await import("@ironlb/core/config");
      const result = parseConfigFile(text);
      const strict = options.strict === true;
      const failed = !result.ok || (strict && result.warnings.length > 0);
      const summary = result.ok ? summarizeConfig(result.config) : undefined;
      if (options.format === "json") {
        process.stdout.write(toJson(name, result, summary, strict) + "\n");
      } else if (summary !== undefined && !failed) {
        process.stdout.write(renderSummary(name === "-" ? "stdin" : name, result.source, summary));
        for (const w of result.warnings) process.stderr.write(`warning: ${line(w)}\n`);
      } else {
        for (const e of result.ok ? [] : result.errors) process.stderr.write(`${line(e)}\n`);
        for (const w of result.warnings) process.stderr.write(strict ? `${line(w)}\n` : `warning: ${line(w)}\n`);
      }
      if (failed) process.exitCode = EXIT_INVALID;
    });
}

/** `path: message (line N)`, as formatIssue prints it (kept here so the CLI needs no import for it). */
function line(issue: ConfigIssue): string {
  return `${issue.path === "" ? "" : `${issue.path}: `}${issue.message} (line ${issue.line})`;
}

async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined && process.stdin.isTTY) {
    throw new CliError("no FILE given: name a file, or - to read stdin", EXIT_UNREADABLE);
  }
  if (file === undefined || file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${reason(err)}`, EXIT_UNREADABLE);
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

function toJson(file: string, result: FileParseResult, summary: ConfigSummary | undefined, strict: boolean): string {
  const valid = result.ok && !(strict && result.warnings.length > 0);
  const body = {
    file,
    valid,
    strict,
    source: result.source,
    ...(summary === undefined ? {} : { summary }),
    errors: result.ok ? [] : result.errors,
    warnings: result.warnings,
  };
  // Pool sizes are exact bigints (a /64 does not fit a JSON number): strings.
  return JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

function describeSource(source: ConfigSource | null): string {
  if (source === null || source.kind === "raw") return "config YAML";
  const where = `${source.namespace ?? "(no namespace)"}/${source.name ?? "(no name)"}`;
  return `ConfigMap ${where}, data.config from line ${source.line}${source.document > 1 ? ` of document ${source.document}` : ""}`;
}

function renderSummary(file: string, source: ConfigSource | null, s: ConfigSummary): string {
  const out: string[] = [`${file}: valid (${describeSource(source)})`];
  const aliases = new Map<string, string[]>();
  for (const c of s.communities) aliases.set(c.value, [...(aliases.get(c.value) ?? []), c.alias]);

  if (s.pools.length === 0) out.push("", "no address pools: no Service will get an IP");
  else {
    out.push(
      "",
      renderTable(
        ["POOL", "PROTOCOL", "AUTO-ASSIGN", "IPV4", "IPV6", "ADDRESSES"],
        s.pools.map((p) => [
          p.name,
          p.protocol,
          p.autoAssign ? "yes" : "no",
          p.size.ipv4 === 0n ? "-" : p.assignable.ipv4 === p.size.ipv4 ? `${p.size.ipv4}` : `${p.assignable.ipv4} of ${p.size.ipv4} (avoid-buggy-ips)`,
          p.size.ipv6 === 0n ? "-" : `${p.size.ipv6}`,
          p.addresses.join(", "),
        ]),
      ).trimEnd(),
    );
    const details = s.pools.flatMap((p) => {
      const rows: string[][] = [];
      const sa = p.serviceAllocation;
      if (sa !== null) {
        const parts = [`priority ${sa.priority}`];
        if (sa.namespaces.length > 0) parts.push(`namespaces ${sa.namespaces.join(",")}`);
        if (sa.namespaceSelectors.length > 0) parts.push(`namespace-selectors ${sa.namespaceSelectors.map(sel).join(" | ")}`);
        if (sa.serviceSelectors.length > 0) parts.push(`service-selectors ${sa.serviceSelectors.map(sel).join(" | ")}`);
        if (parts.length === 1) parts.push("every service");
        rows.push([p.name, "service-allocation", parts.join("; ")]);
      }
      if (p.layer2 !== null && (p.layer2.interfaces.length > 0 || p.layer2.nodeSelectors.length > 0)) {
        const parts: string[] = [];
        if (p.layer2.interfaces.length > 0) parts.push(`interfaces ${p.layer2.interfaces.join(",")}`);
        if (p.layer2.nodeSelectors.length > 0) parts.push(`nodes ${p.layer2.nodeSelectors.map(sel).join(" | ")}`);
        rows.push([p.name, "layer2", parts.join("; ")]);
      }
      return rows;
    });
    if (details.length > 0) out.push("", renderTable(["POOL", "SETTING", "VALUE"], details).trimEnd());
    const advs = s.pools.flatMap((p) =>
      p.advertisements.map((a, i) => [
        `${p.name} #${i + 1}`,
        `/${a.aggregationLength} /${a.aggregationLengthV6}`,
        `${a.localPref}`,
        a.communities.length === 0 ? "-" : a.communities.map((c) => (aliases.has(c) ? `${c} (${(aliases.get(c) ?? []).join(",")})` : c)).join(", "),
        a.peers.length === 0 ? "all" : a.peers.join(", "),
      ]),
    );
    if (advs.length > 0) out.push("", renderTable(["ADVERTISEMENT", "AGGREGATION", "LOCALPREF", "COMMUNITIES", "PEERS"], advs).trimEnd());
  }

  if (s.peers.length > 0) {
    out.push(
      "",
      renderTable(
        ["PEER", "ADDRESS", "MY-ASN", "PEER-ASN", "SESSION", "HOLD", "KEEPALIVE", "OPTIONS"],
        s.peers.map((p) => {
          const options: string[] = [];
          if (p.sourceAddress !== null) options.push(`source ${p.sourceAddress}`);
          if (p.routerId !== null) options.push(`router-id ${p.routerId}`);
          if (p.authentication !== "none") options.push(`md5 ${p.authentication}`);
          if (p.ebgpMultihop) options.push("ebgp-multihop");
          if (p.gracefulRestart) options.push("graceful-restart");
          if (p.bfdProfile !== null) options.push(`bfd ${p.bfdProfile}`);
          if (p.nodeSelectors.length > 0) options.push(`nodes ${p.nodeSelectors.map(sel).join(" | ")}`);
          const address = p.address.includes(":") ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
          return [p.name, address, `${p.myAsn}`, `${p.peerAsn}`, p.session, `${p.holdTime}s`, `${p.keepaliveTime}s`, options.join(", ") || "-"];
        }),
      ).trimEnd(),
    );
  }
  if (s.communities.length > 0) {
    out.push("", renderTable(["COMMUNITY", "VALUE"], s.communities.map((c) => [c.alias, c.value])).trimEnd());
  }
  if (s.bfdProfiles.length > 0) out.push("", `bfd profiles (not active yet): ${s.bfdProfiles.join(", ")}`);
  return out.join("\n") + "\n";
}

/** The empty selector selects everything; say so rather than print nothing. */
function sel(text: string): string {
  return text === "" ? "(all)" : text;
}
