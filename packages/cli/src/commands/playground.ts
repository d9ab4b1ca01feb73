// `ironlb playground` (`npm start`): IronLB working on this machine in one
// command. Starts kube-sim, applies the example configuration and sample
// Services, runs the controller and three speakers, and shows a live table:
// each Service's IP, pool, the nodes announcing it and what the network saw
// (ARP answer or router route). As root with the Debian packages it builds
// real network namespaces with a BIRD router and a client you can curl from;
// otherwise it says why and runs the speakers without raw sockets.
//
// Ctrl-C removes everything it created. The machinery is in ../playground/.
import type { Command } from "commander";
import { Option } from "commander";
import { CliError, intArg } from "../cli-kit.ts";
import type { Playground } from "../playground/playground.ts";
import type { Row } from "../playground/view.ts";

export const order = 5;

interface Options {
  readonly config?: string;
  readonly services?: string;
  readonly nodes: number;
  readonly mode: "auto" | "netns" | "dry-run";
  readonly plain?: boolean;
  readonly dir?: string;
  readonly interval: number;
}

const EXAMPLES = `
Examples:
  $ npm start                                  # the same as: ironlb playground
  $ sudo ironlb playground                     # real namespaces, BIRD and a client to curl from
  $ ironlb playground --mode dry-run --plain   # no root needed; print the table on each change

As root with iproute2, bird2, iputils-arping and iptables installed, each node is a network
namespace on one bridged segment with a BIRD router at the config's peer addresses and a
client; the printed \`ip netns exec ... curl\` command reaches a Service through BGP or ARP.
Otherwise the speakers run with --no-raw-sockets and the table shows what they would announce.`;

const INTRO_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: default
spec:
  type: LoadBalancer
  selector:
    app: hello
  ports:
  - port: 80
    targetPort: 8080`;

export function register(program: Command): void {
  program
    .command("playground")
    .description("run IronLB on this machine: kube-sim, the controller and three speakers, with a live table of what is announced")
    .option("--config <file>", "the configuration ConfigMap to apply (default: config/example.yaml of the repository)")
    .option("--services <file>", "sample Namespaces and Services to create (default: config/services.yaml)")
    .option("--nodes <n>", "number of nodes, one speaker each", intArg("--nodes", 1, 8), 3)
    .addOption(new Option("--mode <mode>", "network namespaces when possible, or force one mode").choices(["auto", "netns", "dry-run"]).default("auto"))
    .option("--plain", "no screen redraws: print the table whenever it changes (default when stdout is not a terminal)")
    .option("--dir <dir>", "run directory for the kubeconfig, logs and sockets (default: a new one under the temp directory)")
    .option("--interval <ms>", "refresh period", intArg("--interval", 200, 60_000), 1000)
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { fileURLToPath } = await import("node:url");
      const { tmpdir } = await import("node:os");
      const path = await import("node:path");
      const { Playground } = await import("../playground/playground.ts");
      const { renderRows } = await import("../playground/view.ts");
      const { PlaygroundError } = await import("../playground/errors.ts");

      const repo = fileURLToPath(new URL("../../../../", import.meta.url));
      const plain = opts.plain === true || !process.stdout.isTTY;
      const out = (s: string) => process.stdout.write(s);
      const pg = new Playground({
        configFile: path.resolve(opts.config ?? path.join(repo, "config/example.yaml")),
        servicesFile: path.resolve(opts.services ?? path.join(repo, "config/services.yaml")),
        nodes: opts.nodes,
        mode: opts.mode,
        dir: path.resolve(opts.dir ?? path.join(tmpdir(), `ironlb-playground-${process.pid}`)),
        cli: fileURLToPath(new URL("../main.js", import.meta.url)),
        progress: (line) => out(`playground: ${line}\n`),
      });

      let stopping = false;
      let timer: NodeJS.Timeout | undefined;
      const finished = new Promise<void>((resolve) => {
        const onSignal = (sig: NodeJS.Signals) => {
          if (stopping) {
            // A second Ctrl-C: no more waiting; the exit handler kills and removes synchronously.
            process.exit(130);
          }
          stopping = true;
          clearTimeout(timer);
          out(`\nplayground: ${sig}, stopping and removing everything it created\n`);
          void pg.stop().then((r) => {
            out(`playground: stopped ${r.processes} processes, removed ${r.namespaces.length} network namespaces and ${r.dir}\n`);
            for (const p of r.problems) process.stderr.write(`playground: ${p}\n`);
            if (r.problems.length > 0) process.exitCode = 1;
            resolve();
          });
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });

      if (pg.fallbackReason !== null) out(`playground: no network namespaces (${pg.fallbackReason}): dry run\n`);
      try {
        await pg.start();
      } catch (err) {
        await pg.stop();
        if (err instanceof PlaygroundError) throw new CliError(`playground: ${err.message} [${err.code}]`);
        throw err;
      }
      if (stopping) return finished;

      const banner = bannerLines(pg, INTRO_SERVICE);
      let last = "";
      const refresh = async () => {
        if (stopping) return;
        const snap = await pg.tick();
        const tryLines = curlLines(pg, snap.rows);
        const body = [...snap.status, "", renderRows(snap.rows).trimEnd(), ...(tryLines.length > 0 ? ["", "Try:", ...tryLines] : [])].join("\n") + "\n";
        if (plain) {
          if (body !== last) out(`--- ${new Date().toISOString()}\n${body}`);
        } else {
          out(`\x1b[H\x1b[2J${banner}\n${body}\nCtrl-C stops the playground and removes everything it created.\n`);
        }
        last = body;
        if (!stopping) timer = setTimeout(() => void refresh(), opts.interval);
      };
      if (plain) out(banner + "\n");
      await refresh();
      await finished;
    });
}

function bannerLines(pg: Playground, intro: string): string {
  const lines = [
    `IronLB playground: ${pg.mode === "netns" ? "network namespaces, real ARP and BGP" : "dry run, the speakers show what they would announce"}`,
    `  API server:  ${pg.sim?.url ?? "?"}`,
    `  kubeconfig:  ${pg.kubeconfig}`,
    `  logs:        ${pg.dir}/*.log`,
  ];
  if (pg.namespaces.names.length > 0) lines.push(`  namespaces:  ${pg.namespaces.names.join(" ")}`);
  lines.push(
    "",
    "Create your own Service (the controller assigns an IP, the speakers announce it):",
    `  kubectl --kubeconfig ${pg.kubeconfig} apply -f - <<'EOF'`,
    ...intro.split("\n").map((l) => `  ${l}`),
    "  EOF",
    `  kubectl --kubeconfig ${pg.kubeconfig} get services -A`,
    "",
  );
  return lines.join("\n");
}

function curlLines(pg: Playground, rows: readonly Row[]): string[] {
  const client = pg.topology?.client.ns.name;
  if (client === undefined) return [];
  const lines: string[] = [];
  for (const r of rows) {
    const port = r.ports.split(",").find((p) => p.endsWith("/TCP"))?.split("/")[0];
    const ip = r.ips.find((i) => /^\d+\.\d+\.\d+\.\d+$/.test(i));
    if (port === undefined || ip === undefined) continue;
    lines.push(`  ip netns exec ${client} curl -s http://${ip}:${port}/    # ${r.service}`);
  }
  return lines;
}
