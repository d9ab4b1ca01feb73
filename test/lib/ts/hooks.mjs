// Module hooks: every file:*.ts module is transpiled on load (transpile.mjs).
// Workspace packages resolve to their sources through the "source" export
// condition, which the child gets from `--conditions=source`, as vitest does.
import { fileURLToPath } from "node:url";
import { transpileFile } from "./transpile.mjs";

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  return { format: "module", source: await transpileFile(fileURLToPath(url)), shortCircuit: true };
}
