// `ironlb l2 probe` argument errors: one line on stderr, exit 1, before any
// socket is opened (so no privilege or namespace is needed).
import { execFile } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { cliMain, nodeTs, repoRoot, warmUp } from "./support/run-ts.ts";

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, nodeTs(cliMain, args), { cwd: repoRoot, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
  });
}

describe("ironlb l2 probe arguments", () => {
  beforeAll(() => warmUp(), 180_000);

  it.each([
    [["--interface", "lo", "--ip", "198.51.100.300"], /^ironlb: --ip: "198\.51\.100\.300" is not an IP address\n$/],
    [["--interface", "nosuch0", "--ip", "198.51.100.1"], /^ironlb: --interface: no such interface "nosuch0"\n$/],
    [["--interface", "lo", "--ip", "198.51.100.1"], /^ironlb: --interface: lo does not do ARP \(no BROADCAST flag\)\n$/],
    [["--ip", "198.51.100.1"], /required option '--interface <name>' not specified\n$/],
  ])("%j", async (args, stderr) => {
    const r = await cli(["l2", "probe", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(stderr);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("documents its output and exit codes", async () => {
    const r = await cli(["l2", "probe", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--no-conflict-check/);
    expect(r.stdout).toMatch(/Exit 0 after\s+SIGINT\/SIGTERM/);
  });
});
