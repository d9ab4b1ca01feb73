// Membership failure detection over real UDP on 127.0.0.1, measured with a
// real clock: a member in a child process is SIGKILLed (time until every
// observer has declared it dead) or SIGTERMed (time until every observer has
// it as left: the graceful hand-over). Each run of IronLB's defaults is set
// beside the same measurement with hashicorp/memberlist's DefaultLANConfig
// timings (what MetalLB runs), on the same code and machine, as the baseline.
//
//   npm run bench -- membership [--runs 20] [--baseline-runs 10] [--observers 2]
//
// The observers live in this process; the victim is this same file run as a
// child (`--child`), so the victim runs the built package like a speaker does.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { realClock } from "@ironlb/kube";
import { createMembership, defaultConfig, memberlistLanConfig, type Membership, type MembershipConfig } from "@ironlb/speaker";
import { header, percentile, table } from "./lib/report.ts";

export const description = "membership: SIGKILL -> dead at every peer and SIGTERM -> left, over UDP; IronLB defaults vs memberlist LAN";

const configs: Record<string, MembershipConfig> = { ironlb: defaultConfig, "memberlist-lan": memberlistLanConfig };
const self = fileURLToPath(import.meta.url);

interface Observer {
  readonly ml: Membership;
  /** performance.now() when this observer saw each member die or leave. */
  readonly gone: Map<string, number>;
}

async function observers(n: number, config: MembershipConfig, secret: Buffer): Promise<Observer[]> {
  const out: Observer[] = [];
  for (let i = 0; i < n; i++) {
    const ml = createMembership({ name: `observer-${i}`, bind: { address: "127.0.0.1", port: 0 }, keys: [secret], clock: realClock, config });
    const gone = new Map<string, number>();
    ml.on("memberDead", (e) => gone.set(e.name, performance.now()));
    ml.on("memberLeft", (e) => gone.set(e.name, performance.now()));
    await ml.start();
    if (out[0] !== undefined) ml.join([`127.0.0.1:${out[0].ml.advertised?.port}`]);
    out.push({ ml, gone });
  }
  await until(() => out.every((o) => o.ml.aliveNames().size === n), "observers to converge", 10_000);
  return out;
}

function until(pred: () => boolean, what: string, timeout: number): Promise<void> {
  const deadline = performance.now() + timeout;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pred()) return resolve();
      if (performance.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 1);
    };
    check();
  });
}

async function victim(name: string, configName: string, secret: Buffer, seeds: readonly string[]): Promise<{ proc: ChildProcess; exited: Promise<void> }> {
  const proc = spawn(process.execPath, [self, "--child", "--name", name, "--config", configName, "--secret", secret.toString("hex"), "--seeds", seeds.join(",")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return { proc, exited };
}

async function trial(kind: "kill" | "leave", obs: readonly Observer[], configName: string, secret: Buffer, i: number): Promise<number> {
  const name = `victim-${kind}-${i}`;
  const seeds = obs.map((o) => `127.0.0.1:${o.ml.advertised?.port}`);
  const v = await victim(name, configName, secret, seeds);
  await until(() => obs.every((o) => o.ml.aliveNames().has(name)), `${name} to join`, 20_000);
  // Kill at a random phase of the probe rounds, not in step with the join.
  await new Promise((r) => setTimeout(r, 200 + Math.random() * 1000));
  const t0 = performance.now();
  v.proc.kill(kind === "kill" ? "SIGKILL" : "SIGTERM");
  await until(() => obs.every((o) => o.gone.has(name)), `${name} gone at every observer`, 60_000);
  await v.exited;
  return Math.max(...obs.map((o) => o.gone.get(name) as number)) - t0;
}

export async function run(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { runs: { type: "string", default: "20" }, "baseline-runs": { type: "string", default: "10" }, observers: { type: "string", default: "2" } },
  });
  const runs = { ironlb: Number(values.runs), "memberlist-lan": Number(values["baseline-runs"]) };
  const nObservers = Number(values.observers);
  header(`membership: failure detection over UDP on 127.0.0.1, ${nObservers} observers + 1 victim process`);
  const rows: (string | number)[][] = [];
  const p50: Record<string, { kill: number; leave: number }> = {};
  for (const [configName, config] of Object.entries(configs)) {
    const secret = randomBytes(16);
    const obs = await observers(nObservers, config, secret);
    const n = runs[configName as keyof typeof runs];
    const kills: number[] = [];
    const leaves: number[] = [];
    for (let i = 0; i < n; i++) kills.push(await trial("kill", obs, configName, secret, i));
    for (let i = 0; i < n; i++) leaves.push(await trial("leave", obs, configName, secret, i));
    for (const o of obs) await o.ml.stop();
    p50[configName] = { kill: percentile(kills, 50), leave: percentile(leaves, 50) };
    rows.push([configName, n, percentile(kills, 50), percentile(kills, 99), Math.max(...kills), percentile(leaves, 50), percentile(leaves, 99)]);
  }
  console.log(table(["config", "runs", "SIGKILL->dead p50 ms", "p99 ms", "max ms", "SIGTERM->left p50 ms", "p99 ms"], rows));
  const ours = p50["ironlb"];
  const base = p50["memberlist-lan"];
  if (ours !== undefined && base !== undefined) {
    console.log(`\nmemberlist-lan / ironlb: detection p50 ${(base.kill / ours.kill).toFixed(1)}x slower, leave p50 ${(base.leave / ours.leave).toFixed(1)}x`);
  }
  console.log("targets (issue 7): SIGKILL p99 <= 1000 ms, graceful hand-over <= 200 ms");
}

// ---- child mode: one member that is killed or told to leave --------------

async function child(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { child: { type: "boolean" }, name: { type: "string" }, config: { type: "string" }, secret: { type: "string" }, seeds: { type: "string" } },
  });
  const ml = createMembership({
    name: values.name ?? "victim",
    bind: { address: "127.0.0.1", port: 0 },
    keys: [Buffer.from(values.secret ?? "", "hex")],
    clock: realClock,
    config: configs[values.config ?? "ironlb"] ?? defaultConfig,
  });
  await ml.start();
  ml.join((values.seeds ?? "").split(",").filter((s) => s !== ""));
  // The speaker's SIGTERM path: withdraw (nothing here), leave, stop, exit.
  process.on("SIGTERM", () => void ml.leave().then(() => ml.stop()).then(() => process.exit(0)));
  // realClock timers are unref'd; the socket keeps the process alive.
}

if (process.argv[1] === self && process.argv.includes("--child")) await child(process.argv.slice(2));
