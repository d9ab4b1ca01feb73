// Every kind of injected fault, seen through the real client library:
// dropped watches (clean end and reset), 410 on the next watch, the next N
// matching requests failing with 409, 429 (with Retry-After) or 500, added
// latency; and the request log that counts what clients did.
import * as k8s from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { waitFor } from "../lib/wait-for.ts";

let sim: KubeSim;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeEach(async () => {
  sim = await createKubeSim();
  kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  core = kc.makeApiClient(k8s.CoreV1Api);
});

afterEach(async () => {
  await sim.close();
});

async function rejection(p: Promise<unknown>): Promise<k8s.ApiException<string>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof k8s.ApiException) return err as k8s.ApiException<string>;
    throw err;
  }
  throw new Error("expected the request to fail");
}

function reasonOf(err: k8s.ApiException<string>): string {
  return (JSON.parse(err.body) as { reason: string }).reason;
}

describe("fault injection", () => {
  it("fails the next N matching requests with 409, then lets them through", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm" } } });
    sim.faults.failNext(2, { verb: "patch", resource: "configmaps", name: "cm" }, { code: 409 });
    const patch = (): Promise<unknown> =>
      core.patchNamespacedConfigMap({ namespace: "default", name: "cm", body: { data: { k: "v" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    // A read does not match and does not use up the fault.
    await core.readNamespacedConfigMap({ namespace: "default", name: "cm" });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(patch());
      expect(err.code).toBe(409);
      expect(reasonOf(err)).toBe("Conflict");
    }
    await patch();
    expect(sim.store.get("configmaps", "default", "cm")?.["data"]).toEqual({ k: "v" });
  });

  it("429 carries Retry-After", async () => {
    sim.faults.failNext(1, { verb: "list", resource: "services" }, { code: 429, retryAfterSeconds: 7 });
    const err = await rejection(core.listNamespacedService({ namespace: "default" }));
    expect(err.code).toBe(429);
    expect(reasonOf(err)).toBe("TooManyRequests");
    expect(err.headers["retry-after"]).toBe("7");
    expect((await core.listNamespacedService({ namespace: "default" })).items.map((s) => s.metadata?.name)).toEqual(["kubernetes"]);
  });

  it("500 on a status write; the object is unchanged", async () => {
    await core.createNamespacedService({ namespace: "default", body: { metadata: { name: "lb" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } } });
    sim.faults.failNext(1, { resource: "services", subresource: "status" }, { code: 500 });
    const err = await rejection(
      core.patchNamespacedServiceStatus(
        { namespace: "default", name: "lb", body: { status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(err.code).toBe(500);
    expect(reasonOf(err)).toBe("InternalError");
    expect(sim.store.get("services", "default", "lb")?.["status"]).toEqual({ loadBalancer: {} });
  });

  it("an informer whose list fails reports the error", async () => {
    sim.faults.failNext(1, { verb: "list", resource: "services" }, { code: 500 });
    const informer = k8s.makeInformer(kc, "/api/v1/namespaces/default/services", () => core.listNamespacedService({ namespace: "default" }));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    try {
      await waitFor(() => errors.length === 1, { what: "informer error" });
      expect((errors[0] as k8s.ApiException<string>).code).toBe(500);
    } finally {
      await informer.stop();
    }
  });

  it("adds latency to matching requests only", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm" } } });
    sim.faults.setLatency(300, { verb: "get", resource: "configmaps" });
    const order: string[] = [];
    const t0 = performance.now();
    const slow = core.readNamespacedConfigMap({ namespace: "default", name: "cm" }).then(() => order.push("get"));
    const fast = core.listNamespacedConfigMap({ namespace: "default" }).then(() => order.push("list"));
    await Promise.all([slow, fast]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(295);
    expect(order).toEqual(["list", "get"]);
    sim.faults.setLatency(0);
    expect(sim.faults.latencyFor({ verb: "get", group: "", resource: "configmaps", subresource: "", namespace: "default", name: "cm" })).toBe(0);
  });

  it("clear() removes pending faults", async () => {
    sim.faults.failNext(5, {}, { code: 500 });
    sim.faults.expireNextWatches(5);
    sim.faults.clear();
    expect((await core.listNamespace()).items.length).toBe(4);
  });
});

describe("request log", () => {
  it("names verbs like the apiserver audit log and counts them", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm" } } });
    await core.readNamespacedConfigMap({ namespace: "default", name: "cm" });
    await core.listNamespacedConfigMap({ namespace: "default" });
    await core.listConfigMapForAllNamespaces();
    await core.replaceNamespacedConfigMap({ namespace: "default", name: "cm", body: { metadata: { name: "cm" }, data: { a: "b" } } });
    await core.patchNamespacedConfigMap({ namespace: "default", name: "cm", body: [{ op: "add", path: "/data/c", value: "d" }] });
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "cm" });
    await rejection(core.readNamespacedConfigMap({ namespace: "default", name: "cm" }));
    const w = await new k8s.Watch(kc).watch("/api/v1/namespaces/default/configmaps", {}, () => {}, () => {});
    await waitFor(() => sim.requestLog.count({ verb: "watch" }) === 1, { what: "watch logged" });
    w.abort();
    const log = sim.requestLog.entries({ resource: "configmaps" }).map((e) => `${e.verb} ${e.namespace} ${e.name} ${e.code}`);
    expect(log).toEqual([
      "create default  201",
      "get default cm 200",
      "list default  200",
      "list   200",
      "update default cm 200",
      "patch default cm 200",
      "delete default cm 200",
      "get default cm 404",
      "watch default  200",
    ]);
    expect(sim.requestLog.count({ resource: "configmaps", verb: "get" })).toBe(2);
    expect(sim.requestLog.count({ resource: "configmaps", code: 404 })).toBe(1);
    expect(sim.requestLog.count({ resource: "configmaps", name: "cm" })).toBe(5);
    sim.requestLog.clear();
    expect(sim.requestLog.count()).toBe(0);
  });
});
