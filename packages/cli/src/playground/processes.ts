// Commands and long-running children of the playground, always by argument
// vector (never a shell) and tracked by pid: one-shot commands with captured
// output, and daemons whose output goes to a log file in the run directory.
// Stopping is SIGTERM, then SIGKILL after a grace period; nothing is ever
// looked up or killed by name.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { PlaygroundError } from "./errors.ts";

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs a command to completion; a non-zero exit is an error unless `allowFailure`. */
export function run(cmd: string, args: readonly string[], options: { readonly timeoutMs?: number; readonly allowFailure?: boolean; readonly input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: "utf8", timeout: options.timeoutMs ?? 15_000, killSignal: "SIGKILL", maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1;
      if (code !== 0 && options.allowFailure !== true) {
        reject(new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `${cmd} ${args.join(" ")}: ${stderr.trim() || (err as Error).message}`));
        return;
      }
      resolve({ stdout, stderr, code });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command synchronously and ignores its result (exit-time cleanup). */
export function runQuiet(cmd: string, args: readonly string[]): void {
  spawnSync(cmd, args, { stdio: "ignore", timeout: 5_000 });
}

/** Absolute path of an executable on PATH (plus /usr/sbin and /sbin, where ip lives), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env["PATH"] ?? "").split(":").concat("/usr/sbin", "/sbin");
  for (const d of dirs) {
    if (d === "") continue;
    const p = path.join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0): it is gone for our purposes.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** A daemon started by the playground; its stdout and stderr go to `logFile`. */
export class Child {
  readonly pid: number;
  readonly label: string;
  readonly logFile: string;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  #done = false;
  readonly #child: ChildProcess;

  constructor(label: string, cmd: string, args: readonly string[], logFile: string, env?: Readonly<Record<string, string>>) {
    const fd = openSync(logFile, "a");
    try {
      this.#child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: env === undefined ? process.env : { ...process.env, ...env } });
    } finally {
      closeSync(fd);
    }
    if (this.#child.pid === undefined) throw new PlaygroundError("PLAYGROUND_COMMAND_FAILED", `${label}: could not start ${cmd}`);
    this.pid = this.#child.pid;
    this.label = label;
    this.logFile = logFile;
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code) => {
        this.#done = true;
        resolve(code);
      });
    });
  }

  get running(): boolean {
    return !this.#done;
  }

  /** The log so far ("" when unreadable). */
  log(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 3_000): Promise<void> {
    if (!this.running) return;
    signal(this.pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        signal(this.pid, "SIGKILL");
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  killNow(): void {
    if (this.running) signal(this.pid, "SIGKILL");
  }
}

/** Polls `fn` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new PlaygroundError("PLAYGROUND_TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? "" : ` (${(last as Error).message})`}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
