// Module hooks that let a child `node` process run the repository's
// TypeScript sources directly: .ts files are transpiled one at a time with
// TypeScript's transpileModule (the project compiles with isolatedModules, so
// per-file transpilation is exact), with an inline source map. Used by the
// L2 end-to-end suites and the L2 benchmark to run `ironlb` inside a network
// namespace without depending on a fresh `tsc -b` (a stale dist/ would test
// old code).
//
// Transpiled output is cached in $TMPDIR/ironlb-ts-cache, keyed by path,
// mtime, size and the TypeScript version: on a loaded 2-core machine a cold
// transpile measured 100-1500 ms per file, a cache hit well under 1 ms, and
// TypeScript itself is only loaded on a miss.
// Register with `node --conditions=source --enable-source-maps --import ./register.mjs`.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const cacheDir = path.join(os.tmpdir(), "ironlb-ts-cache");
const require = createRequire(import.meta.url);
const tsVersion = JSON.parse(await readFile(require.resolve("typescript/package.json"), "utf8")).version;
let ts;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const st = await stat(file);
  const key = createHash("sha256").update(`2|${tsVersion}|${file}|${st.mtimeMs}|${st.size}`).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return { format: "module", source: await readFile(cached, "utf8"), shortCircuit: true };
  } catch {
    // miss: transpile below
  }
  ts ??= (await import("typescript")).default;
  const out = ts.transpileModule(await readFile(file, "utf8"), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, out.outputText);
  await rename(tmp, cached);
  return { format: "module", source: out.outputText, shortCircuit: true };
}
