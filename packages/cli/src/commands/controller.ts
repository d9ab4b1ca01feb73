// `ironlb controller`: the controller daemon (a Deployment in the cluster).
// Watches Services, the config ConfigMap and Namespaces, assigns IPs as
// MetalLB does, serves /metrics, /healthz and /readyz, and stops cleanly on
// SIGTERM or SIGINT (a leader releases its Lease so a standby takes over at
// once).
//
// Deliberately not here: the controller's logic (@ironlb/controller).
import type { Command } from "commander";
import { CliError, intArg, levelArg } from "../cli-kit.ts";

export const order = 10;

interface Options {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly configMap: string;
  readonly lbClass?: string;
  readonly metricsAddr: string;
  readonly leaderElect?: boolean;
  readonly leaseName: string;
  readonly leaderElectLeaseDuration: string;
  readonly leaderElectRenewDeadline: string;
  readonly leaderElectRetryPeriod: string;
  readonly nodeName?: string;
  readonly podName?: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  readonly concurrency: number;
}

const EXAMPLES = `
Examples:
  $ ironlb controller --kubeconfig ~/.kube/config --namespace ironlb-system
  $ ironlb controller --leader-elect --pod-name "$POD_NAME" --metrics-addr 0.0.0.0:7472

The namespace defaults to $IRONLB_NAMESPACE, then the pod's service-account namespace,
then ironlb-system. /readyz?verbose lists every readiness check.`;

const SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export function register(program: Command): void {
  program
    .command("controller")
    .description("run the controller: assign LoadBalancer IPs from the configured pools")
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--namespace <ns>", "namespace of the config ConfigMap and the Lease")
    .option("--config-map <name>", "name of the config ConfigMap", "config")
    .option("--lb-class <class>", "handle only Services with this spec.loadBalancerClass (default: only Services without one)")
    .option("--metrics-addr <host:port>", "address of /metrics, /healthz and /readyz", "127.0.0.1:7472")
    .option("--leader-elect", "elect one active replica through a Lease (run several replicas safely)")
    .option("--lease-name <name>", "name of the Lease", "ironlb-controller")
    .option("--leader-elect-lease-duration <duration>", "how long a Lease is valid without renewal", "15s")
    .option("--leader-elect-renew-deadline <duration>", "a leader that could not renew for this long steps down", "10s")
    .option("--leader-elect-retry-period <duration>", "interval between Lease attempts", "2s")
    .option("--node-name <name>", "node this replica runs on (default: $NODE_NAME)")
    .option("--pod-name <name>", "this replica's identity in the Lease and Events (default: $POD_NAME, then the host name)")
    .option("--log-level <level>", "debug, info, warn or error", levelArg, "info")
    .option("--concurrency <n>", "status writes in flight at once", intArg("--concurrency", 1, 256), 16)
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      // Arguments first: a typo is reported before the Kubernetes client (slow to load) is.
      const { parseGoDuration } = await import("@ironlb/core/config");
      // Go duration syntax, as the client-go flags of the same names ("15s", "1m30s", "500ms").
      const duration = (flag: string, text: string): number => {
        const d = parseGoDuration(text);
        if (!d.ok) throw new CliError(`${flag}: ${d.message}`);
        if (d.nanoseconds <= 0n) throw new CliError(`${flag}: must be positive, got "${text}"`);
        return Number(d.nanoseconds / 1_000_000n);
      };
      const lease = {
        leaseName: opts.leaseName,
        leaseDurationMs: duration("--leader-elect-lease-duration", opts.leaderElectLeaseDuration),
        renewDeadlineMs: duration("--leader-elect-renew-deadline", opts.leaderElectRenewDeadline),
        retryPeriodMs: duration("--leader-elect-retry-period", opts.leaderElectRetryPeriod),
      };
      if (!(lease.leaseDurationMs > lease.renewDeadlineMs && lease.renewDeadlineMs > lease.retryPeriodMs)) {
        throw new CliError("--leader-elect-*: need lease duration > renew deadline > retry period");
      }
      const { readFileSync } = await import("node:fs");
      const { hostname } = await import("node:os");
      const { Registry } = await import("prom-client");
      const { createClients, createLogger, parseHostPort } = await import("@ironlb/kube");
      const { listenMonitoring, runUntilSignal } = await import("../daemon.ts");
      const { Controller } = await import("@ironlb/controller");
      try {
        parseHostPort(opts.metricsAddr);
      } catch (err) {
        throw new CliError(`--metrics-addr: ${(err as Error).message}`);
      }
      let namespace = opts.namespace ?? process.env["IRONLB_NAMESPACE"];
      if (namespace === undefined || namespace === "") {
        try {
          namespace = readFileSync(SA_NAMESPACE, "utf8").trim();
        } catch {
          namespace = "ironlb-system";
        }
      }
      let clients: ReturnType<typeof createClients>;
      try {
        clients = createClients({ kubeconfig: opts.kubeconfig });
      } catch (err) {
        throw new CliError(`--kubeconfig: ${(err as Error).message}`);
      }
      const nodeName = opts.nodeName ?? process.env["NODE_NAME"] ?? "";
      const identity = opts.podName ?? process.env["POD_NAME"] ?? hostname();
      const logger = createLogger({ component: "ironlb-controller", level: opts.logLevel }).with(nodeName === "" ? {} : { node: nodeName });
      const registry = new Registry();
      const controller = new Controller({
        clients,
        namespace,
        configMapName: opts.configMap,
        lbClass: opts.lbClass ?? null,
        identity,
        registry,
        logger,
        concurrency: opts.concurrency,
        leaderElection: opts.leaderElect === true ? lease : undefined,
      });
      const server = await listenMonitoring(opts.metricsAddr, registry, controller.readinessChecks());
      logger.info("monitoring endpoint listening", { op: "startup", url: server.url });

      await runUntilSignal({ logger, server, start: () => controller.start(), stop: () => controller.stop() });
    });
}

