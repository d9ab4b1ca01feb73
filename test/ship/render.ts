// Renders the kustomize manifests the way an operator does (`kubectl
// kustomize`, kustomize v5 inside kubectl 1.32), from a private copy of
// manifests/ so the test can add what an operator adds (the membership key
// file the example overlay's secretGenerator reads, and overlays of its own)
// without touching the working tree.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "../lib/exec.ts";
import { findBinary } from "../lib/prereq.ts";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const kubectlPath = findBinary("kubectl");

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export class ManifestCopy {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** A copy of manifests/ with a fresh membership key in the example overlay, as the overlay's header tells operators to make. */
  static create(): ManifestCopy {
    const dir = mkdtempSync(path.join(tmpdir(), `ironlb-manifests-${process.pid}-`));
    cpSync(path.join(ROOT, "manifests"), path.join(dir, "manifests"), { recursive: true });
    writeFileSync(path.join(dir, "manifests/overlays/example/memberlist.key"), randomBytes(32).toString("base64") + "\n");
    return new ManifestCopy(dir);
  }

  /** Writes files of an extra overlay at manifests/overlays/NAME; returns its path. */
  overlay(name: string, files: Readonly<Record<string, string>>): string {
    const d = path.join(this.dir, "manifests/overlays", name);
    mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(d, f), text);
    return d;
  }

  path(rel: string): string {
    return path.join(this.dir, "manifests", rel);
  }

  /** `kubectl kustomize` of manifests/REL: the YAML text and its objects. */
  async render(rel: string): Promise<{ readonly text: string; readonly objects: K8sObject[] }> {
    if (kubectlPath === undefined) throw new Error("kubectl not found on PATH");
    const r = await run(kubectlPath, ["kustomize", this.path(rel)], { env: { HOME: this.dir }, timeout: 30_000 });
    const objects = parseAllDocuments(r.stdout).map((d) => {
      if (d.errors.length > 0) throw new Error(`kustomize output does not parse: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject;
    });
    return { text: r.stdout, objects };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return o;
}
