// Builds the commander program. Every module in commands/ exports `order` and
// `register(program)`; they are discovered here so that adding a command never
// means editing a shared list. Heavy dependencies are imported inside actions,
// so `ironlb --help` stays fast.
import { Command } from "commander";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface CommandModule {
  readonly order: number;
  register(program: Command): void;
}

export async function createProgram(): Promise<Command> {
  const program = new Command("ironlb")
    .description("IronLB: LoadBalancer Services for bare-metal Kubernetes (controller, speaker and operator tools)")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .configureOutput({
      // A bad argument gets one line, not the whole usage text.
      outputError: (str, write) => write(str.trimEnd().split("\n")[0] + "\n"),
    });
  const dir = fileURLToPath(new URL("./commands/", import.meta.url));
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /\.(js|ts)$/.test(n) && !/\.(test|d)\.ts$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const modules: CommandModule[] = [];
  for (const name of names) {
    modules.push((await import(new URL(`./commands/${name}`, import.meta.url).href)) as CommandModule);
  }
  modules.sort((a, b) => a.order - b.order);
  for (const m of modules) m.register(program);
  return program;
}
