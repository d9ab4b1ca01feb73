// Builds the commander program. Each command module exports `register(program)`;
// this file only decides the order they appear in `ironlb --help`.
import { Command } from "commander";

export function createProgram(): Command {
  const program = new Command("ironlb")
    .description("IronLB: LoadBalancer Services for bare-metal Kubernetes (controller, speaker and operator tools)")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .configureOutput({
      outputError: (str, write) => write(str.trimEnd().split("\n")[0] + "\n"),
    });
  return program;
}
