// The Dockerfile, checked without a Docker engine (none runs on the build
// machines): its stages and base images, the build steps the addon needs,
// the non-root user and the entrypoint; that every COPY source exists and is
// not left out of the context by .dockerignore; and that the runtime file set
// is enough: the runtime stage's COPY lines are replayed from this working
// tree into an empty directory (node_modules pruned to the production
// dependencies of package-lock.json, as `npm prune --omit=dev` leaves it,
// and the build stage's clean-up applied), and from there the CLI runs,
// its commands load their dependencies, and the rawsock addon loads.
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, readlinkSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copies, execForm, isIgnored, last, parseDockerfile, parseDockerignore, type Stage } from "./dockerfile.ts";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfile);
const ignore = parseDockerignore(readFileSync(join(ROOT, ".dockerignore"), "utf8"));
const build = stages[0] as Stage;
const runtime = stages[stages.length - 1] as Stage;

describe("Dockerfile", () => {
  it("has a node:20-bookworm build stage and a node:20-bookworm-slim runtime stage", () => {
    expect(stages.map((s) => [s.base, s.name])).toEqual([
      ["node:20-bookworm", "build"],
      ["node:20-bookworm-slim", "runtime"],
    ]);
  });

  it("builds the addon's toolchain, installs, builds and prunes in that order", () => {
    const runs = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    const apt = at(/apt-get install .*python3.*make.*g\+\+/);
    const ci = at(/^npm ci$/);
    const compile = at(/^npm run build$/);
    const prune = at(/^npm prune --omit=dev$/);
    expect([apt, ci, compile, prune].every((i) => i >= 0)).toBe(true);
    expect(apt < ci && ci < compile && compile < prune).toBe(true);
  });

  it("runs as a numeric non-root user with the CLI as entrypoint", () => {
    const user = last(runtime, "USER")?.args ?? "";
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(":")[0])).toBeGreaterThan(0);
    expect(execForm(last(runtime, "ENTRYPOINT"))).toEqual(["node", "/app/packages/cli/dist/main.js"]);
    // Nothing but the runtime stage's own files: no RUN that could pull tools in.
    expect(runtime.instructions.filter((i) => i.keyword === "RUN")).toEqual([]);
  });

  it("takes every build-stage COPY source from the context, and the context holds what the build reads", () => {
    for (const c of copies(build)) {
      expect(c.from).toBeNull();
      for (const s of c.sources) expect(existsSync(join(ROOT, s)), `COPY source ${s} (line ${c.line})`).toBe(true);
    }
    // What `npm ci` (prepare: tsc -b over every project reference) and node-gyp read.
    const needed = ["package.json", "package-lock.json", "tsconfig.base.json", "tsconfig.json", "packages/rawsock/binding.gyp", "packages/rawsock/native/rawsock.cc", "test/lib/netns.ts", "bench/run.ts"];
    for (const ws of workspaces()) needed.push(`${ws}/package.json`, `${ws}/tsconfig.json`, `${ws}/src`);
    for (const p of needed) {
      expect(existsSync(join(ROOT, p)), `${p} exists`).toBe(true);
      expect(isIgnored(ignore, p), `${p} is in the build context`).toBe(false);
    }
    // Host build output and dependencies never leak into the image.
    for (const p of ["node_modules/yaml/package.json", "packages/cli/node_modules/x", "packages/core/dist/index.js", "packages/rawsock/build/Release/rawsock.node", ".git/HEAD", "manifests/overlays/example/memberlist.key"]) {
      expect(isIgnored(ignore, p), `${p} is left out of the context`).toBe(true);
    }
  });

  it("copies into the runtime stage only from the build stage, and every source exists after a build", () => {
    const runtimeCopies = copies(runtime);
    expect(runtimeCopies.length).toBeGreaterThan(0);
    for (const c of runtimeCopies) {
      expect(c.from, `line ${c.line}`).toBe("build");
      for (const s of c.sources) {
        expect(s.startsWith("/app/"), `line ${c.line}: ${s}`).toBe(true);
        expect(existsSync(join(ROOT, s.slice("/app/".length))), `${s} exists after tsc -b and npm ci (line ${c.line})`).toBe(true);
      }
    }
    // Every workspace the CLI links reaches the runtime image with its package.json and dist.
    const copied = new Set(runtimeCopies.flatMap((c) => c.sources));
    for (const ws of workspaces()) {
      expect(copied.has(`/app/${ws}/package.json`), `${ws}/package.json`).toBe(true);
      expect(copied.has(`/app/${ws}/dist`), `${ws}/dist`).toBe(true);
    }
  });
});

