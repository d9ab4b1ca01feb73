// Three speakers against kube-sim through the real client library, with
// layer 2 writers that record the sets they are given. Liveness comes from
// speaker pod readiness (membership off; the membership has its own suite).
import { createKubeSim } from "@ironlb/kube-sim";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  addNode,
  clearAll,
  addService,
  addSpeakerPod,
  eventsFor,
  makeSpeaker,
  patchNode,
  setConfig,
  setEndpoints,
  setPodReady,
  setServiceIps,
  startRig,
  until,
  type Rig,
  type TestSpeaker,
} from "./speaker.fixtures.ts";

// Election orders (sha256(node#ip) ascending, computed with coreutils sha256sum):
//   198.51.100.1: node-c < node-a < node-b
//   198.51.100.2: node-b < node-c < node-a
const CONFIG = `
address-pools:
- name: lan
  protocol: layer2
  addresses: [198.51.100.0/25]
- name: pinned
  protocol: layer2
  addresses: [198.51.100.128/28]
  layer2:
    interfaces: [eth1]
    node-selectors:
    - match-labels: {zone: a}
`;
const NODES = ["node-a", "node-b", "node-c"];
const IPS: Record<string, string> = { "node-a": "10.99.0.11", "node-b": "10.99.0.12", "node-c": "10.99.0.13" };

let rig: Rig;
let speakers: TestSpeaker[];

const owners = (ip: string) => speakers.filter((s) => s.layer2.current.includes(ip)).map((s) => s.node);
const idle = () => Promise.all(speakers.map((s) => s.speaker.idle()));

beforeAll(async () => {
  rig = await startRig(await createKubeSim({ bookmarkIntervalMs: 0 }));
});
afterAll(async () => {
  await rig.close();
});

beforeEach(async () => {
  for (const n of NODES) {
    addNode(rig, n, { address: IPS[n] });
    addSpeakerPod(rig, n, IPS[n] as string);
  }
  setConfig(rig, CONFIG);
  speakers = NODES.map((n) => makeSpeaker(rig, n));
  await Promise.all(speakers.map((s) => s.speaker.start()));
});

afterEach(async () => {
  await Promise.all(speakers.map((s) => s.speaker.shutdown()));
  clearAll(rig);
});

