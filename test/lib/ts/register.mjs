// `node --conditions=source --enable-source-maps --import test/lib/ts/register.mjs child.ts`:
// runs a TypeScript entry from the sources (see hooks.mjs, transpile.mjs).
import { register } from "node:module";
register("./hooks.mjs", import.meta.url);
