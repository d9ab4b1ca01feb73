import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "./object.ts";
import { errorOf, testRegistry } from "./registry.fixtures.ts";
import type { ChangeEvent } from "./store.ts";

const cm = (name: string, data: Record<string, string> = {}, extra: JsonObject = {}): object => ({ metadata: { name, ...extra }, data });

function events(t: ReturnType<typeof testRegistry>, storage: string): string[] {
  const out: string[] = [];
  t.store.collection(storage).watchers.add({ deliver: (e: ChangeEvent) => out.push(`${e.type} ${e.cur.obj.metadata.name} ${e.rv}`) });
  return out;
}

describe("registry: metadata and resourceVersion", () => {
  it("assigns uid, creationTimestamp, one monotonic resourceVersion across kinds, and generateName suffixes", () => {
    const t = testRegistry();
    const a = t.create("configmaps", cm("a"));
    const s = t.create("services", { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } });
    const g = t.create("configmaps", { metadata: { generateName: "gen-" } });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toBe("2025-01-01T00:00:00Z");
    expect([a, s, g].map((o) => Number(o.metadata.resourceVersion))).toEqual([2, 3, 4]); // rv 1 is the namespace
    expect(g.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(a.metadata.generation).toBeUndefined();
    expect(s.metadata.generation).toBe(1);
  });

  it("ignores client-set system fields on create and keeps them on update", () => {
    const t = testRegistry();
    const a = t.create("configmaps", cm("a", {}, { uid: "x", resourceVersion: "99", creationTimestamp: "2000-01-01T00:00:00Z", deletionTimestamp: "2000-01-01T00:00:00Z" }));
    expect(a.metadata.uid).not.toBe("x");
    expect(a.metadata.resourceVersion).toBe("2");
    expect(a.metadata.deletionTimestamp).toBeUndefined();
    t.advance(5_000);
    const u = t.reg.update(t.rt("configmaps"), "default", "a", { metadata: { name: "a", creationTimestamp: "2001-01-01T00:00:00Z" }, data: { k: "v" } }).obj;
    expect(u.metadata.creationTimestamp).toBe(a.metadata.creationTimestamp);
    expect(u.metadata.uid).toBe(a.metadata.uid);
  });

  it("bumps generation on spec changes only", () => {
    const t = testRegistry();
    t.create("services", { metadata: { name: "s" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } });
    const services = t.rt("services");
    const labels = t.reg.patch(services, "default", "s", "merge", { metadata: { labels: { a: "b" } } }).obj;
    expect(labels.metadata.generation).toBe(1);
    const status = t.reg.patch(services, "default", "s", "merge", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } }, { subresource: "status" }).obj;
    expect(status.metadata.generation).toBe(1);
    const specChange = t.reg.patch(services, "default", "s", "merge", { spec: { externalTrafficPolicy: "Local" } }).obj;
    expect(specChange.metadata.generation).toBe(2);
  });

  it("a write that changes nothing keeps the resourceVersion and sends no event", () => {
    const t = testRegistry();
    const a = t.create("configmaps", cm("a", { k: "v" }));
    const seen = events(t, "configmaps");
    const same = t.reg.patch(t.rt("configmaps"), "default", "a", "merge", { data: { k: "v" } }).obj;
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(seen).toEqual([]);
  });

  it("409 Conflict on a stale resourceVersion or a different uid", () => {
    const t = testRegistry();
    const a = t.create("configmaps", cm("a"));
    const cms = t.rt("configmaps");
    t.reg.patch(cms, "default", "a", "merge", { data: { k: "1" } });
    expect(errorOf(() => t.reg.update(cms, "default", "a", { ...a, data: { k: "2" } }))).toMatchObject({ code: "Conflict", httpStatus: 409 });
    expect(errorOf(() => t.reg.patch(cms, "default", "a", "merge", { metadata: { resourceVersion: "1" } })).code).toBe("Conflict");
    expect(errorOf(() => t.reg.patch(cms, "default", "a", "merge", { metadata: { uid: "other" } })).code).toBe("Conflict");
    // Without a resourceVersion an update is unconditional.
    const { resourceVersion: _rv, ...meta } = a.metadata;
    expect(t.reg.update(cms, "default", "a", { metadata: meta, data: { k: "3" } }).obj["data"]).toEqual({ k: "3" });
  });

  it("404 NotFound, 409 AlreadyExists, 400 for a name or namespace mismatch", () => {
    const t = testRegistry();
    const cms = t.rt("configmaps");
    expect(errorOf(() => t.reg.get(cms, "default", "nope"))).toMatchObject({ code: "NotFound", httpStatus: 404, message: 'configmaps "nope" not found' });
    t.create("configmaps", cm("a"));
    expect(errorOf(() => t.create("configmaps", cm("a")))).toMatchObject({ code: "AlreadyExists", httpStatus: 409 });
    expect(errorOf(() => t.reg.update(cms, "default", "a", cm("b"))).code).toBe("BadRequest");
    expect(errorOf(() => t.reg.create(cms, "default", { metadata: { name: "x", namespace: "other" } })).code).toBe("BadRequest");
    expect(errorOf(() => t.reg.create(cms, "missing", { metadata: { name: "x" } }))).toMatchObject({ code: "NotFound", message: 'namespaces "missing" not found' });
    expect(errorOf(() => t.reg.create(cms, "default", { kind: "Secret", metadata: { name: "x" } })).code).toBe("BadRequest");
    expect(errorOf(() => t.reg.create(cms, "default", { metadata: {} })).fields).toEqual(["metadata.name"]);
  });

  it("field validation: Strict rejects unknown fields, Warn reports them, both drop them", () => {
    const t = testRegistry();
    const cms = t.rt("configmaps");
    expect(errorOf(() => t.reg.create(cms, "default", { metadata: { name: "a" }, bogus: 1 }, { fieldValidation: "Strict" })).message).toContain(
      'strict decoding error: unknown field "bogus"',
    );
    const warned = t.reg.create(cms, "default", { metadata: { name: "a" }, bogus: 1 });
    expect(warned.warnings).toEqual(['unknown field "bogus"']);
    expect(warned.obj["bogus"]).toBeUndefined();
    expect(t.reg.create(cms, "default", { metadata: { name: "b" }, bogus: 1 }, { fieldValidation: "Ignore" }).warnings).toEqual([]);
  });

  it("dry runs validate and persist nothing", () => {
    const t = testRegistry();
    const seen = events(t, "configmaps");
    const r = t.reg.create(t.rt("configmaps"), "default", cm("a"), { dryRun: true });
    expect(r.obj.metadata.name).toBe("a");
    expect(t.store.get("configmaps", "default/a")).toBeUndefined();
    expect(seen).toEqual([]);
    expect(errorOf(() => t.reg.create(t.rt("configmaps"), "default", cm("A B"), { dryRun: true })).code).toBe("Invalid");
  });
});

