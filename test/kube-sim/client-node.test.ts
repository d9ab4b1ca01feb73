// kube-sim driven by the real @kubernetes/client-node 1.4.0, the way the
// controller and speaker use it: informers (list + watch, re-watch after a
// dropped stream, re-list after 410), status patches with merge-patch and
// JSON-patch, optimistic concurrency on replace, validation of ingress IPs,
// leases for leader election, events in both API groups, and raw watches
// with selectors, bookmarks, timeouts and expired resourceVersions.
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

function lbService(name: string, extra: Partial<k8s.V1ServiceSpec> = {}): k8s.V1Service {
  return { metadata: { name, labels: { app: name } }, spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ port: 80 }], ...extra } };
}

/** The Kubernetes Status carried by a client-node ApiException. */
function statusOf(err: unknown): { code: number; reason: string; details?: { causes?: { field: string }[] } } {
  if (!(err instanceof k8s.ApiException)) throw err;
  const body = typeof err.body === "string" ? (JSON.parse(err.body) as unknown) : err.body;
  return body as { code: number; reason: string };
}

async function failure(p: Promise<unknown>): Promise<{ code: number; reason: string; details?: { causes?: { field: string }[] } }> {
  try {
    await p;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error("expected the request to fail");
}

type Seen = [string, string];

function serviceInformer(): { informer: k8s.Informer<k8s.V1Service> & k8s.ObjectCache<k8s.V1Service>; seen: Seen[]; errors: unknown[] } {
  const informer = k8s.makeInformer(kc, "/api/v1/namespaces/default/services", () => core.listNamespacedService({ namespace: "default" }));
  const seen: Seen[] = [];
  const errors: unknown[] = [];
  informer.on("add", (o) => seen.push(["add", o.metadata?.name ?? ""]));
  informer.on("update", (o) => seen.push(["update", o.metadata?.name ?? ""]));
  informer.on("delete", (o) => seen.push(["delete", o.metadata?.name ?? ""]));
  informer.on("error", (e) => errors.push(e));
  return { informer, seen, errors };
}

const has = (seen: Seen[], ev: string, name: string): boolean => seen.some(([e, n]) => e === ev && n === name);

describe("informers", () => {
  it("see add, update and delete", async () => {
    const { informer, seen } = serviceInformer();
    await informer.start();
    try {
      // The bootstrap kubernetes Service arrives from the initial list.
      await waitFor(() => has(seen, "add", "kubernetes"), { what: "initial list" });
      await core.createNamespacedService({ namespace: "default", body: lbService("web") });
      await waitFor(() => has(seen, "add", "web"), { what: "add web" });
      await core.patchNamespacedService(
        { namespace: "default", name: "web", body: { metadata: { labels: { tier: "front" } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      await waitFor(() => has(seen, "update", "web"), { what: "update web" });
      expect(informer.get("web", "default")?.metadata?.labels).toEqual({ app: "web", tier: "front" });
      await core.deleteNamespacedService({ namespace: "default", name: "web" });
      await waitFor(() => has(seen, "delete", "web"), { what: "delete web" });
      expect(informer.get("web", "default")).toBeUndefined();
    } finally {
      await informer.stop();
    }
  });

  it("re-watch from their last resourceVersion after the stream is dropped, without re-listing", async () => {
    const { informer, seen, errors } = serviceInformer();
    await informer.start();
    try {
      await waitFor(() => sim.requestLog.count({ verb: "watch", resource: "services" }) === 1, { what: "first watch" });
      const lists = sim.requestLog.count({ verb: "list", resource: "services" });
      expect(sim.faults.dropWatches()).toBe(1);
      await waitFor(() => sim.requestLog.count({ verb: "watch", resource: "services" }) === 2, { what: "re-watch" });
      await core.createNamespacedService({ namespace: "default", body: lbService("after-drop") });
      await waitFor(() => has(seen, "add", "after-drop"), { what: "add after the drop" });
      expect(sim.requestLog.count({ verb: "list", resource: "services" })).toBe(lists);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it("re-list after 410 Expired and notice deletions that happened meanwhile", async () => {
    await core.createNamespacedService({ namespace: "default", body: lbService("doomed") });
    const { informer, seen } = serviceInformer();
    await informer.start();
    try {
      await waitFor(() => has(seen, "add", "doomed"), { what: "initial list" });
      const lists = sim.requestLog.count({ verb: "list", resource: "services" });
      sim.faults.expireNextWatches(1, { resource: "services" });
      sim.faults.dropWatches({ resource: "services" });
      // Deleted before the client's next watch reaches the server: only the re-list can reveal it.
      expect(sim.store.delete("services", "default", "doomed")).toBe(true);
      await waitFor(() => has(seen, "delete", "doomed"), { what: "delete seen through the re-list" });
      expect(sim.requestLog.count({ verb: "list", resource: "services" })).toBe(lists + 1);
      // The informer watches again after its re-list: first watch, the 410, then this one.
      await waitFor(() => sim.requestLog.count({ verb: "watch", resource: "services" }) >= 3, { what: "the watch after the re-list" });
    } finally {
      await informer.stop();
    }
  });

  it("report an error when the connection is reset (not a clean end)", async () => {
    const { informer, errors } = serviceInformer();
    await informer.start();
    try {
      await waitFor(() => sim.requestLog.count({ verb: "watch", resource: "services" }) === 1, { what: "first watch" });
      expect(sim.faults.dropWatches({ mode: "reset" })).toBe(1);
      await waitFor(() => errors.length > 0, { what: "informer error" });
    } finally {
      await informer.stop();
    }
  });
});

describe("status writes", () => {
  it("merge-patch and JSON-patch the status subresource; spec sent there is ignored", async () => {
    const created = await core.createNamespacedService({ namespace: "default", body: lbService("lb") });
    expect(created.status).toEqual({ loadBalancer: {} });
    const merged = await core.patchNamespacedServiceStatus(
      { namespace: "default", name: "lb", body: { spec: { type: "ClusterIP" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    // LoadBalancerIPMode (GA in 1.32) defaults ipMode to VIP.
    expect(merged.status?.loadBalancer?.ingress).toEqual([{ ip: "192.0.2.10", ipMode: "VIP" }]);
    expect(merged.spec?.type).toBe("LoadBalancer");
    expect(merged.metadata?.generation).toBe(1);
    // client-node's default patch type is JSON-patch (RFC 6902), with a test op guarding the change.
    const patched = await core.patchNamespacedServiceStatus({
      namespace: "default",
      name: "lb",
      body: [
        { op: "test", path: "/status/loadBalancer/ingress/0/ip", value: "192.0.2.10" },
        { op: "replace", path: "/status/loadBalancer/ingress", value: [{ ip: "2001:db8::10" }, { ip: "192.0.2.10" }] },
      ],
    });
    expect(patched.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(["2001:db8::10", "192.0.2.10"]);
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(merged.metadata?.resourceVersion));
    const failedTest = await failure(
      core.patchNamespacedServiceStatus({ namespace: "default", name: "lb", body: [{ op: "test", path: "/status/loadBalancer/ingress/0/ip", value: "192.0.2.99" }] }),
    );
    expect(failedTest.code).toBe(422);
    // And status sent to the main resource is ignored.
    const main = await core.patchNamespacedService(
      { namespace: "default", name: "lb", body: { status: { loadBalancer: { ingress: [{ ip: "192.0.2.77" }] } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(main.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(["2001:db8::10", "192.0.2.10"]);
  });

  it("replace with a stale resourceVersion is 409 Conflict", async () => {
    await core.createNamespacedService({ namespace: "default", body: lbService("lb") });
    const read = await core.readNamespacedServiceStatus({ namespace: "default", name: "lb" });
    const first = { ...read, status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } };
    const ok = await core.replaceNamespacedServiceStatus({ namespace: "default", name: "lb", body: first });
    expect(ok.status?.loadBalancer?.ingress?.[0]?.ip).toBe("192.0.2.1");
    const stale = { ...read, status: { loadBalancer: { ingress: [{ ip: "192.0.2.2" }] } } };
    const err = await failure(core.replaceNamespacedServiceStatus({ namespace: "default", name: "lb", body: stale }));
    expect(err).toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("an invalid ingress IP is 422 Invalid naming the field", async () => {
    await core.createNamespacedService({ namespace: "default", body: lbService("lb") });
    const err = await failure(
      core.patchNamespacedServiceStatus(
        { namespace: "default", name: "lb", body: { status: { loadBalancer: { ingress: [{ ip: "192.0.2.300" }] } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(err.code).toBe(422);
    expect(err.reason).toBe("Invalid");
    expect(err.details?.causes?.map((c) => c.field)).toEqual(["status.loadBalancer.ingress[0].ip"]);
  });
});

describe("leases, events, nodes and pods", () => {
  it("leases: create, get, replace with the current resourceVersion, 409 with a stale one", async () => {
    const coord = kc.makeApiClient(k8s.CoordinationV1Api);
    const now = new k8s.V1MicroTime(Date.now());
    const lease = await coord.createNamespacedLease({
      namespace: "kube-system",
      body: { metadata: { name: "ironlb-controller" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: now, renewTime: now } },
    });
    const got = await coord.readNamespacedLease({ namespace: "kube-system", name: "ironlb-controller" });
    expect(got.spec?.holderIdentity).toBe("a");
    const renewed = await coord.replaceNamespacedLease({ namespace: "kube-system", name: "ironlb-controller", body: { ...got, spec: { ...got.spec, renewTime: new k8s.V1MicroTime(Date.now() + 1000) } } });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(lease.metadata?.resourceVersion));
    const err = await failure(coord.replaceNamespacedLease({ namespace: "kube-system", name: "ironlb-controller", body: { ...got, spec: { ...got.spec, holderIdentity: "b" } } }));
    expect(err).toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("events created through events.k8s.io/v1 are core/v1 events too, selectable by involvedObject", async () => {
    const events = kc.makeApiClient(k8s.EventsV1Api);
    await events.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { generateName: "web." },
        eventTime: new k8s.V1MicroTime(Date.now()),
        reportingController: "ironlb.io/controller",
        reportingInstance: "controller-0",
        action: "Allocate",
        reason: "IPAllocated",
        note: "Assigned IP 192.0.2.10",
        type: "Normal",
        regarding: { kind: "Service", namespace: "default", name: "web", apiVersion: "v1" },
      },
    });
    await core.createNamespacedEvent({
      namespace: "default",
      body: { metadata: { name: "other.1" }, involvedObject: { kind: "Service", namespace: "default", name: "other" }, reason: "Nothing", message: "m", type: "Normal" },
    });
    const list = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.name=web,involvedObject.kind=Service" });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ reason: "IPAllocated", message: "Assigned IP 192.0.2.10", reportingComponent: "ironlb.io/controller" });
    expect(list.items[0]?.metadata.name).toMatch(/^web\.[a-z0-9]{5}$/);
    // The events recorder updates a series with a patch through events.k8s.io.
    const name = list.items[0]?.metadata.name as string;
    await events.patchNamespacedEvent(
      { namespace: "default", name, body: { series: { count: 2, lastObservedTime: new k8s.V1MicroTime(Date.now()) } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect((await core.readNamespacedEvent({ namespace: "default", name })).series?.count).toBe(2);
    const viaGroup = await events.listNamespacedEvent({ namespace: "default", fieldSelector: "regarding.name=other" });
    expect(viaGroup.items.map((e) => e.note)).toEqual(["m"]);
    const invalid = await failure(events.createNamespacedEvent({ namespace: "default", body: { metadata: { name: "x" }, eventTime: new k8s.V1MicroTime(Date.now()) } }));
    expect(invalid.code).toBe(422);
  });

  it("nodes keep status on create and take status patches; pods filter by spec.nodeName", async () => {
    await core.createNode({
      body: {
        metadata: { name: "node-a", labels: { "kubernetes.io/hostname": "node-a" } },
        status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: "10.99.0.2" }] },
      },
    });
    const node = await core.patchNodeStatus(
      { name: "node-a", body: { status: { conditions: [{ type: "NetworkUnavailable", status: "True" }] } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
    // Strategic merge: conditions merge by type.
    expect(node.status?.conditions?.map((c) => c.type)).toEqual(["Ready", "NetworkUnavailable"]);
    for (const [name, nodeName] of [["speaker-a", "node-a"], ["speaker-b", "node-b"]] as const) {
      await core.createNamespacedPod({ namespace: "default", body: { metadata: { name, labels: { app: "speaker" } }, spec: { nodeName, containers: [{ name: "speaker", image: "ironlb/speaker:dev" }] } } });
    }
    const onA = await core.listNamespacedPod({ namespace: "default", fieldSelector: "spec.nodeName=node-a", labelSelector: "app in (speaker)" });
    expect(onA.items.map((p) => p.metadata?.name)).toEqual(["speaker-a"]);
    expect(onA.items[0]?.status?.phase).toBe("Pending");
    const ready = await core.patchNamespacedPodStatus(
      { namespace: "default", name: "speaker-a", body: { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(ready.status?.conditions?.[0]?.status).toBe("True");
  });
});

describe("raw watches", () => {
  interface Event {
    type: string;
    obj: { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number; reason?: string };
  }

  async function watch(path: string, query: Record<string, string | number | boolean | undefined>): Promise<{ events: Event[]; done: Promise<unknown>; abort: () => void }> {
    const events: Event[] = [];
    let finish: (e: unknown) => void = () => {};
    const done = new Promise<unknown>((r) => (finish = r));
    const ctl = await new k8s.Watch(kc).watch(path, query, (type, obj: Event["obj"]) => events.push({ type, obj }), (err) => finish(err));
    return { events, done, abort: () => ctl.abort() };
  }

  it("emit ADDED/DELETED when an object starts or stops matching the label selector", async () => {
    const w = await watch("/api/v1/namespaces/default/configmaps", { labelSelector: "team=a" });
    try {
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm" }, data: { k: "v" } } });
      const label = (team: string): Promise<unknown> =>
        core.patchNamespacedConfigMap({ namespace: "default", name: "cm", body: { metadata: { labels: { team } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
      await label("a");
      await waitFor(() => w.events.length === 1, { what: "ADDED on match" });
      await label("b");
      await waitFor(() => w.events.length === 2, { what: "DELETED on mismatch" });
      expect(w.events.map((e) => e.type)).toEqual(["ADDED", "DELETED"]);
      // The DELETED carries the last matching content at the event's resourceVersion.
      const cm = await core.readNamespacedConfigMap({ namespace: "default", name: "cm" });
      expect(w.events[1]?.obj.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
    } finally {
      w.abort();
    }
  });

  it("replay from a resourceVersion, send bookmarks, end after timeoutSeconds", async () => {
    await sim.close();
    sim = await createKubeSim({ bookmarkIntervalMs: 20 });
    kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "a" } } });
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "b" } } });
    const w = await watch("/api/v1/namespaces/default/configmaps", { resourceVersion: first.metadata?.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 });
    expect(await w.done).toBeNull();
    expect(w.events[0]).toMatchObject({ type: "ADDED", obj: { metadata: { name: "b" } } });
    expect(w.events.some((e) => e.type === "BOOKMARK")).toBe(true);
  });

  it("stream the initial state then a BOOKMARK marking its end (sendInitialEvents)", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "x" } } });
    const w = await watch("/api/v1/namespaces/default/configmaps", { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true });
    try {
      await waitFor(() => w.events.some((e) => e.type === "BOOKMARK"), { what: "the initial-events-end bookmark" });
      expect(w.events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
      expect(w.events[1]?.obj).toMatchObject({ metadata: { annotations: { "k8s.io/initial-events-end": "true" } } });
    } finally {
      w.abort();
    }
  });

  it("answer 410 Expired for a resourceVersion older than the kept history", async () => {
    await sim.close();
    sim = await createKubeSim({ historySize: 2 });
    kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "a" } } });
    for (const name of ["b", "c", "d"]) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
    const w = await watch("/api/v1/namespaces/default/configmaps", { resourceVersion: first.metadata?.resourceVersion });
    expect(await w.done).toBeNull();
    expect(w.events).toEqual([{ type: "ERROR", obj: expect.objectContaining({ code: 410, reason: "Expired" }) }]);
  });
});
