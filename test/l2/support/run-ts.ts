// Runs the repository's TypeScript entry points as child processes inside a
// network namespace (through test/lib/ts, so the sources under test are what
// runs, never a stale dist/), and reads their JSON-lines output.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Namespace } from "../../lib/netns.ts";
import type { LabProcess } from "../../lib/process.ts";
import { waitFor } from "../../lib/wait-for.ts";
import { nodeTs } from "../../lib/ts/node-ts.ts";

export { nodeTs };

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const cliMain = fileURLToPath(new URL("../../../packages/cli/src/main.ts", import.meta.url));
export const packetTool = fileURLToPath(new URL("./packet-tool.ts", import.meta.url));


/**
 * Runs the CLI once outside any namespace so every module it loads is
 * transpiled into the cache before timed steps spawn it (a cold start on a
 * busy 2-core machine took over 10 s, a warm one under 1 s).
 */
export async function warmUp(): Promise<void> {
  const run = (args: string[]) =>
    new Promise<void>((resolve) => {
      execFile(process.execPath, nodeTs(args[0] as string, args.slice(1)), { cwd: repoRoot, timeout: 170_000 }, () => resolve());
    });
  await Promise.all([run([cliMain, "l2", "probe", "--interface", "nosuch0", "--ip", "198.51.100.1"]), run([packetTool, "nosuch0", "0x0806"])]);
}

export type JsonEvent = Record<string, unknown> & { readonly event: string };

/** A child that prints one JSON object per line. */
export class JsonLines {
  constructor(readonly proc: LabProcess) {}

  events(): JsonEvent[] {
    return this.proc
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as JsonEvent);
  }

  of(event: string): JsonEvent[] {
    return this.events().filter((e) => e.event === event);
  }

  async waitFor(what: string, match: (e: JsonEvent) => boolean, timeout = 15_000): Promise<JsonEvent> {
    return waitFor(
      () => {
        const found = this.events().find(match);
        if (found !== undefined) return found;
        if (!this.proc.running) throw new Error(`${this.proc.label} exited (${JSON.stringify(this.proc.exitInfo)}) before ${what}: ${this.proc.output().slice(-2000)}`);
        return undefined;
      },
      { what, timeout, interval: 20 },
    );
  }
}

export interface ProbeOptions {
  readonly conflictCheck?: boolean | undefined;
  /** --kernel-arp: answer ARP with the BPF program; a hook name also sets --kernel-arp-hook. */
  readonly kernelArp?: boolean | "tcx" | "xdp" | undefined;
  /** A command the probe runs under, e.g. setpriv dropping capabilities. */
  readonly wrapper?: readonly string[] | undefined;
}

/** `ironlb l2 probe --interface IF --ip IPS` inside `ns`. */
export function startL2Probe(ns: Namespace, ifname: string, ips: readonly string[], options: ProbeOptions = {}): JsonLines {
  const args = ["l2", "probe", "--interface", ifname, "--ip", ips.join(",")];
  if (options.conflictCheck === false) args.push("--no-conflict-check");
  if (options.kernelArp !== undefined && options.kernelArp !== false) args.push("--kernel-arp");
  if (typeof options.kernelArp === "string") args.push("--kernel-arp-hook", options.kernelArp);
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  return new JsonLines(ns.spawn(command as string, [...prefix, ...nodeTs(cliMain, args)], { cwd: repoRoot }));
}