describe("registry: the status subresource rule", () => {
  it("status sent to the main resource is ignored; spec sent to /status is ignored, labels and annotations are kept", () => {
    const t = testRegistry();
    t.create("services", { metadata: { name: "s" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } });
    const services = t.rt("services");
    const main = t.reg.patch(services, "default", "s", "merge", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } });
    expect(main.obj["status"]).toEqual({ loadBalancer: {} });
    const status = t.reg.patch(services, "default", "s", "merge", { spec: { type: "ClusterIP" }, metadata: { labels: { x: "y" } }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } }, { subresource: "status" });
    expect((status.obj["spec"] as JsonObject)["type"]).toBe("LoadBalancer");
    // Metadata rides along on /status, as on the API server (MetalLB writes its pool annotation so).
    expect(status.obj.metadata.labels).toEqual({ x: "y" });
    expect((status.obj["status"] as JsonObject)["loadBalancer"]).toEqual({ ingress: [{ ip: "192.0.2.1", ipMode: "VIP" }] });
    // PUT to /status with a stored object whose spec was edited: only status lands.
    const body = JSON.parse(JSON.stringify(status.obj)) as KubeObject;
    (body["spec"] as JsonObject)["type"] = "NodePort";
    (body["status"] as JsonObject)["loadBalancer"] = {};
    const put = t.reg.update(services, "default", "s", body, { subresource: "status" }).obj;
    expect((put["spec"] as JsonObject)["type"]).toBe("LoadBalancer");
    expect(put["status"]).toEqual({ loadBalancer: {} });
  });

  it("Nodes keep status given on create; Services and Pods do not", () => {
    const t = testRegistry();
    const node = t.create("nodes", { metadata: { name: "n" }, status: { conditions: [{ type: "Ready", status: "True" }] } });
    expect(node["status"]).toEqual({ conditions: [{ type: "Ready", status: "True" }] });
    const pod = t.create("pods", { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "Running" } });
    expect((pod["status"] as JsonObject)["phase"]).toBe("Pending");
  });
});

