// Running commands for the harness: one-shot commands with captured output
// (async for suites, sync for exit-time cleanup), always by argument vector,
// never through a shell, so addresses and passwords need no quoting.
// Deliberately no retries: a failing command is reported with its output.
import { execFile, spawnSync } from "node:child_process";
import { LabError } from "./errors.ts";

export interface ExecOptions {
  /** Written to the command's stdin. */
  readonly input?: string | undefined;
  /** Milliseconds before the command is killed (SIGKILL). Default 30 000. */
  readonly timeout?: number | undefined;
  /** Return a non-zero exit instead of throwing LAB_EXEC_FAILED. */
  readonly allowFailure?: boolean | undefined;
  /** Extra environment variables (merged over the harness's own environment). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: string | null;
}

// `birdc show route all` for a bench-sized table runs to tens of megabytes.
const maxBuffer = 256 * 2 ** 20;

export function run(cmd: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        encoding: "utf8",
        maxBuffer,
        timeout: options.timeout ?? 30_000,
        killSignal: "SIGKILL",
        env: options.env === undefined ? process.env : { ...process.env, ...options.env },
        cwd: options.cwd,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        const result: ExecResult = { stdout, stderr, code, signal: error?.signal ?? null };
        if (error !== null && (options.allowFailure !== true || code === null)) {
          reject(failed(cmd, args, result, error.message));
          return;
        }
        resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Synchronous variant for exit handlers, where no event loop is left. */
export function runSync(cmd: string, args: readonly string[], options: { readonly timeout?: number } = {}): ExecResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: options.timeout ?? 10_000, killSignal: "SIGKILL" });
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", code: r.status, signal: r.signal };
}

function failed(cmd: string, args: readonly string[], result: ExecResult, why: string): LabError {
  const output = `${result.stderr}${result.stdout}`.trim().slice(0, 2000);
  return new LabError(
    "LAB_EXEC_FAILED",
    `${[cmd, ...args].join(" ")} failed (${result.code === null ? `signal ${result.signal ?? "?"}` : `exit ${result.code}`}): ${output || why}`,
    result,
  );
}
