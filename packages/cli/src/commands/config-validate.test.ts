// `ironlb config validate` through the built executable, as users run it:
// exit codes, stdout/stderr contents, stdin, JSON and --strict. Also keeps the
// sample files in config/ honest (the example validates cleanly, the sample
// Services ask for pools and addresses the example defines).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseConfigFile } from "@ironlb/core/config";
import { parseIp, prefixContains } from "@ironlb/core/ip";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const main = join(root, "packages/cli/dist/main.js");
const example = join(root, "config/example.yaml");
let dir = "";

function run(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, "config", "validate", ...args], { cwd: root, input: input ?? "", encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ironlb-config-validate-"));
  // `npm test` builds first; a bare `vitest run` may find no or stale output.
  const built = join(root, "packages/cli/dist/commands/config-validate.js");
  const sources = [join(root, "packages/cli/src/commands/config-validate.ts"), join(root, "packages/core/src/config/parse.ts")];
  if (!existsSync(built) || sources.some((s) => statSync(s).mtimeMs > statSync(built).mtimeMs)) {
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], { cwd: root, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc -b packages/cli failed:\n${tsc.stdout}${tsc.stderr}`);
  }
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const BROKEN = [
  "peers:",
  "- my-asn: 64512",
  "  peer-asn: 64513",
  "  peer-address: 10.99.0.1",
  "  hold-time: 2s",
  "address-pools:",
  "- name: lan",
  "  protocol: layer2",
  "  addresses:",
  "  - 198.51.100.16/28",
  "  - 198.51.100.0/33",
  "- name: lan",
  "  protocol: bgp",
  "  addresses: [203.0.113.0/24]",
  "  avoid-buggy-ips: true",
  "",
].join("\n");

describe("ironlb config validate", () => {
  it("summarises config/example.yaml and exits 0", () => {
    const r = run([example]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^.*config\/example\.yaml: valid \(ConfigMap ironlb-system\/config, data\.config from line \d+\)$/m);
    // Pools with exact sizes per family: a /64 is 2^64 addresses.
    expect(out).toMatch(/^lan\s+layer2\s+yes\s+48\s+256\s+198\.51\.100\.16-198\.51\.100\.63, 2001:db8:51::\/120$/m);
    expect(out).toMatch(/^edge\s+bgp\s+yes\s+254 of 256 \(avoid-buggy-ips\)\s+18446744073709551616\s+/m);
    expect(out).toMatch(/^edge #1\s+\/32 \/128\s+100\s+65535:65282 \(no-advertise\)\s+all$/m);
    expect(out).toMatch(/^edge #2\s+\/24 \/64\s+0\s+large:64512:100:1\s+tor-a$/m);
    expect(out).toMatch(/^tor-a\s+10\.99\.0\.1:179\s+64512\s+64513\s+eBGP\s+9s\s+3s\s+graceful-restart$/m);
    expect(out).toMatch(/^rr\s+10\.99\.0\.2:179\s+64512\s+64512\s+iBGP\s+30s\s+10s\s+-$/m);
    expect(out).toMatch(/^no-advertise\s+65535:65282$/m);
  });

  it("keeps config/example.yaml free of warnings (--strict passes)", () => {
    expect(run(["--strict", example]).status).toBe(0);
  });

  it("prints one line per problem, `path: message (line N)`, and exits 1", () => {
    const r = run([file("broken.yaml", BROKEN)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      'peers[0].hold-time: invalid hold time "2s": must be 0 or >=3s (line 5)',
      'address-pools[0].addresses[1]: invalid CIDR "198.51.100.0/33" in pool "lan": length 33 exceeds 32 (line 11)',
      'address-pools[1].name: duplicate definition of pool "lan" (line 12)',
    ]);
  });

  it("prints the same as JSON with --format json", () => {
    const bad = run(["--format", "json", file("broken.yaml", BROKEN)]);
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout) as { valid: boolean; errors: { code: string; path: string; line: number; message: string }[] };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.code, e.path, e.line])).toEqual([
      ["INVALID_HOLD_TIME", "peers[0].hold-time", 5],
      ["INVALID_CIDR", "address-pools[0].addresses[1]", 11],
      ["DUPLICATE_POOL", "address-pools[1].name", 12],
    ]);

    const good = run(["--format", "json", example]);
    expect(good.status).toBe(0);
    const summary = JSON.parse(good.stdout) as {
      valid: boolean;
      source: { kind: string; name: string };
      summary: { pools: { name: string; size: { ipv4: string; ipv6: string } }[]; peers: { name: string; holdTime: number }[] };
    };
    expect(summary.valid).toBe(true);
    expect(summary.source).toMatchObject({ kind: "configmap", name: "config" });
    expect(summary.summary.pools.map((p) => [p.name, p.size.ipv4, p.size.ipv6])).toEqual([
      ["lan", "48", "256"],
      ["payments", "16", "0"],
      ["edge", "256", "18446744073709551616"],
    ]);
    expect(summary.summary.peers.map((p) => [p.name, p.holdTime])).toEqual([
      ["tor-a", 9],
      ["rr", 30],
    ]);
  });

  it("reads stdin with -", () => {
    const r = run(["-"], "address-pools:\n- {name: a, protocol: layer2, addresses: [198.51.100.16/28]}\n");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^stdin: valid \(config YAML\)$/m);
  });

  it("finds the ConfigMap in a multi-document stream and reports lines of the stream", () => {
    const stream = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ironlb-system}\n---\n" + readFileSync(example, "utf8").replace("hold-time: 9s", "hold-time: 9");
    const r = run(["-"], stream);
    expect(r.status).toBe(1);
    const line = stream.split("\n").findIndex((l) => l.includes("hold-time: 9")) + 1;
    expect(r.stderr.trimEnd().split("\n")).toEqual([`peers[0].hold-time: invalid hold time "9": time: missing unit in duration "9" (line ${line})`]);
  });

  it("warns without failing, and fails on warnings with --strict", () => {
    const path = file("warn.yaml", "address-pools:\n- {name: a, protocol: layer2, addresses: [198.51.100.0/24]}\n");
    const lenient = run([path]);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/^warning: address-pools\[0\]\.addresses\[0\]: pool "a" will hand out 198\.51\.100\.0: .* \(line 2\)$/m);
    const strict = run(["--strict", path]);
    expect(strict.status).toBe(1);
    expect(strict.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(strict.stderr).toMatch(/^address-pools\[0\]\.addresses\[0\]: pool "a" will hand out/);
    const json = JSON.parse(run(["--strict", "--format", "json", path]).stdout) as { valid: boolean; warnings: { code: string }[] };
    expect(json.valid).toBe(false);
    expect(json.warnings.map((w) => w.code)).toEqual(["BUGGY_IPS_ASSIGNABLE"]);
  });

  it("exits 2 with one line when the file cannot be read", () => {
    const missing = run([join(dir, "nope.yaml")]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(`ironlb: cannot read ${join(dir, "nope.yaml")}: no such file or directory\n`);
    const directory = run([dir]);
    expect(directory.status).toBe(2);
    expect(directory.stderr).toBe(`ironlb: cannot read ${dir}: is a directory\n`);
  });

  it("rejects a bad --format in one line", () => {
    const r = run(["--format", "xml", example]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("says a manifest without the config is invalid", () => {
    const r = run([join(root, "config/services.yaml")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^the manifest has no ConfigMap with a data\.config key .* \(line 5\)$/m);
  });

  it("shows examples in --help", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("ironlb config validate config/example.yaml");
  });
});

describe("config/services.yaml", () => {
  const parsed = parseConfigFile(readFileSync(example, "utf8"));
  const pools = parsed.ok ? parsed.config.pools : [];
  const services = parseAllDocuments(readFileSync(join(root, "config/services.yaml"), "utf8"))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown> })
    .filter((o) => o.kind === "Service");

  it("holds LoadBalancer Services: one per pool, a dual-stack one, a pair sharing an IP", () => {
    expect(services.map((s) => s.metadata.name)).toEqual(["web", "api", "checkout", "dns-tcp", "dns-udp"]);
    expect(services.every((s) => s.spec?.["type"] === "LoadBalancer")).toBe(true);
    expect(services.find((s) => s.metadata.name === "api")?.spec?.["ipFamilyPolicy"]).toBe("RequireDualStack");
    const keys = services.map((s) => s.metadata.annotations?.["metallb.universe.tf/allow-shared-ip"]).filter((k) => k !== undefined);
    expect(keys).toEqual(["dns", "dns"]);
  });

  it("asks only for pools and addresses config/example.yaml defines", () => {
    expect(pools.map((p) => p.name)).toEqual(["lan", "payments", "edge"]);
    const byName = new Map(pools.map((p) => [p.name, p]));
    for (const s of services) {
      const pool = s.metadata.annotations?.["ironlb.io/address-pool"];
      if (pool !== undefined) expect(byName.has(pool)).toBe(true);
      const ip = s.metadata.annotations?.["metallb.universe.tf/loadBalancerIPs"];
      if (ip !== undefined) {
        const lan = byName.get("lan");
        expect(lan?.cidrs.some((c) => prefixContains(c, parseIp(ip)))).toBe(true);
      }
    }
    // The payments Service lands in "payments" through service-allocation.
    expect(byName.get("payments")?.serviceAllocation?.namespaces).toEqual(["payments"]);
    expect(services.find((s) => s.metadata.name === "checkout")?.metadata.namespace).toBe("payments");
  });
});
