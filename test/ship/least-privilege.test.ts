// Least privilege, checked against real requests (issue 8, "Done when" 2,
// second half): the manifests are applied to kube-sim, then two `ironlb
// controller` replicas (leader election) and three `ironlb speaker`
// processes (membership on loopback addresses, layer 2 without sockets, a
// BGP peer with a password from a Secret) run through the flows of the
// end-to-end suites: config load, Services created, changed, shared,
// exhausted and deleted, EndpointSlices, a node losing and regaining its
// network, a broken and repaired ConfigMap, a leader handing over. Each
// component presents its own token, as its ServiceAccount would, so the
// request log says who made every call; the RBAC rules that reach each
// ServiceAccount must allow every call it made, and every permission they
// grant must have been used.
//
// The same run checks the Grafana dashboard: every metric it queries is one
// the running controller or speakers export.
//
// The password Secret is added to the Role speaker-secrets by the overlay
// patch docs/operations.md gives operators.
import net from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { parseStatus, STATUS_ANNOTATION } from "@ironlb/speaker";
import { run } from "../lib/exec.ts";
import { inCi } from "../lib/prereq.ts";
import { LabProcess } from "../lib/process.ts";
import { waitFor } from "../lib/wait-for.ts";
import { allowed, formatPermission, formatRequest, grantsFor, unusedPermissions, type ApiRequest } from "./rbac.ts";
import { find, kubectlPath, ManifestCopy, ROOT, type K8sObject } from "./render.ts";

const CLI = path.join(ROOT, "packages/cli/dist/main.js");
const NS = "ironlb-system";
const TOKENS = { controller: `system:serviceaccount:${NS}:controller`, speaker: `system:serviceaccount:${NS}:speaker`, test: "scenario" } as const;
// Speakers bind their membership to distinct loopback addresses (all of 127/8 is local on Linux).
const LOOPBACK = `127.${77 + (process.pid % 100)}.${process.pid % 250}`;
const NODES = ["n1", "n2", "n3"] as const;

/** The docs' overlay for a BGP password Secret: its name appended to the Role speaker-secrets. */
const PASSWORD_OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../example
patches:
- target: {kind: Role, name: speaker-secrets}
  patch: |-
    - op: add
      path: /rules/0/resourceNames/-
      value: bgp-password
- target: {kind: ConfigMap, name: config}
  path: config.yaml
`;

const scenarioConfig = (bgpPort: number) => `peers:
- name: tor
  peer-address: 127.0.0.1
  peer-port: ${bgpPort}
  peer-asn: 64513
  my-asn: 64512
  hold-time: 9s
  password-secret: {name: bgp-password}
address-pools:
- name: lan
  protocol: layer2
  addresses: [198.51.100.16/29]
- name: edge
  protocol: bgp
  addresses: [203.0.113.0/28]
- name: tiny
  protocol: layer2
  auto-assign: false
  addresses: [198.51.100.40/32]
