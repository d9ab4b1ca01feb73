// TypeScript -> JavaScript for child processes, types erased and nothing
// checked (`tsc -b` and vitest do the checking), with an optional disk cache
// keyed by the source's hash: loading the TypeScript compiler costs a child
// seconds on a busy 2-core machine, so the test warms the cache once in its
// own process and the children only read it.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

let ts;

async function compiler() {
  ts ??= (await import("typescript")).default;
  return ts;
}

function cachePath(dir, source) {
  return path.join(dir, `${createHash("sha256").update(source).digest("hex")}.js`);
}

/** JavaScript for `source` (the module at `url`); cached under `cacheDir` when given. */
export async function transpile(url, source, cacheDir) {
  const file = cacheDir === undefined ? undefined : cachePath(cacheDir, source);
  if (file !== undefined) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      // not cached yet
    }
  }
  const t = await compiler();
  const out = t.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: t.ModuleKind.ESNext, target: t.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  if (file !== undefined) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, out);
  }
  return out;
}

/** Fills the cache for every file in `files` (absolute paths). */
export async function warm(files, cacheDir) {
  for (const f of files) await transpile(`file://${f}`, readFileSync(f, "utf8"), cacheDir);
}
