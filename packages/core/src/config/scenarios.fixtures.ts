// Test support for the config scenario tables: a dedent helper so that line 1
// of a test's YAML is its first written line, and a runner that checks either
// the parsed Config (partially) or the exact list of errors by code, path and
// line. Not part of the package build (tsconfig excludes *.fixtures.ts).
import { describe, expect, it } from "vitest";
import type { ConfigIssueCode } from "./issues.ts";
import { parseConfig, type ParseResult } from "./parse.ts";
import type { Config } from "./types.ts";

export interface IssueWant {
  readonly code: ConfigIssueCode;
  readonly path: string;
  readonly line: number;
}

export interface Scenario {
  readonly desc: string;
  readonly yaml: string;
  /** Accept: a partial Config (toMatchObject) or a function that asserts on it. */
  readonly want?: object | ((config: Config) => void);
  /** Reject: every error, in file order. */
  readonly wantErrors?: readonly IssueWant[];
  /** When given, the exact warnings (in file order); otherwise warnings are not checked. */
  readonly wantWarnings?: readonly IssueWant[];
}

/** Strips the common indentation and one leading newline: `y\`\n  a: 1\n\`` is "a: 1\n". */
export function y(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw.replace(/^\n/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join("\n").replace(/[ \t]+$/, "");
}

export function issues(result: ParseResult, which: "errors" | "warnings"): IssueWant[] {
  const list = which === "errors" ? (result.ok ? [] : result.errors) : result.warnings;
  return list.map(({ code, path, line }) => ({ code, path, line }));
}

export function runScenarios(name: string, table: readonly Scenario[]): void {
  describe(name, () => {
    for (const s of table) {
      it(s.desc, () => {
        const result = parseConfig(s.yaml);
        if (s.wantErrors !== undefined) {
          expect(issues(result, "errors")).toEqual(s.wantErrors);
          expect(result.ok).toBe(false);
        } else {
          expect(issues(result, "errors")).toEqual([]);
          if (!result.ok) throw new Error("unreachable");
          if (typeof s.want === "function") s.want(result.config);
          else if (s.want !== undefined) expect(result.config).toMatchObject(s.want);
        }
        if (s.wantWarnings !== undefined) expect(issues(result, "warnings")).toEqual(s.wantWarnings);
      });
    }
  });
}

/** The config of an accepted scenario; fails the test with the errors otherwise. */
export function mustParse(yaml: string): Config {
  const result = parseConfig(yaml);
  if (!result.ok) throw new Error(`config rejected: ${result.errors.map((e) => `${e.path}: ${e.message} (line ${e.line})`).join("; ")}`);
  return result.config;
}
