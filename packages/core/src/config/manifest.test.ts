import { describe, expect, it } from "vitest";
import { formatIssue } from "./issues.ts";
import { extractConfig, parseConfigFile } from "./manifest.ts";
import { y } from "./scenarios.fixtures.ts";

const configMap = y`
  apiVersion: v1
  kind: ConfigMap
  metadata:
    namespace: ironlb-system
    name: config
  data:
    config: |
      peers:
      - my-asn: 64500
        peer-asn: 64501
        peer-address: 10.99.0.1
        hold-time: 1s
      address-pools:
      - name: lan
        protocol: layer2
        addresses: [198.51.100.16/28]
`;

const errorLines = (text: string) => {
  const r = parseConfigFile(text);
  return r.ok ? [] : r.errors.map((e) => ({ code: e.code, path: e.path, line: e.line, column: e.column }));
};

describe("a ConfigMap manifest", () => {
  it("is found and parsed", () => {
    const r = parseConfigFile(configMap.replace("hold-time: 1s", "hold-time: 9s"));
    expect(r.ok).toBe(true);
    expect(r.source).toEqual({ kind: "configmap", name: "config", namespace: "ironlb-system", document: 1, line: 8 });
    if (r.ok) expect(r.config.pools.map((p) => p.name)).toEqual(["lan"]);
  });

  it("reports problems at their line and column in the manifest, not in the embedded text", () => {
    expect(errorLines(configMap)).toEqual([{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 12, column: 18 }]);
  });

  it("keeps the line mapping with blank lines and comments inside the block", () => {
    const text = configMap.replace("    address-pools:", "\n    # pools\n    address-pools:").replace("[198.51.100.16/28]", "[198.51.100.16/33]");
    expect(text).toContain("\n\n    # pools\n");
    expect(errorLines(text)).toEqual([
      { code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 12, column: 18 },
      { code: "INVALID_CIDR", path: "address-pools[0].addresses[0]", line: 18, column: 19 },
    ]);
  });

  it("with a chomping indicator (|-) maps the same", () => {
    expect(errorLines(configMap.replace("config: |", "config: |-"))).toEqual([{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 12, column: 18 }]);
  });

  it("in JSON, as kubectl prints it, reports at the string", () => {
    const json = JSON.stringify(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "config", namespace: "ironlb-system" },
        data: { config: "peers:\n- my-asn: 64500\n  peer-asn: 64501\n  peer-address: 10.99.0.1\n  hold-time: 1s\n" },
      },
      null,
      2,
    );
    const r = parseConfigFile(json);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.line])).toEqual([["INVALID_HOLD_TIME", "peers[0].hold-time", 9]]);
    expect(r.source).toMatchObject({ kind: "configmap", name: "config" });
  });

  it("inside a multi-document file (kustomize output) is found among other objects", () => {
    const text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ironlb-system}\n---\n" + configMap + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: controller}\n";
    expect(errorLines(text)).toEqual([{ code: "INVALID_HOLD_TIME", path: "peers[0].hold-time", line: 16, column: 18 }]);
    expect(parseConfigFile(text).source).toMatchObject({ document: 2 });
  });

  it("inside a List (kubectl get -o yaml) is found", () => {
    const text = "apiVersion: v1\nkind: List\nitems:\n" + configMap.replace(/^/gm, "  ").replace(/^ {2}apiVersion/, "- apiVersion");
    const r = parseConfigFile(text);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.line])).toEqual([["INVALID_HOLD_TIME", 15]]);
  });

  it("named otherwise but holding data.config is used (Helm names it after the release)", () => {
    const r = parseConfigFile(configMap.replace("name: config", "name: metallb").replace("hold-time: 1s", "hold-time: 9s"));
    expect(r.ok).toBe(true);
    expect(r.source).toMatchObject({ name: "metallb" });
  });

  it("two ConfigMaps holding data.config: the one named config wins", () => {
    const other = configMap.replace("name: config", "name: old-config");
    const r = parseConfigFile(other + "---\n" + configMap.replace("hold-time: 1s", "hold-time: 9s"));
    expect(r.ok).toBe(true);
    expect(r.source).toMatchObject({ name: "config", document: 2 });
  });

  it("two ConfigMaps named config in different namespaces are ambiguous", () => {
    const r = parseConfigFile(configMap + "---\n" + configMap.replace("ironlb-system", "metallb-system"));
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.line])).toEqual([["AMBIGUOUS_CONFIGMAP", 18]]);
    expect(r.ok ? "" : formatIssue(r.errors[0] as never)).toContain("ironlb-system/config, metallb-system/config");
  });

  it("two ConfigMaps named config: a namespace picks one", () => {
    const text = configMap + "---\n" + configMap.replace("ironlb-system", "metallb-system").replace("hold-time: 1s", "hold-time: 9s");
    const r = parseConfigFile(text, { namespace: "metallb-system" });
    expect(r.ok).toBe(true);
    expect(r.source).toMatchObject({ namespace: "metallb-system" });
  });

  it("a ConfigMap named config without data.config", () => {
    const r = parseConfigFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\ndata:\n  other: x\n");
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.line])).toEqual([["MISSING_FIELD", "data.config", 1]]);
  });

  it("a manifest without any ConfigMap", () => {
    const r = parseConfigFile("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: controller}\n");
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.line])).toEqual([["NO_CONFIGMAP", 1]]);
  });

  it("data.config that is not a string", () => {
    const r = parseConfigFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\ndata:\n  config:\n    peers: []\n");
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.line])).toEqual([["INVALID_TYPE", "data.config", 6]]);
  });
});

describe("a raw config", () => {
  it("is recognised as such", () => {
    const r = extractConfig("peers: []\n");
    expect(r).toEqual({ ok: true, source: { kind: "raw" }, text: "peers: []\n", position: undefined });
  });

  it("with a YAML error is handed to the parser, which reports it", () => {
    const r = parseConfigFile("peers: [\n");
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(["YAML_SYNTAX"]);
    expect(r.source).toEqual({ kind: "raw" });
  });
});
