// Test helpers shared by this package's tests (excluded from the build):
// polling with a deadline, kernel counters, root/CI gating.
import { readFileSync } from "node:fs";

/** Polls `check` until it returns a value other than undefined/false, or throws at the deadline. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** A TcpExt counter from /proc/net/netstat (this process's network namespace). */
export function tcpExt(name: string): number {
  const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const keys = (lines[i] as string).split(/\s+/);
    const values = (lines[i + 1] as string).split(/\s+/);
    if (keys[0] !== "TcpExt:") continue;
    const at = keys.indexOf(name);
    if (at > 0) return Number(values[at]);
  }
  throw new Error(`no TcpExt counter ${name}`);
}

export const isRoot = process.getuid?.() === 0;
export const isLinux = process.platform === "linux";

/**
 * Why a privileged suite cannot run here, or undefined when it can. Under CI a
 * missing prerequisite is a failure, not a skip (see requirePrerequisite).
 */
export function missingPrivilege(): string | undefined {
  if (!isLinux) return "needs Linux";
  if (!isRoot) return "needs root (CAP_NET_RAW, CAP_NET_ADMIN)";
  return undefined;
}
