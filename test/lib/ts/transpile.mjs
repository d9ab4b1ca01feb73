// TypeScript -> JavaScript for child processes that run the repository's
// sources directly (Node 20 cannot strip types): per-file transpileModule
// (the project compiles with isolatedModules, so per-file output is exact),
// types erased and nothing checked (`tsc -b` and vitest check), with an
// inline source map.
//
// Output is cached in $TMPDIR/ironlb-ts-cache keyed by path, mtime, size and
// the TypeScript version, written atomically so parallel children never read
// half a file: on a loaded 2-core machine a cold transpile measured 100-1500 ms
// per file, a hit well under 1 ms, and TypeScript itself is loaded on a miss
// only. `warm()` fills the cache from the test process, so children start fast.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const cacheDir = path.join(os.tmpdir(), "ironlb-ts-cache");
const require = createRequire(import.meta.url);
const tsVersion = JSON.parse(await readFile(require.resolve("typescript/package.json"), "utf8")).version;
let ts;

/** JavaScript for the TypeScript file at absolute path `file`. */
export async function transpileFile(file) {
  const st = await stat(file);
  const key = createHash("sha256").update(`2|${tsVersion}|${file}|${st.mtimeMs}|${st.size}`).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return await readFile(cached, "utf8");
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
  }).outputText;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, out);
  await rename(tmp, cached);
  return out;
}

/** Transpiles every file in `files` (absolute paths) into the cache. */
export async function warm(files) {
  for (const f of files) await transpileFile(f);
}
