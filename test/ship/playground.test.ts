// The playground as a new user runs it (issue 8, "Done when" 1): `ironlb
// playground` started as a child process with its non-interactive output,
// until a sample Service has an IP and is announced (with network
// namespaces: the client's ARP request is answered by the announcing node,
// the router holds the BGP route, and the printed curl command reaches a
// backend); then one more Service created through the printed kubeconfig
// with kubectl, seen in the table; then SIGINT, after which no namespace,
// process or file of the run may be left.
//
// Both modes run: the dry run everywhere, the namespaces one as root with the
// Debian packages (else skipped with a loud reason; under CI a failure).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../lib/exec.ts";
import { checkPrerequisites, inCi } from "../lib/prereq.ts";
import { waitFor } from "../lib/wait-for.ts";
import { kubectlPath, ROOT } from "./render.ts";

const CLI = path.join(ROOT, "packages/cli/dist/main.js");
const NETNS_NEEDS = { root: true, binaries: ["ip", "bird", "birdc", "arping", "iptables", "iptables-restore", "curl"] } as const;

const EXTRA = `apiVersion: v1
kind: Service
metadata:
  name: extra
  namespace: default
spec:
  type: LoadBalancer
  selector: {app: extra}
  ports:
  - port: 8000
    targetPort: 8080
`;

interface TableRow {
  readonly service: string;
  readonly ip: string;
  readonly pool: string;
  readonly announcedBy: string;
  readonly seen: string;
}

