// Module hooks that let a child process run the membership straight from its
// TypeScript sources (Node 20 cannot strip types itself): every file:*.ts
// module is transpiled on load (transpile.mjs; cached in IRONLB_TS_CACHE when
// set). Workspace packages resolve to their sources through the "source"
// export condition, which the child gets from `--conditions=source`, as
// vitest does.
import { readFile } from "node:fs/promises";
import { transpile } from "./transpile.mjs";

const cacheDir = process.env["IRONLB_TS_CACHE"] || undefined;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const source = await readFile(new URL(url), "utf8");
  return { format: "module", source: await transpile(url, source, cacheDir), shortCircuit: true };
}
