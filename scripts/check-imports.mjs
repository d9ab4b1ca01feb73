#!/usr/bin/env node
// Enforces DESIGN.md's package boundaries: who may import whom, and that the
// pure core performs no I/O. Exits 1 and prints one line per violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

// package -> packages it may import (by name, "core/ip" meaning only that entry;
// bgp and l2 get core's IP math and its wire Reader/Writer, never config)
const allowed = {
  core: [],
  "kube-sim": [],
  rawsock: [],
  bgp: ["core/ip", "core/wire", "rawsock"],
  l2: ["core/ip", "core/wire", "rawsock"],
  kube: ["core"],
  controller: ["core", "kube"],
  speaker: ["core", "kube", "bgp", "l2", "rawsock"],
  cli: ["core", "kube", "kube-sim", "bgp", "l2", "rawsock", "controller", "speaker"],
};
// Node built-ins the pure core may use: computation only, no I/O.
const coreBuiltins = new Set(["node:crypto", "node:util", "node:assert"]);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

const problems = [];
for (const pkg of Object.keys(allowed)) {
  const src = join(root, "packages", pkg, "src");
  let list;
  try { list = [...files(src)]; } catch { continue; }
  for (const file of list) {
    const isTest = file.endsWith(".test.ts");
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const spec = m[1];
      const rel = relative(root, file);
      if (spec.startsWith("@ironlb/")) {
        const target = spec.slice("@ironlb/".length); // e.g. "core/ip"
        const [targetPkg, entry] = target.split("/");
        if (targetPkg === pkg) { problems.push(`${rel}: imports its own package by name (${spec})`); continue; }
        if (isTest && targetPkg === "kube-sim") continue; // tests may drive the simulator
        const ok = allowed[pkg].some((a) => a === targetPkg || a === `${targetPkg}/${entry}`);
        if (!ok) problems.push(`${rel}: ${pkg} may not import ${spec}`);
        if (entry === "internal") problems.push(`${rel}: deep import into internals (${spec})`);
      } else if (pkg === "core" && !isTest && (spec.startsWith("node:") || ["fs", "net", "http", "dgram", "child_process", "os"].includes(spec))) {
        if (!coreBuiltins.has(spec)) problems.push(`${rel}: core is pure and may not import ${spec}`);
      }
    }
  }
}
for (const p of problems) console.error(p);
if (problems.length > 0) process.exit(1);
console.log("imports: ok");
