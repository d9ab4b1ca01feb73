// `node` arguments that run a TypeScript file of this repository from its
// sources (register.mjs), so a child process never runs a stale dist/.
import { fileURLToPath } from "node:url";

export const registerTs = fileURLToPath(new URL("./register.mjs", import.meta.url));

export function nodeTs(script: string, args: readonly string[] = []): string[] {
  return ["--conditions=source", "--enable-source-maps", "--import", registerTs, script, ...args];
}

export { warm } from "./transpile.mjs";
