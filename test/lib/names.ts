// Names unique to the run, and the sweep of this harness's stale leftovers.
//
// Every namespace is `ilb-<pid>-<n>[-<tag>]` and every interface `ilb<pid>-<n36>`
// (at most 15 characters: pid <= 7 digits, counter <= 4 base-36 digits), where
// <pid> is the process that created it and <n> a counter shared by everything
// in that process. So parallel test files never collide, and a leftover whose
// pid is gone can only be the remains of a killed run of this harness: the
// sweep removes exactly those (processes by pid, then the namespace, then its
// temp dir) and never touches a name without the pattern or with a live pid.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LabError } from "./errors.ts";
import { runSync } from "./exec.ts";

export const namePrefix = "ilb";
const nsPattern = /^ilb-(\d+)-(\d+)(?:-[A-Za-z0-9_.-]*)?$/;
const tmpPattern = /^ilb-(\d+)-(\d+)-/;
const maxIfname = 15;

// Shared by every copy of this module in the process (vitest may evaluate a
// module once per test file in the same worker), so counters never repeat.
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for("ironlb.lab.names")] ??= { counter: 0, swept: false }) as {
  counter: number;
  swept: boolean;
};

function next(): number {
  state.counter += 1;
  return state.counter;
}

/** `ilb-<pid>-<n>-<tag>`; the tag is for people reading `ip netns list`. */
export function namespaceName(tag?: string): string {
  if (tag !== undefined && !/^[A-Za-z0-9_.-]{1,32}$/.test(tag)) {
    throw new LabError("LAB_BAD_ARGUMENT", `namespace tag "${tag}" must be 1-32 of [A-Za-z0-9_.-]`);
  }
  for (;;) {
    const name = `${namePrefix}-${process.pid}-${next()}${tag === undefined ? "" : `-${tag}`}`;
    if (!existsSync(`/run/netns/${name}`)) return name;
  }
}

/** `ilb<pid>-<n36>`, never longer than IFNAMSIZ-1 (15). */
export function interfaceName(): string {
  const name = `${namePrefix}${process.pid}-${next().toString(36)}`;
  if (name.length > maxIfname) throw new LabError("LAB_NAME_EXHAUSTED", `interface name ${name} exceeds ${maxIfname} characters`);
  return name;
}

/** Prefix for this run's temp dirs: `ilb-<pid>-<n>-`. */
export function tempPrefix(): string {
  return path.join(os.tmpdir(), `${namePrefix}-${process.pid}-${next()}-`);
}

/** True while `pid` runs. A zombie counts as dead: pid 1 here may reap orphans late. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/PID/stat: "pid (comm) S ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Owner pid of a harness namespace name, undefined for any other name. */
export function ownerOf(name: string): number | undefined {
  const m = nsPattern.exec(name);
  return m === null ? undefined : Number(m[1]);
}

export interface SweepReport {
  readonly namespaces: readonly string[];
  readonly killed: readonly number[];
  readonly tempDirs: readonly string[];
}

/**
 * Removes leftovers of killed runs of this harness: namespaces and temp dirs
 * named by the patterns above whose owner pid no longer exists. Synchronous
 * (it runs once, before the first namespace of a process is created).
 */
export function sweepStale(): SweepReport {
  const namespaces: string[] = [];
  const killed: number[] = [];
  const tempDirs: string[] = [];
  const list = runSync("ip", ["-j", "netns", "list"]);
  const entries = list.code === 0 && list.stdout.trim() !== "" ? (JSON.parse(list.stdout) as { name: string }[]) : [];
  for (const { name } of entries) {
    const owner = ownerOf(name);
    if (owner === undefined || owner === process.pid || pidAlive(owner)) continue;
    killed.push(...killNamespacePids(name));
    runSync("ip", ["netns", "del", name]);
    namespaces.push(name);
  }
  for (const entry of readdirSync(os.tmpdir())) {
    const m = tmpPattern.exec(entry);
    if (m === null) continue;
    const owner = Number(m[1]);
    if (owner === process.pid || pidAlive(owner)) continue;
    rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    tempDirs.push(entry);
  }
  return { namespaces, killed, tempDirs };
}

/** Sweeps once per process. */
export function sweepStaleOnce(): SweepReport | undefined {
  if (state.swept) return undefined;
  state.swept = true;
  return sweepStale();
}

/** SIGKILLs every process inside namespace `name` (by pid, from `ip netns pids`). */
export function killNamespacePids(name: string): number[] {
  const r = runSync("ip", ["netns", "pids", name]);
  const pids = r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids;
}