/** A running `ironlb playground --plain`, its output read as the user would read it. */
class PlaygroundRun {
  readonly child: ChildProcess;
  readonly dir: string;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.dir = path.join(mkdtempSync(path.join(tmpdir(), "ironlb-pg-test-")), "run");
    this.child = spawn(process.execPath, [CLI, "playground", "--plain", "--interval", "500", "--dir", this.dir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** "  kubeconfig:  PATH" from the banner. */
  field(name: string): string | undefined {
    return new RegExp(`^ {2}${name}:\\s+(.+)$`, "m").exec(this.output)?.[1]?.trim();
  }

  /** The rows of the latest complete table. */
  table(): TableRow[] {
    const blocks = this.output.split(/^--- .*$/m);
    const last = blocks.length > 1 ? (blocks[blocks.length - 1] as string) : "";
    const lines = last.split("\n");
    const header = lines.findIndex((l) => l.startsWith("SERVICE "));
    if (header < 0) return [];
    const rows: TableRow[] = [];
    for (const line of lines.slice(header + 1)) {
      if (line.trim() === "") break;
      const cells = line.split(/ {2,}/);
      rows.push({ service: cells[0] ?? "", ip: cells[1] ?? "", pool: cells[3] ?? "", announcedBy: cells[4] ?? "", seen: cells[5] ?? "" });
    }
    return rows;
  }

  row(service: string): TableRow | undefined {
    return this.table().find((r) => r.service === service);
  }

  /** The printed curl command for a Service, as argv. */
  curlFor(service: string): string[] | undefined {
    const line = this.output
      .split("\n")
      .reverse()
      .find((l) => l.trimStart().startsWith("ip netns exec ") && l.endsWith(`# ${service}`));
    return line?.split("#")[0]?.trim().split(/\s+/);
  }

  /** Every process below the playground's, from /proc. */
  descendants(): number[] {
    const parent = new Map<number, number>();
    for (const e of readdirSync("/proc")) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = readFileSync(`/proc/${e}/stat`, "utf8");
        parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      } catch {
        // gone meanwhile
      }
    }
    const out: number[] = [];
    const queue = [this.child.pid as number];
    while (queue.length > 0) {
      const p = queue.shift() as number;
      for (const [pid, pp] of parent) {
        if (pp !== p) continue;
        out.push(pid);
        queue.push(pid);
      }
    }
    return out;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

async function scenario(pg: PlaygroundRun, netns: boolean): Promise<void> {
  const announcedWeb = await waitFor(
    () => {
      const r = pg.row("default/web");
      return r !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(r.ip) && /^node-[a-c] \(layer2\)$/.test(r.announcedBy) && (!netns || r.seen.startsWith("ARP answered by node-")) ? r : undefined;
    },
    { what: "default/web with an IP, announced (and answered)", timeout: 90_000, interval: 250 },
  );
  expect(announcedWeb.pool).toBe("lan");
  if (netns) {
    // The node that answered ARP is the one whose speaker announces.
    expect(announcedWeb.seen).toBe(`ARP answered by ${announcedWeb.announcedBy.split(" ")[0]}`);
    const api = await waitFor(() => (pg.row("default/api")?.seen.startsWith("router: via node-a,node-b,node-c") === true ? pg.row("default/api") : undefined), { what: "api's route via all three nodes at the router", timeout: 60_000, interval: 250 });
    expect(api?.announcedBy).toBe("node-a,node-b,node-c (bgp)");
    const curl = pg.curlFor("default/web");
    expect(curl?.slice(0, 3)).toEqual(["ip", "netns", "exec"]);
    const r = await run(curl?.[0] as string, [...(curl?.slice(1) ?? []), "-m", "5"], { timeout: 10_000 });
    expect(r.stdout).toMatch(new RegExp(`^served by ${announcedWeb.announcedBy.split(" ")[0]} `));
    const viaBgp = pg.curlFor("default/api") as string[];
    expect((await run(viaBgp[0] as string, [...viaBgp.slice(1), "-m", "5"], { timeout: 10_000 })).stdout).toMatch(/^served by node-[a-c] /);
  }

  const kubeconfig = pg.field("kubeconfig") as string;
  expect(pg.output).toContain(`kubectl --kubeconfig ${kubeconfig} apply -f - <<'EOF'`);
  const applied = await run(kubectlPath as string, ["--kubeconfig", kubeconfig, "apply", "-f", "-"], { input: EXTRA, env: { HOME: path.dirname(pg.dir) }, timeout: 30_000 });
  expect(applied.stdout.trim()).toBe("service/extra created");
  const extra = await waitFor(
    () => {
      const r = pg.row("default/extra");
      return r !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(r.ip) && r.announcedBy !== "-" && (!netns || r.seen.startsWith("ARP answered by node-")) ? r : undefined;
    },
    { what: "the Service created with kubectl in the table, with an IP and announced", timeout: 60_000, interval: 250 },
  );
  if (netns) {
    const curl = await waitFor(() => pg.curlFor("default/extra"), { what: "a curl line for default/extra" });
    expect((await run(curl[0] as string, [...curl.slice(1), "-m", "5"], { timeout: 10_000 })).stdout).toMatch(new RegExp(`^served by ${extra.announcedBy.split(" ")[0]} `));
  }
}

async function stopAndCheckNothingLeft(pg: PlaygroundRun): Promise<void> {
  const pids = pg.descendants();
  expect(pids.length).toBeGreaterThan(3);
  const namespaces = (pg.field("namespaces") ?? "").split(" ").filter((n) => n !== "");
  pg.child.kill("SIGINT");
  const code = await pg.exited;
  expect(code, pg.output.slice(-2000)).toBe(0);
  expect(pg.output).toMatch(/playground: stopped \d+ processes, removed \d+ network namespaces and /);
  expect(pids.filter(alive), "processes of the playground still running").toEqual([]);
  expect(existsSync(pg.dir), `${pg.dir} removed`).toBe(false);
  const left = (await run("ip", ["netns", "list"], { allowFailure: true })).stdout;
  for (const ns of namespaces) expect(left).not.toContain(ns);
  expect(left).not.toContain(`ilbpg-${pg.child.pid}-`);
}

const runs: PlaygroundRun[] = [];
afterAll(() => {
  for (const pg of runs) {
    pg.kill();
    rmSync(path.dirname(pg.dir), { recursive: true, force: true });
  }
});

describe.skipIf(kubectlPath === undefined && !inCi())("playground, dry run", () => {
  it("starts, announces the samples, takes a Service from kubectl, and leaves nothing behind on SIGINT", async () => {
    const pg = new PlaygroundRun(["--mode", "dry-run"]);
    runs.push(pg);
    await scenario(pg, false);
    expect(pg.row("default/web")?.seen).toBe("dry run");
    expect(pg.field("namespaces")).toBeUndefined();
    await stopAndCheckNothingLeft(pg);
  }, 180_000);
});

const prereq = checkPrerequisites(NETNS_NEEDS);
if (!prereq.ok && !inCi()) console.warn(`SKIPPED: playground with network namespaces: ${prereq.reason}`);

describe.skipIf(!prereq.ok && !inCi())("playground, network namespaces", () => {
  it("announces with real ARP and BGP, curl reaches a backend through both, kubectl adds a Service, and SIGINT removes everything", async () => {
    if (!prereq.ok) throw new Error(`LAB_PREREQUISITE_MISSING: ${prereq.reason}`);
    const pg = new PlaygroundRun(["--mode", "netns"]);
    runs.push(pg);
    await waitFor(() => pg.field("namespaces"), { what: "the banner with the namespaces", timeout: 90_000 });
    await scenario(pg, true);
    await stopAndCheckNothingLeft(pg);
  }, 240_000);
});
