// `ironlb kube-sim`: runs the in-memory Kubernetes API server for people
// (kubectl against a laptop cluster, the playground, manual tests) until
// SIGINT or SIGTERM. Prints the URL and writes a kubeconfig for it.
import type { Command } from "commander";
import { CliError, intArg } from "../cli-kit.ts";

export const order = 90;

interface Options {
  readonly host: string;
  readonly port: number;
  readonly kubeconfigOut?: string;
}

export function register(program: Command): void {
  program
    .command("kube-sim")
    .description("run an in-memory Kubernetes API server (for tests, demos and kubectl) until interrupted")
    .option("--host <address>", "local address to listen on", "127.0.0.1")
    .option("--port <port>", "TCP port (0: any free port)", intArg("--port", 0, 65535), 6443)
    .option("--kubeconfig-out <file>", "write a kubeconfig for the server to this file")
    .action(async (opts: Options) => {
      const { createKubeSim } = await import("@ironlb/kube-sim");
      const { writeFile } = await import("node:fs/promises");
      let sim: Awaited<ReturnType<typeof createKubeSim>>;
      try {
        sim = await createKubeSim({ host: opts.host, port: opts.port });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new CliError(`--port: ${opts.host}:${opts.port} is already in use`);
        if (code === "EADDRNOTAVAIL") throw new CliError(`--host: ${opts.host} is not a local address`);
        throw err;
      }
      if (opts.kubeconfigOut !== undefined) {
        try {
          await writeFile(opts.kubeconfigOut, sim.kubeconfig(), { mode: 0o600 });
        } catch (err) {
          await sim.close();
          throw new CliError(`--kubeconfig-out: cannot write ${opts.kubeconfigOut}: ${(err as Error).message}`);
        }
      }
      process.stdout.write(`kube-sim listening on ${sim.url}\n`);
      if (opts.kubeconfigOut !== undefined) process.stdout.write(`kubeconfig written to ${opts.kubeconfigOut}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await sim.close();
    });
}
