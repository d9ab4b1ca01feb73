// Prerequisite checks for suites and benchmarks that need root and Debian
// packages. The check only reports; the policy (skip loudly on a laptop, fail
// when CI is set) lives in suite.ts for vitest and in each benchmark.
// Deliberately no installation: .ci/run installs the packages.
import { accessSync, constants } from "node:fs";
import path from "node:path";

export interface Requirements {
  /** Needs uid 0 (namespaces, raw sockets, daemons). */
  readonly root?: boolean | undefined;
  /** Executables: bare names are looked up on PATH, absolute paths checked as given. */
  readonly binaries?: readonly string[] | undefined;
}

export interface PrerequisiteReport {
  readonly ok: boolean;
  /** Each missing thing, e.g. "root (uid is 1000)", "binary gobgpd". */
  readonly missing: readonly string[];
  /** One line for a skip message or an error. */
  readonly reason: string;
}

export function checkPrerequisites(req: Requirements): PrerequisiteReport {
  const missing: string[] = [];
  if (req.root === true && process.getuid?.() !== 0) missing.push(`root (uid is ${process.getuid?.() ?? "unknown"})`);
  for (const bin of req.binaries ?? []) if (findBinary(bin) === undefined) missing.push(`binary ${bin}`);
  const ok = missing.length === 0;
  return {
    ok,
    missing,
    reason: ok
      ? "all prerequisites present"
      : `missing ${missing.join(", ")} (run as root with the Debian packages of .ci/run: iproute2 tcpdump iputils-arping iputils-ping ndisc6 gobgpd bird2 frr exabgp)`,
  };
}

/** Root only: the minimum for any namespace test. */
export function requireRoot(): PrerequisiteReport {
  return checkPrerequisites({ root: true, binaries: ["ip"] });
}

/** Absolute path of an executable, or undefined. */
export function findBinary(name: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : (process.env["PATH"] ?? "").split(":").concat("/usr/sbin", "/sbin").filter((d) => d !== "").map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

/** True when running under CI, where a missing prerequisite must fail the run. */
export function inCi(): boolean {
  const v = process.env["CI"];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}
