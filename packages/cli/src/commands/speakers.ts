// `ironlb speakers`: the speakers' side of `ironlb status`: which node
// announces each LoadBalancer Service (layer 2 owner, BGP nodes), the state
// of every BGP session of every speaker, and which speakers publish their
// state. Read from the `ironlb.io/speaker-status` annotation each speaker
// keeps on its own pod (written only when it changes), so it needs read
// access to pods in IronLB's namespace and to Services, nothing on the nodes.
//
// Deliberately not here: the view itself (@ironlb/speaker status-view.ts),
// which `ironlb status` can embed too.
import type { Command } from "commander";
import { CliError, emit, outputOption, renderTable, type OutputFormat } from "../cli-kit.ts";

export const order = 21;

interface Options {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly speakerSelector: string;
  readonly output: OutputFormat;
}

const EXAMPLES = `
Examples:
  $ ironlb speakers
  $ ironlb speakers -o json | jq '.sessions[] | select(.state != "up")'`;

export function register(program: Command): void {
  program
    .command("speakers")
    .description("show which node announces each Service and the state of every BGP session")
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--namespace <ns>", "namespace of the speaker pods (default: $IRONLB_NAMESPACE, else ironlb-system)")
    .option("--speaker-selector <labels>", "label selector of the speaker pods", "app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker")
    .addOption(outputOption())
    .addHelpText("after", EXAMPLES)
    .action(async (opts: Options) => {
      const { createClients } = await import("@ironlb/kube");
      const { collectSpeakerStatus, renderSpeakerStatus } = await import("@ironlb/speaker");
      let clients: ReturnType<typeof createClients>;
      try {
        clients = createClients({ kubeconfig: opts.kubeconfig });
      } catch (err) {
        throw new CliError(`--kubeconfig: ${(err as Error).message}`);
      }
      const namespace = opts.namespace ?? process.env["IRONLB_NAMESPACE"] ?? "ironlb-system";
      let view: Awaited<ReturnType<typeof collectSpeakerStatus>>;
      try {
        view = await collectSpeakerStatus(clients, namespace, opts.speakerSelector);
      } catch (err) {
        throw new CliError(`reading speakers in ${namespace}: ${(err as Error).message}`);
      }
      emit(opts.output, view, () => renderSpeakerStatus(view, renderTable));
    });
}