describe("Dockerfile runtime file set, replayed into an empty directory", () => {
  let app = "";

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), "ironlb-image-"));
    const prod = productionPackages();
    for (const c of copies(runtime)) {
      for (const s of c.sources) {
        const rel = s.slice("/app/".length);
        const dest = join(app, c.destination.slice("/app/".length));
        if (rel === "node_modules") copyNodeModules(dest, prod);
        else {
          mkdirSync(dirname(dest), { recursive: true });
          cpSync(join(ROOT, rel), dest, { recursive: true, verbatimSymlinks: true });
        }
      }
    }
    // The build stage's clean-up (the `find ... -delete` line).
    expect(dockerfile).toContain("RUN find packages/*/dist \\( -name '*.d.ts' -o -name '*.map' -o -name '.tsbuildinfo' \\) -delete");
    for (const ws of readdirSync(join(app, "packages"))) removeMatching(join(app, "packages", ws, "dist"), (n) => n.endsWith(".d.ts") || n.endsWith(".map") || n === ".tsbuildinfo");
  });

  afterAll(() => {
    if (app !== "") rmSync(app, { recursive: true, force: true });
  });

  const cli = (args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) =>
    run(process.execPath, [join(app, "packages/cli/dist/main.js"), ...args], { cwd: app, env: { ...process.env, ...opts.env, NODE_ENV: "production" }, timeout: 20_000 });

  it("leaves out the dev dependencies and keeps the workspace links", () => {
    expect(existsSync(join(app, "node_modules/typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules/vitest"))).toBe(false);
    expect(lstatSync(join(app, "node_modules/@ironlb/cli")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(app, "node_modules/@kubernetes/client-node/package.json"))).toBe(true);
    expect(existsSync(join(app, "packages/core/src"))).toBe(false);
  });

  it("runs the CLI: --help lists the daemons and the operator commands", async () => {
    const { stdout } = await cli(["--help"]);
    for (const cmd of ["controller", "speaker", "status", "explain", "config"]) expect(stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, "m"));
  });

  it("loads the configuration parser: config validate on the example config", async () => {
    const { stdout } = await cli(["config", "validate", join(ROOT, "config/example.yaml")]);
    expect(stdout).toContain("lan");
  });

  it("loads the daemons' dependencies: kube-sim, then the controller and a speaker against it", async () => {
    const sim = await startFromLayout(app, ["kube-sim", "--port", "0", "--kubeconfig-out", join(app, "kubeconfig")], /http:\/\/127\.0\.0\.1:\d+/);
    try {
      await waitForFile(join(app, "kubeconfig"));
      const controller = await startFromLayout(app, ["controller", "--kubeconfig", join(app, "kubeconfig"), "--metrics-addr", "127.0.0.1:0"], /caches synced/);
      await controller.stop();
      const speaker = await startFromLayout(app, ["speaker", "--kubeconfig", join(app, "kubeconfig"), "--node-name", "n1", "--no-raw-sockets", "--metrics-addr", "127.0.0.1:0"], /caches synced/);
      await speaker.stop();
    } finally {
      await sim.stop();
    }
  });

  it("loads the rawsock addon from its build path", async () => {
    const script = [
      `const r = await import(${JSON.stringify(join(app, "node_modules/@ironlb/rawsock/dist/index.js"))});`,
      `const fd = r.openTcpSocket({ family: "ipv4" });`,
      `r.closeFd(fd);`,
      `console.log("addon ok", fd > 2);`,
    ].join("\n");
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: app });
    expect(stdout.trim()).toBe("addon ok true");
  });
});

function workspaces(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] };
  return pkg.workspaces;
}

/** node_modules paths (relative, e.g. "node_modules/yaml") that `npm prune --omit=dev` keeps, and the workspace links. */
function productionPackages(): { readonly keep: Set<string>; readonly links: Set<string> } {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  const keep = new Set<string>();
  const links = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith("node_modules/")) continue;
    if (entry.link === true) links.add(path);
    else if (entry.dev !== true) keep.add(path);
  }
  expect(keep.size).toBeGreaterThan(0);
  expect(links.size).toBe(workspaces().length);
  return { keep, links };
}

function copyNodeModules(dest: string, prod: { keep: Set<string>; links: Set<string> }): void {
  mkdirSync(dest, { recursive: true });
  const top = [...prod.keep].filter((p) => p.split("/node_modules/").length === 1);
  for (const p of top) {
    const from = join(ROOT, p);
    if (!existsSync(from)) continue; // optional dependencies for other platforms
    const to = join(dest, p.slice("node_modules/".length));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (f) => !isDevNested(f, prod.keep) });
  }
  for (const p of prod.links) {
    const to = join(dest, p.slice("node_modules/".length));
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(readlinkSync(join(ROOT, p)), to);
  }
}

/** A nested node_modules package of a production package that the lockfile marks dev-only. */
function isDevNested(file: string, keep: Set<string>): boolean {
  const rel = file.slice(ROOT.length);
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)$/.exec(rel);
  if (m === null || !rel.includes("/node_modules/")) return false;
  return !keep.has(m[1] as string);
}

function removeMatching(dir: string, pred: (name: string) => boolean): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) removeMatching(p, pred);
    else if (pred(name)) rmSync(p);
  }
}

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} was not written`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `ironlb ARGS` from the replayed layout and resolves once stdout or stderr matches `ready`. */
function startFromLayout(app: string, args: string[], ready: RegExp): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(app, "packages/cli/dist/main.js"), ...args], { cwd: app, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production" } });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`ironlb ${args[0]} did not print ${ready} within 15 s:\n${output}`)));
    }, 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ironlb ${args[0]} exited with ${code} before it was ready:\n${output}`));
    });
  });
}
