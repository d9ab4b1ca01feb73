// Helpers shared by command modules: command groups (`ironlb bgp probe`),
// output formats (-o json|yaml|table), and the error type that carries an exit code.
import type { Command } from "commander";
import { Option } from "commander";
import { stringify as toYaml } from "yaml";

/** An expected failure: printed as one line `ironlb: message`, exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** Returns the subcommand group `name` (e.g. "bgp"), creating it on first use. */
export function group(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}

export type OutputFormat = "json" | "yaml" | "table";

export function outputOption(defaultFormat: OutputFormat = "table"): Option {
  return new Option("-o, --output <format>", "output format").choices(["json", "yaml", "table"]).default(defaultFormat);
}

/** The flags of the read-only commands that look at a cluster as the controller would (status, pools, explain). */
export interface ClusterReadFlags {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly configMap: string;
  readonly lbClass?: string;
  readonly output: OutputFormat;
}

/** Registers ClusterReadFlags on `cmd`; -o comes last so command-specific options can go before it. */
export function clusterReadOptions(cmd: Command, extra: (cmd: Command) => Command = (c) => c): Command {
  return extra(
    cmd
      .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
      .option("--namespace <ns>", "namespace of IronLB's ConfigMap (default: $IRONLB_NAMESPACE, else ironlb-system)")
      .option("--config-map <name>", "name of the config ConfigMap", "config")
      .option("--lb-class <class>", "the controller's --lb-class, if it has one"),
  ).addOption(outputOption());
}

/** Prints `value` as JSON or YAML; for "table", calls `table()` for the human rendering. */
export function emit(format: OutputFormat, value: unknown, table: () => string, out: NodeJS.WritableStream = process.stdout): void {
  if (format === "json") out.write(JSON.stringify(value, null, 2) + "\n");
  else if (format === "yaml") out.write(toYaml(value));
  else out.write(table());
}

/** Renders rows as an aligned text table with a header row. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Parses an integer option strictly; commander calls this with (value, previous). */
export function intArg(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value)) throw new CliError(`${name}: "${value}" is not an integer`, 1);
    const n = Number(value);
    if (n < min || n > max) throw new CliError(`${name}: ${n} is outside ${min}..${max}`, 1);
    return n;
  };
}

/** Parses --log-level. */
export function levelArg(value: string): "debug" | "info" | "warn" | "error" {
  if (value === "debug" || value === "info" || value === "warn" || value === "error") return value;
  throw new CliError(`--log-level: "${value}" is not one of debug, info, warn, error`);
}
