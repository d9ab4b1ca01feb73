// A long-running process the harness started (a daemon, tcpdump, a speaker),
// tracked by pid: output captured in memory, waits on output or exit, signals
// (SIGSTOP/SIGCONT for frozen-peer tests), and stop = SIGTERM, then SIGKILL
// after a grace period. Deliberately never looks processes up by name.
import { spawn, type ChildProcess } from "node:child_process";
import { LabError } from "./errors.ts";
import { waitFor } from "./wait-for.ts";

export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  /** Keep stdin open for `write()`. Default: stdin is /dev/null. */
  readonly stdin?: boolean | undefined;
  /** Bytes of output kept per stream (older output is dropped). Default 4 MiB. */
  readonly keepBytes?: number | undefined;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class LabProcess {
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;
  private readonly out: Kept;
  private readonly err: Kept;
  private readonly child: ChildProcess;

  /** Starts `cmd args`; `label` names it in errors (e.g. "bird in ilb-123-1-router"). */
  constructor(
    readonly label: string,
    cmd: string,
    args: readonly string[],
    options: SpawnOptions = {},
  ) {
    const keep = options.keepBytes ?? 4 * 2 ** 20;
    this.out = new Kept(keep);
    this.err = new Kept(keep);
    this.child = spawn(cmd, args, {
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: [options.stdin === true ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (this.child.pid === undefined) {
      throw new LabError("LAB_EXEC_FAILED", `${label}: could not start ${cmd}`);
    }
    this.pid = this.child.pid;
    this.child.stdout?.on("data", (b: Buffer) => this.out.push(b));
    this.child.stderr?.on("data", (b: Buffer) => this.err.push(b));
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Exit status once exited, undefined while running. */
  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  stdout(): string {
    return this.out.text();
  }

  stderr(): string {
    return this.err.text();
  }

  /** stdout then stderr, for error messages and pattern waits. */
  output(): string {
    return `${this.stdout()}${this.stderr()}`;
  }

  /** Resolves with the first match of `pattern` in the output; fails early if the process exits. */
  async waitForOutput(pattern: RegExp, options: { readonly timeout?: number; readonly what?: string } = {}): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        const m = this.output().match(pattern);
        if (m !== null) return m;
        if (this.exit !== undefined) {
          throw new LabError("LAB_EXEC_FAILED", `${this.label} exited (${formatExit(this.exit)}) before printing ${pattern}: ${tail(this.output())}`);
        }
        return undefined;
      },
      { timeout: options.timeout, interval: 20, what: options.what ?? `${this.label} to print ${pattern}` },
    );
  }

  write(data: string | Uint8Array): void {
    if (this.child.stdin === null) throw new LabError("LAB_BAD_ARGUMENT", `${this.label} was started without stdin`);
    this.child.stdin.write(data);
  }

  /** Sends a signal by pid; a no-op once the process has exited. */
  signal(sig: NodeJS.Signals): void {
    if (this.exit !== undefined) return;
    try {
      process.kill(this.pid, sig);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  /** SIGSTOP: the process stays alive but silent (hold-timer tests). */
  pause(): void {
    this.signal("SIGSTOP");
  }

  resume(): void {
    this.signal("SIGCONT");
  }

  /** SIGTERM (after SIGCONT, so a paused process can act on it), SIGKILL after `grace` ms. Idempotent. */
  async stop(options: { readonly grace?: number } = {}): Promise<ExitInfo> {
    if (this.exit !== undefined) return this.exit;
    this.signal("SIGTERM");
    this.signal("SIGCONT");
    const grace = options.grace ?? 3_000;
    const timer = setTimeout(() => this.signal("SIGKILL"), grace);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For exit handlers: SIGKILL without waiting. */
  killNow(): void {
    this.signal("SIGCONT");
    this.signal("SIGKILL");
  }
}

/** The last `limit` bytes of a stream (whole chunks), so a chatty daemon cannot exhaust memory. */
class Kept {
  private chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > this.limit && this.chunks.length > 1) this.bytes -= (this.chunks.shift() as Buffer).length;
  }

  text(): string {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]?.toString("utf8") ?? "";
  }
}

export function formatExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit ${exit.code ?? "?"}`;
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > 1500 ? `...${t.slice(-1500)}` : t;
}
