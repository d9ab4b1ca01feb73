// Reads a Dockerfile and a .dockerignore the way `docker build` does, far
// enough to check them without a Docker engine: instructions with their
// arguments (line continuations joined, comments and parser directives
// dropped), grouped into stages, COPY sources with their --from, the JSON
// (exec) form of ENTRYPOINT/CMD, and .dockerignore matching (Go
// filepath.Match globs plus `**`, later `!` lines re-including).
//
// Deliberately not here: variable expansion (ARG/ENV substitution), heredocs,
// ADD's URL and archive forms. The Dockerfile under test uses none of them,
// and `parseDockerfile` refuses heredocs rather than misreading them.

export interface Instruction {
  readonly keyword: string;
  /** The text after the keyword, continuations joined with a space. */
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly base: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

export interface CopyInstruction {
  readonly from: string | null;
  readonly sources: readonly string[];
  readonly destination: string;
  readonly line: number;
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  let pending = "";
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").replace(/\r$/, "");
    const trimmed = raw.trim();
    if (pending === "" && (trimmed === "" || trimmed.startsWith("#"))) continue;
    // Comment lines inside a continued instruction are dropped, as BuildKit does.
    if (pending !== "" && trimmed.startsWith("#")) continue;
    if (pending === "") start = i + 1;
    if (trimmed.endsWith("\\")) {
      pending += trimmed.slice(0, -1) + " ";
      continue;
    }
    const full = (pending + trimmed).trim();
    pending = "";
    if (full === "") continue;
    const m = /^(\S+)\s*(.*)$/s.exec(full);
    if (m === null) continue;
    if (/<<-?\s*["']?\w+/.test(m[2] ?? "")) throw new Error(`Dockerfile line ${start}: heredocs are not supported by this reader`);
    instructions.push({ keyword: (m[1] ?? "").toUpperCase(), args: (m[2] ?? "").replace(/\s+/g, " ").trim(), line: start });
  }
  if (pending !== "") throw new Error("Dockerfile ends inside a line continuation");
  const stages: Stage[] = [];
  let current: { base: string; name: string | null; instructions: Instruction[] } | null = null;
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (m === null) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      current = { base: m[1] ?? "", name: m[2] ?? null, instructions: [] };
      stages.push(current);
      continue;
    }
    if (current === null) {
      if (ins.keyword === "ARG") continue;
      throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
    current.instructions.push(ins);
  }
  return stages;
}

/** COPY instructions of a stage, shell-form arguments split on blanks (no quoting in our file). */
export function copies(stage: Stage): CopyInstruction[] {
  const out: CopyInstruction[] = [];
  for (const ins of stage.instructions) {
    if (ins.keyword !== "COPY") continue;
    const words = ins.args.split(" ");
    let from: string | null = null;
    const rest: string[] = [];
    for (const w of words) {
      if (w.startsWith("--from=")) from = w.slice("--from=".length);
      else if (w.startsWith("--")) continue; // --chown, --chmod, --link
      else rest.push(w);
    }
    if (rest.length < 2) throw new Error(`Dockerfile line ${ins.line}: COPY needs a source and a destination`);
    out.push({ from, sources: rest.slice(0, -1), destination: rest[rest.length - 1] as string, line: ins.line });
  }
  return out;
}

/** The exec (JSON array) form of ENTRYPOINT or CMD; null for the shell form. */
export function execForm(ins: Instruction | undefined): string[] | null {
  if (ins === undefined || !ins.args.startsWith("[")) return null;
  const v: unknown = JSON.parse(ins.args);
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null;
}

export function last(stage: Stage, keyword: string): Instruction | undefined {
  return [...stage.instructions].reverse().find((i) => i.keyword === keyword);
}

/** One .dockerignore rule: a cleaned pattern and whether it re-includes (`!`). */
interface IgnoreRule {
  readonly re: RegExp;
  readonly exclude: boolean;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split("\n")) {
    let p = rawLine.trim();
    if (p === "" || p.startsWith("#")) continue;
    const exclude = !p.startsWith("!");
    if (!exclude) p = p.slice(1).trim();
    p = p.replace(/^\/+/, "").replace(/\/+$/, "");
    rules.push({ re: globToRegExp(p), exclude });
  }
  return rules;
}

/** Whether `path` (relative to the context, "/" separated) is left out of the build context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  // A path is excluded when it or one of its parent directories matches (the last matching rule wins).
  const parts = path.split("/");
  let ignored = false;
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join("/");
    for (const r of rules) if (r.re.test(prefix)) ignored = r.exclude;
    if (ignored) return true;
  }
  return ignored;
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      // `**/` matches any number of directories, including none.
      if (glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