describe("registry: deletion", () => {
  it("with finalizers sets deletionTimestamp and waits; removing the last finalizer deletes", () => {
    const t = testRegistry();
    t.create("configmaps", cm("a", {}, { finalizers: ["ironlb.io/cleanup"] }));
    const seen = events(t, "configmaps");
    const cms = t.rt("configmaps");
    const pending = t.reg.delete(cms, "default", "a");
    expect(pending.deleted).toBe(false);
    expect(pending.obj.metadata.deletionTimestamp).toBe("2025-01-01T00:00:00Z");
    expect(t.reg.delete(cms, "default", "a").deleted).toBe(false); // idempotent, no new event
    expect(errorOf(() => t.reg.patch(cms, "default", "a", "merge", { metadata: { finalizers: ["ironlb.io/cleanup", "x.io/y"] } })).fields).toEqual(["metadata.finalizers"]);
    const done = t.reg.patch(cms, "default", "a", "json", [{ op: "remove", path: "/metadata/finalizers" }]);
    expect(done.obj.metadata.name).toBe("a");
    expect(t.store.get("configmaps", "default/a")).toBeUndefined();
    expect(seen.map((s) => s.split(" ")[0])).toEqual(["MODIFIED", "DELETED"]);
  });

  it("preconditions on delete are checked", () => {
    const t = testRegistry();
    const a = t.create("configmaps", cm("a"));
    expect(errorOf(() => t.reg.delete(t.rt("configmaps"), "default", "a", { preconditions: { resourceVersion: "1" } })).code).toBe("Conflict");
    expect(t.reg.delete(t.rt("configmaps"), "default", "a", { preconditions: { uid: a.metadata.uid as string } }).deleted).toBe(true);
  });

  it("deleting a namespace with plain contents removes them and the namespace at once", () => {
    const t = testRegistry();
    t.create("namespaces", { metadata: { name: "team" } });
    t.create("configmaps", cm("a", {}, { namespace: "team" }));
    t.create("services", { metadata: { name: "s", namespace: "team" }, spec: { ports: [{ port: 80 }] } });
    const seen = events(t, "namespaces");
    const r = t.reg.delete(t.rt("namespaces"), "", "team");
    expect(r.deleted).toBe(true);
    expect(t.store.get("namespaces", "team")).toBeUndefined();
    expect(t.store.get("services", "team/s")).toBeUndefined();
    expect(seen.map((s) => s.split(" ")[0])).toEqual(["MODIFIED", "DELETED"]);
  });

  it("deleting a namespace deletes what it holds, then itself; creating in it meanwhile is forbidden", () => {
    const t = testRegistry();
    t.create("namespaces", { metadata: { name: "team" } });
    t.create("configmaps", cm("a", {}, { namespace: "team" }));
    t.create("configmaps", cm("held", {}, { namespace: "team", finalizers: ["x.io/y"] }));
    const r = t.reg.delete(t.rt("namespaces"), "", "team");
    expect(r.deleted).toBe(false);
    expect((r.obj["status"] as JsonObject)["phase"]).toBe("Terminating");
    expect(t.store.get("configmaps", "team/a")).toBeUndefined();
    expect(errorOf(() => t.create("configmaps", cm("new", {}, { namespace: "team" }))).code).toBe("Forbidden");
    t.reg.patch(t.rt("configmaps"), "team", "held", "merge", { metadata: { finalizers: null } });
    expect(t.store.get("namespaces", "team")).toBeUndefined();
  });
});

