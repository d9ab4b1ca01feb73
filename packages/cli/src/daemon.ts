// What the two daemons (`ironlb controller`, `ironlb speaker`) share around
// their own logic: the monitoring endpoint with a one-line error when its
// address is taken, and running until SIGINT/SIGTERM with one orderly stop.
// @ironlb/kube is loaded lazily so `ironlb --help` stays light.
import type { Logger, LogFields, MonitoringServer, ReadinessCheck } from "@ironlb/kube";
import type { Registry } from "prom-client";
import { CliError } from "./cli-kit.ts";

export async function listenMonitoring(address: string, registry: Registry, readiness: readonly ReadinessCheck[]): Promise<MonitoringServer> {
  const { startMonitoringServer } = await import("@ironlb/kube");
  try {
    return await startMonitoringServer({ address, registry, readiness });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`--metrics-addr: cannot listen on ${address}: ${code === "EADDRINUSE" ? "address already in use" : (err as Error).message}`);
  }
}

export interface DaemonRun {
  readonly logger: Logger;
  /** Extra fields for the shutdown log line. */
  readonly fields?: LogFields | undefined;
  /** Runs the daemon; may resolve early or never. */
  start(): Promise<void>;
  /** Stops it in order (withdraw, release, close); called once, on the first signal. */
  stop(): Promise<void>;
  readonly server: MonitoringServer;
}

/** Starts the daemon and returns once a SIGINT or SIGTERM has stopped it and the endpoint closed. */
export async function runUntilSignal(run: DaemonRun): Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      run.logger.info("shutting down", { op: "shutdown", signal, ...run.fields });
      await run.stop();
      await run.server.close();
    })();
    return stopping;
  };
  const done = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void stop(signal).then(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await Promise.race([run.start(), done]);
  await done;
}