`;

if (kubectlPath === undefined) {
  const why = "kubectl not found on PATH: the least-privilege suite cannot render and apply the manifests";
  if (inCi()) {
    describe("least privilege", () => {
      it("has kubectl", () => {
        throw new Error(why);
      });
    });
  } else console.warn(`SKIPPED: ${why}`);
}

describe.skipIf(kubectlPath === undefined)("least privilege: the RBAC rules against the calls the components make", () => {
  let copy: ManifestCopy;
  let objects: K8sObject[];
  let sim: KubeSim;
  const procs = new Map<string, LabProcess>();
  let bgpPort = 0;

  const kubeconfig = (who: keyof typeof TOKENS) => path.join(copy.dir, `kubeconfig-${who}`);
  const store = () => sim.store;

  const startController = (id: string) => {
    const p = new LabProcess(`controller ${id}`, process.execPath, [
      CLI,
      "controller",
      "--kubeconfig",
      kubeconfig("controller"),
      "--leader-elect",
      "--pod-name",
      id,
      "--leader-elect-lease-duration",
      "3s",
      "--leader-elect-renew-deadline",
      "2s",
      "--leader-elect-retry-period",
      "500ms",
      "--metrics-addr",
      "127.0.0.1:0",
    ]);
    procs.set(id, p);
    return p;
  };
  const startSpeaker = (node: string, i: number) => {
    const p = new LabProcess(`speaker ${node}`, process.execPath, [
      CLI,
      "speaker",
      "--kubeconfig",
      kubeconfig("speaker"),
      "--node-name",
      node,
      "--pod-name",
      `speaker-${node}`,
      "--no-raw-sockets",
      "--ml-bind",
      `${LOOPBACK}.${i + 1}:7946`,
      "--metrics-addr",
      "127.0.0.1:0",
    ]);
    procs.set(`speaker-${node}`, p);
    return p;
  };
  const monitoringUrl = (p: LabProcess) => waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(p.output())?.[1], { what: `${p.label}'s monitoring URL`, timeout: 15_000 });
  const ingress = (name: string, ns = "default") => ((store().get("services", ns, name) as { status?: { loadBalancer?: { ingress?: { ip: string }[] } } } | undefined)?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
  const waitIp = (name: string) => waitFor(() => ingress(name)[0], { what: `an IP for ${name}`, timeout: 20_000 });
  /** Nodes whose published speaker status says they answer for `service` in layer 2. */
  const layer2Owners = (service: string) =>
    NODES.filter((n) => {
      const pod = store().get("pods", NS, `speaker-${n}`) as { metadata: { annotations?: Record<string, string> } } | undefined;
      return parseStatus(pod?.metadata.annotations?.[STATUS_ANNOTATION])?.layer2[service] !== undefined;
    });
  const waitOwner = (service: string, pred: (owners: readonly string[]) => boolean, what: string) =>
    waitFor(() => (pred(layer2Owners(service)) ? layer2Owners(service) : undefined), { what, timeout: 20_000 });
  const setNetworkUnavailable = (node: string, down: boolean) =>
    store().patch("nodes", "", node, { status: { conditions: [{ type: "Ready", status: "True" }, { type: "NetworkUnavailable", status: down ? "True" : "False" }] } }, { type: "merge", subresource: "status" });
  const createService = (name: string, o: { pool?: string; ip?: string; share?: string; protocol?: string; port?: number; local?: boolean; ns?: string } = {}) => {
    const annotations: Record<string, string> = {};
    if (o.pool !== undefined) annotations["ironlb.io/address-pool"] = o.pool;
    if (o.ip !== undefined) annotations["metallb.universe.tf/loadBalancerIPs"] = o.ip;
    if (o.share !== undefined) annotations["metallb.universe.tf/allow-shared-ip"] = o.share;
    store().create("services", {
      metadata: { name, namespace: o.ns ?? "default", annotations },
      spec: { type: "LoadBalancer", selector: { app: name }, externalTrafficPolicy: o.local === true ? "Local" : "Cluster", ports: [{ port: o.port ?? 80, protocol: o.protocol ?? "TCP" }] },
    });
  };
  const endpoints = (service: string, nodes: readonly string[]) =>
    store().create("endpointslices", {
      metadata: { name: `${service}-1`, namespace: "default", labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      ports: [{ port: 8080, protocol: "TCP" }],
      endpoints: nodes.map((n, i) => ({ addresses: [`10.244.${i}.10`], nodeName: n, conditions: { ready: true } })),
    });
  const events = (reason: string) => (store().list("events") as { reason?: string; count?: number; source?: { component?: string } }[]).filter((e) => e.reason === reason);

  beforeAll(async () => {
    copy = ManifestCopy.create();
    bgpPort = await closedPort();
    copy.overlay("least-privilege", { "kustomization.yaml": PASSWORD_OVERLAY, "config.yaml": configMapPatch(scenarioConfig(bgpPort)) });
    const rendered = await copy.render("overlays/least-privilege");
    objects = rendered.objects;
    sim = await createKubeSim();
    for (const who of Object.keys(TOKENS) as (keyof typeof TOKENS)[]) writeFileSync(kubeconfig(who), sim.kubeconfig({ token: TOKENS[who] }));
    const file = path.join(copy.dir, "rendered.yaml");
    writeFileSync(file, rendered.text);
    const applied = await run(kubectlPath as string, ["--kubeconfig", kubeconfig("test"), "--cache-dir", path.join(copy.dir, "cache"), "apply", "--validate=strict", "-f", file], { env: { HOME: copy.dir } });
    expect(applied.stderr).toBe("");

    // What the cluster provides: nodes, the speaker pods (Ready, as the kubelet would report them), the BGP password.
    for (const [i, n] of NODES.entries()) {
      const ip = `${LOOPBACK}.${i + 1}`;
      store().create("nodes", { metadata: { name: n, labels: { "kubernetes.io/hostname": n } }, status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: ip }] } });
      const ds = find(objects, "DaemonSet", "speaker") as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
      store().create("pods", { metadata: { name: `speaker-${n}`, namespace: NS, labels: ds.spec.template.metadata.labels }, spec: { nodeName: n, hostNetwork: true, containers: [{ name: "speaker", image: "ironlb" }] } });
      store().patch("pods", NS, `speaker-${n}`, { status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: "True" }] } }, { type: "merge", subresource: "status" });
    }
    store().create("secrets", { metadata: { name: "bgp-password", namespace: NS }, type: "kubernetes.io/basic-auth", stringData: { password: "s3cret" } });
    sim.requestLog.clear();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...procs.values()].map((p) => p.stop()));
    await sim?.close();
    copy?.remove();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    for (const p of procs.values()) console.error(`--- ${p.label}:\n${p.output().split("\n").slice(-12).join("\n")}`);
  });

  it("runs the controllers and speakers through the end-to-end flows", async () => {
    const a = startController("controller-a");
    const b = startController("controller-b");
    NODES.forEach((n, i) => startSpeaker(n, i));
    const speakerUrls = await Promise.all(NODES.map((n) => monitoringUrl(procs.get(`speaker-${n}`) as LabProcess)));
    for (const u of speakerUrls) await waitFor(async () => (await fetch(`${u}/readyz`)).ok || undefined, { what: `${u}/readyz`, timeout: 20_000, ignoreErrors: true });

    // Layer 2 with endpoints on two nodes, BGP with ETP=Local, a shared IP, a requested pool.
    createService("web", { pool: "lan" });
    endpoints("web", ["n1", "n2", "n3"]);
    createService("api", { pool: "edge", local: true, port: 443 });
    endpoints("api", ["n2"]);
    createService("dns-tcp", { pool: "lan", ip: "198.51.100.22", share: "dns", port: 53 });
    createService("dns-udp", { pool: "lan", ip: "198.51.100.22", share: "dns", port: 53, protocol: "UDP" });
    createService("tiny-1", { pool: "tiny" });
    createService("tiny-2", { pool: "tiny" });
    for (const s of ["web", "api", "dns-tcp", "dns-udp", "tiny-1"]) await waitIp(s);
    await waitFor(() => events("AllocationFailed").length > 0 || undefined, { what: "AllocationFailed for tiny-2", timeout: 15_000 });
    // A change to the pending Service reconciles it again: the same Event is counted, not repeated.
    store().patch("services", "default", "tiny-2", { metadata: { labels: { retry: "1" } } }, { type: "merge" });
    await waitFor(() => events("AllocationFailed").some((e) => (e.count ?? 0) >= 2) || undefined, { what: "AllocationFailed counted twice", timeout: 15_000 });

    // The layer 2 owner loses its network and gets it back: the IP moves away and returns (nodeAssigned counted again).
    const [owner] = await waitOwner("default/web", (o) => o.length === 1, "one layer 2 owner of web");
    setNetworkUnavailable(owner as string, true);
    await waitOwner("default/web", (o) => o.length === 1 && o[0] !== owner, `web to move away from ${owner}`);
    setNetworkUnavailable(owner as string, false);
    await waitOwner("default/web", (o) => o.length === 1 && o[0] === owner, `web to return to ${owner}`);
    await waitFor(() => events("nodeAssigned").some((e) => (e.count ?? 0) >= 2) || undefined, { what: "nodeAssigned counted twice", timeout: 15_000 });

    // Type change and back, then a deletion (frees the shared IP's second holder).
    store().patch("services", "default", "web", { spec: { type: "ClusterIP" } }, { type: "merge" });
    await waitFor(() => ingress("web").length === 0 || undefined, { what: "web's IP freed", timeout: 15_000 });
    store().patch("services", "default", "web", { spec: { type: "LoadBalancer" } }, { type: "merge" });
    await waitIp("web");
    store().delete("services", "default", "dns-udp");

    // A broken ConfigMap (Warning events from both components), then repaired.
    const good = (store().get("configmaps", NS, "config") as unknown as { data: { config: string } }).data.config;
    store().patch("configmaps", NS, "config", { data: { config: good + "bogus-key: 1\n" } }, { type: "merge" });
    await waitFor(() => events("ConfigInvalid").length >= 2 || undefined, { what: "ConfigInvalid from the controller and the speakers", timeout: 15_000 });
    store().patch("configmaps", NS, "config", { data: { config: good } }, { type: "merge" });

    // The leader stops (releases its Lease); the other replica takes over and reconciles.
    const lease = () => (store().get("leases", NS, "ironlb-controller") as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
    const leader = await waitFor(() => (lease() === "controller-a" || lease() === "controller-b" ? lease() : undefined), { what: "a leader", timeout: 15_000 });
    const [stopping, other] = leader === "controller-a" ? [a, "controller-b"] : [b, "controller-a"];
    await stopping.stop();
    await waitFor(() => lease() === other || undefined, { what: `${other} to lead`, timeout: 15_000 });
    createService("late", { pool: "lan" });
    endpoints("late", ["n1", "n2", "n3"]);
    await waitIp("late");

    // The speakers publish what they announce and report their BGP session (to a closed port: down).
    await waitFor(() => layer2Owners("default/late").length === 1 || undefined, { what: "late announced", timeout: 20_000 });
    // The dashboard's metrics are the daemons' metrics.
    const names = new Set<string>();
    const controllerUrl = await monitoringUrl(procs.get(other) as LabProcess);
    for (const u of [controllerUrl, ...speakerUrls]) {
      const text = await (await fetch(`${u}/metrics`)).text();
      for (const m of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) names.add(m[1] as string);
    }
    const dashboard = readFileSync(path.join(ROOT, "manifests/components/grafana-dashboard/ironlb-dashboard.json"), "utf8");
    const queried = new Set([...dashboard.matchAll(/\b(ironlb_[a-z0-9_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, "")));
    expect([...queried].filter((q) => !names.has(q))).toEqual([]);
    for (const family of [
      "ironlb_allocator_addresses_in_use_total",
      "ironlb_config_stale",
      "ironlb_controller_reconcile_duration_seconds",
      "ironlb_speaker_announced",
      "ironlb_layer2_requests_received",
      "ironlb_layer2_responses_sent",
      "ironlb_layer2_gratuitous_sent",
      "ironlb_bgp_session_up",
      "ironlb_bgp_updates_total",
      "ironlb_bgp_announced_prefixes_total",
      "ironlb_membership_members",
      "ironlb_failover_seconds",
    ]) {
      expect(queried.has(family), `the dashboard shows ${family}`).toBe(true);
    }

    await Promise.all([...procs.values()].map((p) => p.stop()));
  }, 180_000);

  for (const component of ["controller", "speaker"] as const) {
    it(`${component}: every call it made is allowed, and every permission granted was used`, () => {
      const requests: ApiRequest[] = sim.requestLog.entries({ user: TOKENS[component] });
      expect(requests.length).toBeGreaterThan(0);
      // No discovery or other non-resource requests (RBAC would need nonResourceURLs).
      expect(requests.filter((r) => r.resource === "").map((r) => (r as { path?: string }).path)).toEqual([]);
      const grants = grantsFor(objects, { namespace: NS, name: component });
      const denied = [...new Set(requests.filter((r) => !allowed(grants, r)).map(formatRequest))];
      expect(denied, `calls the ${component}'s RBAC does not allow`).toEqual([]);
      expect(unusedPermissions(grants, requests).map(formatPermission), `permissions the ${component} never used`).toEqual([]);
    });
  }

  it("kept the request log complete (its bound was not reached)", () => {
    expect(sim.requestLog.entries().length).toBe(sim.requestLog.count());
  });
});

/** The strategic-merge patch that replaces the ConfigMap's config. */
function configMapPatch(config: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: ${NS}\ndata:\n  config: |\n${config
    .split("\n")
    .map((l) => (l === "" ? "" : `    ${l}`))
    .join("\n")}`;
}

/** A loopback TCP port nothing listens on (the BGP peer is never reached: sessions stay down). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