describe("speaker, layer 2, through kube-sim", () => {
  test("exactly one node announces; a new IP is probed first; nodeAssigned once, not per resync", async () => {
    addService(rig, "web", { ips: ["198.51.100.1"] });
    setEndpoints(rig, "web", ["node-a"]);
    await until(() => owners("198.51.100.1").length === 1 && owners("198.51.100.1"), "one owner");
    expect(owners("198.51.100.1")).toEqual(["node-c"]);
    // Created while the speakers ran: new to the cluster, so the owner probes for a conflict first.
    expect(speakers[2]?.layer2.last).toEqual(["198.51.100.1?"]);
    await until(() => eventsFor(rig, "default", "web", "nodeAssigned").length > 0, "nodeAssigned");
    // Resyncs: endpoints change, an annotation changes. Nothing moves, no new event.
    setEndpoints(rig, "web", ["node-a", "node-b"]);
    rig.sim.store.patch("services", "default", "web", { metadata: { annotations: { touched: "1" } } }, { type: "merge" });
    await idle();
    await new Promise((r) => setTimeout(r, 100));
    await idle();
    const ev = eventsFor(rig, "default", "web", "nodeAssigned");
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ count: 1, message: 'announcing from node "node-c" with protocol "layer2"', source: "node-c" });
  });

  test("the owner's speaker pod goes unready: the next node takes over without probing, and the failover is measured", async () => {
    addService(rig, "web", { ips: ["198.51.100.1"] });
    setEndpoints(rig, "web", ["node-b"]);
    await until(() => owners("198.51.100.1")[0] === "node-c", "node-c owns it");
    setPodReady(rig, "speaker-node-c", IPS["node-c"] as string, false);
    await until(() => owners("198.51.100.1").join() === "node-a", "node-a takes over");
    // node-c's own speaker sees itself unready too and withdraws.
    expect(speakers[2]?.layer2.current).toEqual([]);
    expect(speakers[0]?.layer2.last).toEqual(["198.51.100.1"]);
    const text = await speakers[0]?.registry.metrics();
    expect(text).toMatch(/ironlb_failover_seconds_count\{protocol="layer2",cause="not-ready"\} 1/);
    expect(text).toMatch(/ironlb_speaker_announced\{service="default\/web",protocol="layer2",node="node-a",ip="198.51.100.1"\} 1/);
    // Back: the hash owner takes it again.
    setPodReady(rig, "speaker-node-c", IPS["node-c"] as string, true);
    await until(() => owners("198.51.100.1").join() === "node-c", "node-c again");
    expect(await speakers[0]?.registry.metrics()).not.toMatch(/ironlb_speaker_announced\{service="default\/web"/);
  });

  test("ETP=Local moves the IP to the node with the endpoint", async () => {
    addService(rig, "web", { ips: ["198.51.100.1"], local: true });
    setEndpoints(rig, "web", ["node-b"]);
    await until(() => owners("198.51.100.1").join() === "node-b", "node-b (the endpoint's node)");
    setEndpoints(rig, "web", ["node-a"]);
    await until(() => owners("198.51.100.1").join() === "node-a", "node-a after the endpoint moved");
    setEndpoints(rig, "web", []);
    await until(() => owners("198.51.100.1").length === 0, "nobody without endpoints");
  });

  test("the exclude label and NetworkUnavailable remove a node", async () => {
    addService(rig, "web", { ips: ["198.51.100.1"] });
    setEndpoints(rig, "web", ["node-a"]);
    await until(() => owners("198.51.100.1").join() === "node-c", "node-c");
    patchNode(rig, "node-c", { metadata: { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" } } });
    await until(() => owners("198.51.100.1").join() === "node-a", "node-a after the exclude label");
    patchNode(rig, "node-a", { status: { conditions: [{ type: "Ready", status: "True" }, { type: "NetworkUnavailable", status: "True" }] } }, true);
    await until(() => owners("198.51.100.1").join() === "node-b", "node-b after NetworkUnavailable on node-a");
    expect(speakers[0]?.speaker.decision("default/web")?.layer2).toMatchObject({ announce: false, reason: "nodeNetworkUnavailable" });
    expect(speakers[2]?.speaker.decision("default/web")?.layer2).toMatchObject({ announce: false, reason: "nodeLabeledExcludeBalancers" });
  });

  test("two Services sharing an IP share a node; pool interfaces and node selectors apply", async () => {
    addService(rig, "a", { ips: ["198.51.100.2"], annotations: { "metallb.universe.tf/allow-shared-ip": "k" } });
    addService(rig, "b", { ips: ["198.51.100.2"], annotations: { "metallb.universe.tf/allow-shared-ip": "k" } });
    setEndpoints(rig, "a", ["node-a"]);
    setEndpoints(rig, "b", ["node-c"]);
    await until(() => owners("198.51.100.2").join() === "node-b", "node-b owns the shared IP");
    expect(speakers[1]?.speaker.desired?.layer2.map((a) => a.services)).toEqual([["default/a", "default/b"]]);
    // A pool restricted to zone=a nodes, answered on eth1 only.
    patchNode(rig, "node-b", { metadata: { labels: { zone: "a" } } });
    addService(rig, "pinned", { ips: ["198.51.100.130"] });
    setEndpoints(rig, "pinned", ["node-a"]);
    await until(() => owners("198.51.100.130").join() === "node-b", "node-b, the only zone=a node");
    expect(speakers[1]?.layer2.last).toContain("198.51.100.130@eth1?");
  });

  test("the IP changes: the old one is withdrawn as loadBalancerIPChanged", async () => {
    addService(rig, "web", { ips: ["198.51.100.1"] });
    setEndpoints(rig, "web", ["node-a"]);
    await until(() => owners("198.51.100.1").join() === "node-c", "node-c");
    setServiceIps(rig, "web", ["198.51.100.2"]);
    await until(() => owners("198.51.100.2").join() === "node-b" && owners("198.51.100.1").length === 0, "moved to node-b");
    const c = speakers[2] as TestSpeaker;
    expect(c.logs.some((l) => l.includes('"event":"serviceWithdrawn"') && l.includes('"reason":"loadBalancerIPChanged"'))).toBe(true);
    // And deleting the Service withdraws it.
    rig.sim.store.delete("services", "default", "web");
    await until(() => owners("198.51.100.2").length === 0, "withdrawn after delete");
    // A released IP handed out again is new to the cluster: probed before it is announced.
    addService(rig, "again", { ips: ["198.51.100.2"] });
    setEndpoints(rig, "again", ["node-a"]);
    await until(() => owners("198.51.100.2").join() === "node-b", "node-b announces the IP again");
    expect(speakers[1]?.layer2.last).toEqual(["198.51.100.2?"]);
  });
});
