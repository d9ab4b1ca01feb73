// `npm run bench -- NAME [args...]`: runs bench/NAME.ts (compiled to dist).
// Every benchmark measures its baseline in the same run and reports ratios.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface BenchModule {
  /** One line shown by `npm run bench -- --list`. */
  readonly description: string;
  run(args: readonly string[]): Promise<void>;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(here)
  .filter((n) => n.endsWith(".js") && n !== "run.js")
  .map((n) => n.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === "--list" || name === "--help") {
  console.log("usage: npm run bench -- NAME [args...]\n\nbenchmarks:");
  for (const n of available) {
    const m = (await import(`./${n}.js`)) as BenchModule;
    console.log(`  ${n.padEnd(12)} ${m.description}`);
  }
  process.exit(name === undefined ? 1 : 0);
}
if (!available.includes(name)) {
  console.error(`bench: unknown benchmark "${name}" (have: ${available.join(", ") || "none"})`);
  process.exit(1);
}
const mod = (await import(`./${name}.js`)) as BenchModule;
await mod.run(rest);
