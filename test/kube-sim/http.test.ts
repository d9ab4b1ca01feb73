// The wire protocol as seen by a plain HTTP client: discovery (legacy and
// aggregated), OpenAPI, Table output for lists and watches, pagination,
// Warning headers, dry runs, server-side apply, content negotiation errors,
// deletecollection, and the events.k8s.io view of events in a watch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { waitFor } from "../lib/wait-for.ts";

let sim: KubeSim;

beforeAll(async () => {
  sim = await createKubeSim();
});

afterAll(async () => {
  await sim.close();
});

async function req(method: string, path: string, init: { body?: unknown; type?: string; accept?: string } = {}): Promise<{ code: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...(init.accept ? { Accept: init.accept } : {}), ...(init.body !== undefined ? { "Content-Type": init.type ?? "application/json" } : {}) },
    ...(init.body !== undefined ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { code: res.status, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: res.headers };
}

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

describe("discovery", () => {
  it("serves /version, legacy and aggregated discovery", async () => {
    expect((await req("GET", "/version")).body).toMatchObject({ major: "1", minor: "32" });
    expect((await req("GET", "/api")).body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = (await req("GET", "/apis")).body as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(["apps", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "policy", "rbac.authorization.k8s.io"]);
    const v1 = (await req("GET", "/api/v1")).body as { resources: { name: string; shortNames?: string[]; verbs: string[] }[] };
    expect(v1.resources.find((r) => r.name === "services")).toMatchObject({ shortNames: ["svc"], verbs: expect.arrayContaining(["watch", "patch"]) as unknown });
    expect(v1.resources.map((r) => r.name)).toContain("services/status");
    expect((await req("GET", "/apis/coordination.k8s.io")).body).toMatchObject({ kind: "APIGroup", preferredVersion: { groupVersion: "coordination.k8s.io/v1" } });
    const agg = await req("GET", "/apis", { accept: AGGREGATED });
    expect(agg.headers.get("content-type")).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    expect(agg.body).toMatchObject({ kind: "APIGroupDiscoveryList", items: [{ metadata: { name: "apps" } }, { metadata: { name: "coordination.k8s.io" } }, {}, {}, {}, {}] });
    expect((await req("GET", "/apis/batch/v1")).code).toBe(404);
  });

  it("serves OpenAPI v3 and no v2", async () => {
    const index = (await req("GET", "/openapi/v3")).body as { paths: Record<string, { serverRelativeURL: string }> };
    const doc = await req("GET", index.paths["apis/coordination.k8s.io/v1"]?.serverRelativeURL ?? "");
    expect(doc.body).toMatchObject({ openapi: "3.0.0", components: { schemas: { "io.k8s.api.coordination.v1.Lease": { type: "object" } } } });
    expect((await req("GET", "/openapi/v2")).code).toBe(404);
  });
});

describe("resources over HTTP", () => {
  it("lists as a Table, pages with limit/continue", async () => {
    for (const name of ["a", "b", "c"]) expect((await req("POST", "/api/v1/namespaces/default/configmaps", { body: { metadata: { name }, data: { k: name } } })).code).toBe(201);
    const page1 = (await req("GET", "/api/v1/namespaces/default/configmaps?limit=2")).body as { items: { metadata: { name: string } }[]; metadata: { continue: string; remainingItemCount: number } };
    expect(page1.items.map((i) => i.metadata.name)).toEqual(["a", "b"]);
    expect(page1.metadata.remainingItemCount).toBe(1);
    const page2 = (await req("GET", `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`)).body as typeof page1;
    expect(page2.items.map((i) => i.metadata.name)).toEqual(["c"]);
    const table = (await req("GET", "/api/v1/namespaces/default/configmaps", { accept: TABLE })).body as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(table.rows.map((r) => r.cells.slice(0, 2))).toEqual([["a", 1], ["b", 1], ["c", 1]]);
    expect(table.rows[0]?.object.kind).toBe("PartialObjectMetadata");
    const one = (await req("GET", "/api/v1/namespaces/default/configmaps/a?includeObject=Object", { accept: TABLE })).body as typeof table;
    expect(one.rows[0]?.object.kind).toBe("ConfigMap");
  });

  it("warns about unknown fields, honours dryRun=All, answers 415 and 406", async () => {
    const warned = await req("POST", "/api/v1/namespaces/default/configmaps", { body: { metadata: { name: "w" }, extra: 1 } });
    expect(warned.code).toBe(201);
    expect(warned.headers.get("warning")).toBe('299 - "unknown field \\"extra\\""');
    const dry = await req("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", { body: { metadata: { name: "dry" } } });
    expect(dry.code).toBe(201);
    expect((await req("GET", "/api/v1/namespaces/default/configmaps/dry")).code).toBe(404);
    expect((await req("PATCH", "/api/v1/namespaces/default/configmaps/w", { body: { data: {} }, type: "application/json" })).body).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
    expect((await req("GET", "/api/v1/namespaces/default/configmaps/w", { accept: "application/vnd.kubernetes.protobuf" })).body).toMatchObject({ code: 406 });
    expect((await req("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3Dy")).body).toMatchObject({ code: 400, reason: "BadRequest" });
    expect((await req("GET", "/api/v1/namespaces/default/widgets")).body).toMatchObject({ code: 404, reason: "NotFound" });
  });

  it("server-side apply creates, then merges; it needs a field manager", async () => {
    const path = "/api/v1/namespaces/default/configmaps/applied";
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data: { a: "1" } };
    expect((await req("PATCH", path, { body, type: "application/apply-patch+yaml" })).body).toMatchObject({ code: 422 });
    expect((await req("PATCH", `${path}?fieldManager=test`, { body, type: "application/apply-patch+yaml" })).code).toBe(201);
    const merged = await req("PATCH", `${path}?fieldManager=test`, { body: { ...body, data: { b: "2" } }, type: "application/apply-patch+yaml" });
    expect(merged.body["data"]).toEqual({ a: "1", b: "2" });
  });

  it("deletecollection deletes what the selector picks", async () => {
    for (const [name, team] of [["x1", "x"], ["x2", "x"], ["y1", "y"]]) {
      await req("POST", "/api/v1/namespaces/default/secrets", { body: { metadata: { name, labels: { team } } } });
    }
    const r = await req("DELETE", "/api/v1/namespaces/default/secrets?labelSelector=team%3Dx");
    expect((r.body["items"] as unknown[]).length).toBe(2);
    expect(sim.store.list("secrets", { namespace: "default" }).map((s) => s.metadata.name)).toEqual(["y1"]);
  });

  it("watches in Table form and through the events.k8s.io view", async () => {
    const ctl = new AbortController();
    const lines: string[] = [];
    const stream = async (path: string, accept: string): Promise<void> => {
      const res = await fetch(`${sim.url}${path}`, { headers: { Accept: accept }, signal: ctl.signal });
      const reader = res.body?.getReader();
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
        if (done) return;
        lines.push(...dec.decode(value).split("\n").filter((l) => l !== ""));
      }
    };
    void stream("/api/v1/namespaces/default/services?watch=true", TABLE).catch(() => {});
    void stream("/apis/events.k8s.io/v1/namespaces/default/events?watch=true", "application/json").catch(() => {});
    await waitFor(() => lines.length >= 1, { what: "initial ADDED of the kubernetes Service as a Table" });
    sim.store.create("events", { metadata: { name: "ev1" }, involvedObject: { kind: "Service", name: "kubernetes", namespace: "default" }, reason: "Test", message: "hello", type: "Normal" });
    await waitFor(() => lines.length >= 2, { what: "the event through the events.k8s.io watch" });
    ctl.abort();
    const events = lines.map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
    const table = events.find((e) => e.object["kind"] === "Table") as { type: string; object: { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] } };
    expect(table.type).toBe("ADDED");
    expect(table.object.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    expect(table.object.rows[0]?.cells.slice(0, 5)).toEqual(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"]);
    const ev = events.find((e) => e.object["kind"] === "Event");
    expect(ev).toMatchObject({ type: "ADDED", object: { apiVersion: "events.k8s.io/v1", note: "hello", regarding: { name: "kubernetes" } } });
  });
});
