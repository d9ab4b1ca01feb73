// `ironlb speaker`: the speaker daemon (a DaemonSet with hostNetwork in the
// cluster). Decides what this node announces, answers ARP/NDP for the layer 2
// IPs it owns (AF_PACKET sockets, CAP_NET_RAW), keeps one BGP session per
// peer that selects this node, runs the membership among speakers when
// --ml-bind is given, serves /metrics, /healthz and /readyz, and on SIGTERM
// hands over (membership leave), withdraws and ends its sessions with a Cease.
//
// --no-raw-sockets: no layer 2 sockets at all; the speaker computes, logs and
// publishes what it would answer for (the playground runs it so without
// root). BGP still runs (plain TCP; a password needs the native addon).
//
// Deliberately not here: the speaker's logic (@ironlb/speaker).
import type { Command } from "commander";
import { CliError, levelArg } from "../cli-kit.ts";

export const order = 11;

interface Options {
  readonly nodeName?: string;
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly configMap: string;
  readonly lbClass?: string;
  readonly metricsAddr: string;
  readonly mlBind?: string;
  readonly mlAdvertise?: string;
  readonly mlSecretName: string;
  readonly rawSockets: boolean;
  readonly l2KernelArp?: boolean;
  readonly podName?: string;
  readonly speakerSelector: string;
  readonly ignoreExcludeLb?: boolean;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}

const EXAMPLES = `
Examples:
  $ ironlb speaker --node-name "$NODE_NAME" --ml-bind "$POD_IP:7946"
  $ ironlb speaker --node-name worker-1 --kubeconfig ~/.kube/config --no-raw-sockets
  $ ironlb speaker --node-name "$NODE_NAME" --ml-bind "$POD_IP:7946" --l2-kernel-arp

The namespace defaults to $IRONLB_NAMESPACE, then the pod's service-account namespace,
then ironlb-system. Membership needs --ml-bind and the Secret --ml-secret-name (key
"secretkey"); without --ml-bind, liveness comes from speaker pod readiness only.`;

const SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export function register(program: Command): void {
  program
    .command("speaker")
    .description("run the speaker: announce this node's share of the LoadBalancer IPs (ARP/NDP, BGP)")
    .option("--node-name <name>", "the node this speaker runs on (default: $NODE_NAME)")
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--namespace <ns>", "namespace of the config ConfigMap, the speaker pods and the membership Secret")
    .option("--config-map <name>", "name of the config ConfigMap", "config")
    .option("--lb-class <class>", "handle only Services with this spec.loadBalancerClass (default: only Services without one)")
    .option("--metrics-addr <host:port>", "address of /metrics, /healthz and /readyz", "127.0.0.1:7472")
    .option("--ml-bind <addr:port>", "membership address (the node's IP; port 7946 when omitted); off when not given")
    .option("--ml-advertise <addr:port>", "address the other speakers reach this one at, when --ml-bind is a wildcard")
    .option("--ml-secret-name <name>", "Secret with the membership key (key \"secretkey\")", "memberlist")
    .option("--no-raw-sockets", "dry run for layer 2: decide, log and publish, but open no packet sockets")
    .option("--l2-kernel-arp", "answer ARP in the kernel with a BPF program (tcx, or XDP before Linux 6.6; needs CAP_BPF and CAP_NET_ADMIN; interfaces where it cannot load are answered from user space, with a warning)")
    .option("--pod-name <name>", "this speaker's pod, where its status is published (default: $POD_NAME, then the speaker pod on this node)")
    .option("--speaker-selector <labels>", "label selector of the speaker pods", "app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker")
    .option("--ignore-exclude-lb", "keep nodes labelled node.kubernetes.io/exclude-from-external-load-balancers as candidates")
    .option("--log-level <level>", "debug, info, warn or error", levelArg, "info")
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { readFileSync } = await import("node:fs");
      const { Registry } = await import("prom-client");
      const { createClients, createLogger, parseHostPort } = await import("@ironlb/kube");
      const { listenMonitoring, runUntilSignal } = await import("../daemon.ts");
      const speakerPkg = await import("@ironlb/speaker");
      const { Speaker, announcerWriter, dryRunWriter, socketSessionFactory, parseEndpoint } = speakerPkg;

      const nodeName = opts.nodeName ?? process.env["NODE_NAME"] ?? "";
      if (nodeName === "") throw new CliError("--node-name: required (or set $NODE_NAME)");
      try {
        parseHostPort(opts.metricsAddr);
      } catch (err) {
        throw new CliError(`--metrics-addr: ${(err as Error).message}`);
      }
      const endpointArg = (flag: string, text: string | undefined) => {
        if (text === undefined) return undefined;
        try {
          const e = parseEndpoint(text);
          return { address: e.address, port: e.port };
        } catch (err) {
          throw new CliError(`${flag}: ${(err as Error).message}`);
        }
      };
      const bind = endpointArg("--ml-bind", opts.mlBind);
      const advertise = endpointArg("--ml-advertise", opts.mlAdvertise);
      if (advertise !== undefined && bind === undefined) throw new CliError("--ml-advertise: needs --ml-bind");
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
      const logger = createLogger({ component: "ironlb-speaker", level: opts.logLevel });
      const registry = new Registry();
      const layer2 = opts.rawSockets
        ? async () => {
            const l2 = await import("@ironlb/l2");
            const rawsock = await import("@ironlb/rawsock");
            return (onEvent: Parameters<typeof dryRunWriter>[0]) =>
              announcerWriter(
                new l2.L2Announcer({
                  openConn: (name, spec) => rawsock.openPacketConn(name, spec.ethertype, { filter: spec.filter }),
                  listInterfaces: () => rawsock.listInterfaces(),
                  ...(opts.l2KernelArp === true ? { kernelArp: l2.openKernelArpResponder } : {}),
                  onEvent,
                }),
              );
          }
        : async () => dryRunWriter;
      const speaker = new Speaker({
        clients,
        nodeName,
        namespace,
        configMapName: opts.configMap,
        lbClass: opts.lbClass ?? null,
        speakerSelector: opts.speakerSelector,
        podName: opts.podName ?? process.env["POD_NAME"],
        ignoreExcludeLb: opts.ignoreExcludeLb === true,
        layer2: await layer2(),
        bgp: socketSessionFactory(),
        membership: bind === undefined ? undefined : { bind, advertise, secretName: opts.mlSecretName },
        registry,
        logger,
      });
      const server = await listenMonitoring(opts.metricsAddr, registry, speaker.readinessChecks());
      logger.info("monitoring endpoint listening", { op: "startup", url: server.url, node: nodeName, rawSockets: opts.rawSockets, l2KernelArp: opts.l2KernelArp === true });

      await runUntilSignal({ logger, server, fields: { node: nodeName }, start: () => speaker.start(), stop: () => speaker.shutdown() });
      // Sockets of dying informers or peers must not hold the process.
      process.exit(0);
    });
}