describe("registry: other kinds", () => {
  it("namespaces get the kubernetes.io/metadata.name label and phase Active", () => {
    const t = testRegistry();
    const ns = t.create("namespaces", { metadata: { name: "team", labels: { a: "b" } } });
    expect(ns.metadata.labels).toEqual({ a: "b", "kubernetes.io/metadata.name": "team" });
    expect(ns["status"]).toEqual({ phase: "Active" });
    expect(ns["spec"]).toEqual({ finalizers: ["kubernetes"] });
  });

  it("secrets fold stringData into data; immutable ConfigMaps refuse changes", () => {
    const t = testRegistry();
    const s = t.create("secrets", { metadata: { name: "bgp" }, stringData: { password: "s3cret" } });
    expect(s["data"]).toEqual({ password: Buffer.from("s3cret").toString("base64") });
    expect(s["stringData"]).toBeUndefined();
    expect(s["type"]).toBe("Opaque");
    t.create("configmaps", { metadata: { name: "frozen" }, data: { a: "1" }, immutable: true });
    expect(errorOf(() => t.reg.patch(t.rt("configmaps"), "default", "frozen", "merge", { data: { a: "2" } })).fields).toEqual(["data"]);
    expect(errorOf(() => t.create("configmaps", { metadata: { name: "bad" }, data: { "a b": "1" } })).fields).toEqual(["data[a b]"]);
  });

  it("pods: defaults, and a spec that may not change", () => {
    const t = testRegistry();
    const p = t.create("pods", { metadata: { name: "p" }, spec: { nodeName: "n1", containers: [{ name: "c", image: "ironlb/speaker:v1" }] } });
    expect(p["spec"]).toMatchObject({ restartPolicy: "Always", containers: [{ name: "c", imagePullPolicy: "IfNotPresent" }] });
    expect(errorOf(() => t.reg.patch(t.rt("pods"), "default", "p", "merge", { spec: { nodeName: "n2" } })).fields).toEqual(["spec"]);
    const img = t.reg.patch(t.rt("pods"), "default", "p", "strategic", { spec: { containers: [{ name: "c", image: "ironlb/speaker:v2" }] } }).obj;
    expect(((img["spec"] as JsonObject)["containers"] as JsonObject[])[0]?.["image"]).toBe("ironlb/speaker:v2");
  });

  it("endpointslices: addresses match the addressType, which is immutable", () => {
    const t = testRegistry();
    const es = { metadata: { name: "web-abc", labels: { "kubernetes.io/service-name": "web" } }, addressType: "IPv4", endpoints: [{ addresses: ["10.1.0.5"], conditions: { ready: true }, nodeName: "n1" }], ports: [{ port: 8080 }] };
    const created = t.create("endpointslices", es);
    expect((created["ports"] as JsonObject[])[0]).toEqual({ port: 8080, protocol: "TCP" });
    expect(errorOf(() => t.create("endpointslices", { ...es, metadata: { name: "x" }, endpoints: [{ addresses: ["2001:db8::1"] }] })).fields).toEqual(["endpoints[0].addresses[0]"]);
    expect(errorOf(() => t.reg.patch(t.rt("endpointslices"), "default", "web-abc", "merge", { addressType: "IPv6", endpoints: [{ addresses: ["2001:db8::1"] }] })).fields).toEqual(["addressType"]);
  });

  it("leases: leaseDurationSeconds must be positive", () => {
    const t = testRegistry();
    expect(errorOf(() => t.create("leases", { metadata: { name: "l" }, spec: { leaseDurationSeconds: 0 } })).fields).toEqual(["spec.leaseDurationSeconds"]);
  });

  it("events.k8s.io/v1 and core/v1 are views of one storage", () => {
    const t = testRegistry();
    const created = t.reg.create(t.rt("events.events.k8s.io"), "default", {
      metadata: { name: "e1" },
      eventTime: "2025-01-01T00:00:00.000001Z",
      reportingController: "ironlb.io/controller",
      reportingInstance: "c-0",
      action: "Allocate",
      reason: "IPAllocated",
      note: "hello",
      type: "Normal",
      regarding: { kind: "Service", name: "web", namespace: "default" },
    }).obj;
    expect(created).toMatchObject({ apiVersion: "events.k8s.io/v1", note: "hello", regarding: { name: "web" } });
    const core = t.get("events", "default", "e1");
    expect(core).toMatchObject({ apiVersion: "v1", message: "hello", involvedObject: { name: "web" }, reportingComponent: "ironlb.io/controller" });
    expect(core["note"]).toBeUndefined();
  });
});

describe("registry: watch history", () => {
  it("a collection nobody touched still serves watches from any earlier resourceVersion", () => {
    const t = testRegistry();
    for (let i = 0; i < 5; i++) t.create("configmaps", cm(`c${i}`));
    expect(t.store.collection("leases").history.since(1)).toEqual([]);
  });
});
