// Runs `ironlb bgp probe` (the built CLI) inside a lab namespace and reads its
// JSON lines: this is how the interop suites put our speaker in its own
// network namespace, with the same code path operators use.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Namespace } from "../lib/netns.ts";
import type { LabProcess } from "../lib/process.ts";
import { waitFor } from "../lib/wait-for.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "packages/cli/dist/main.js");

const built = join(root, "packages/cli/dist/commands/bgp-probe.js");
const sources = ["packages/cli/src/commands/bgp-probe.ts", "packages/bgp/src/session/session.ts", "packages/bgp/src/node/peer.ts", "packages/bgp/src/fsm/fsm.ts"].map((s) => join(root, s));
const fresh = () => existsSync(built) && sources.every((s) => statSync(s).mtimeMs <= statSync(built).mtimeMs);

/**
 * `npm test` builds first; a bare `vitest run` may find stale output, so
 * rebuild when sources are newer. The four suites run in parallel: a lock
 * directory makes one of them build while the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  if (fresh()) return;
  const lock = join(root, "packages/cli/dist/.bgp-probe-build.lock");
  mkdirSync(join(root, "packages/cli/dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any real build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 120 s for another suite's build (${lock})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (fresh()) return;
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], { cwd: root, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc -b packages/cli failed:\n${tsc.stdout}${tsc.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export type ProbeLine = Record<string, unknown> & { readonly event: string };

export class Probe {
  constructor(readonly proc: LabProcess) {}

  lines(): ProbeLine[] {
    return this.proc
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as ProbeLine);
  }

  has(pred: (l: ProbeLine) => boolean): boolean {
    return this.lines().some(pred);
  }

  async waitFor(pred: (l: ProbeLine) => boolean, what: string, timeout = 20_000): Promise<ProbeLine> {
    return waitFor(
      () => {
        if (!this.proc.running) throw new Error(`probe exited ${JSON.stringify(this.proc.exitInfo)} while waiting for ${what}: ${this.proc.output().slice(-1500)}`);
        return this.lines().find(pred);
      },
      { what: `probe: ${what}`, timeout, interval: 50 },
    );
  }

  established(): Promise<ProbeLine> {
    return this.waitFor((l) => l.event === "stateChanged" && l["to"] === "Established", "Established");
  }

  /** Replaces the announced prefixes (needs --stdin); [] withdraws everything. */
  announce(prefixes: readonly string[]): void {
    this.proc.write(prefixes.join(",") + "\n");
  }

  /** SIGTERM: Cease + exit 0. */
  async stop(): Promise<number | null> {
    this.proc.signal("SIGTERM");
    const exit = await this.proc.exited;
    return exit.code;
  }

  /** SIGKILL: a crash; the kernel closes the socket, no NOTIFICATION. */
  async kill(): Promise<void> {
    this.proc.signal("SIGKILL");
    await this.proc.exited;
  }
}

export function startProbe(ns: Namespace, args: readonly string[]): Probe {
  return new Probe(ns.spawn(process.execPath, [main, "bgp", "probe", ...args], { stdin: true }));
}
