import { describe, expect, it } from "vitest";
import { buildOpenApiSite, openApiDocument } from "./openapi.ts";

type Json = Record<string, unknown>;

function refs(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.add(x.replace("#/components/schemas/", ""));
      else refs(x, out);
    }
  }
  return out;
}

describe("OpenAPI v3", () => {
  it("indexes one document per group version with a content hash", () => {
    const site = buildOpenApiSite();
    const index = JSON.parse(site.index) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual([
      "api/v1",
      "apis/apps/v1",
      "apis/coordination.k8s.io/v1",
      "apis/discovery.k8s.io/v1",
      "apis/events.k8s.io/v1",
      "apis/policy/v1",
      "apis/rbac.authorization.k8s.io/v1",
    ]);
    for (const [rel, entry] of Object.entries(index.paths)) {
      expect(entry.serverRelativeURL).toBe(`/openapi/v3/${rel}?hash=${site.documents.get(rel)?.hash}`);
    }
  });

  it.each([
    ["", "v1"],
    ["apps", "v1"],
    ["coordination.k8s.io", "v1"],
    ["discovery.k8s.io", "v1"],
    ["events.k8s.io", "v1"],
    ["policy", "v1"],
    ["rbac.authorization.k8s.io", "v1"],
  ])("%s/%s: every reference resolves, and PATCH declares fieldValidation so kubectl leaves validation to the server", (group, version) => {
    const doc = openApiDocument(group, version) as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
    for (const r of refs(doc)) expect(doc.components.schemas[r], r).toBeDefined();
    const patches = Object.values(doc.paths).flatMap((p) => (p["patch"] ? [p["patch"]] : []));
    expect(patches.length).toBeGreaterThan(0);
    for (const op of patches) {
      expect((op["parameters"] as { name: string }[]).map((p) => p.name)).toContain("fieldValidation");
      expect(Object.keys((op["requestBody"] as { content: Json }).content)).toContain("application/strategic-merge-patch+json");
      expect(op["x-kubernetes-group-version-kind"]).toMatchObject({ group, version });
    }
  });

  it("carries the strategic merge keys kubectl computes apply patches from", () => {
    const doc = openApiDocument("", "v1") as { components: { schemas: Record<string, { properties?: Record<string, Json>; "x-kubernetes-group-version-kind"?: unknown }> } };
    const spec = doc.components.schemas["io.k8s.api.core.v1.ServiceSpec"];
    expect(spec?.properties?.["ports"]).toMatchObject({ "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-map-keys": ["port", "protocol"] });
    expect(doc.components.schemas["io.k8s.api.core.v1.Service"]?.["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Service" }]);
    expect(openApiDocument("batch", "v1")).toBeUndefined();
  });
});
