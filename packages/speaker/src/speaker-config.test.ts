// The speaker's config handling and its published status, against kube-sim:
// a broken ConfigMap keeps the last good config (metric + Event); a config
// that would orphan an announced IP waits until the Service has moved; the
// status annotation is written only when it changes, and `ironlb status`'s
// view reads it back.
import { createKubeSim } from "@ironlb/kube-sim";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { addNode, clearAll, getObj, addService, addSpeakerPod, eventsFor, makeSpeaker, NS, setConfig, setEndpoints, setServiceIps, startRig, until, type Rig, type TestSpeaker } from "./speaker.fixtures.ts";
import { parseStatus, STATUS_ANNOTATION } from "./status-doc.ts";
import { collectSpeakerStatus, renderSpeakerStatus } from "./status-view.ts";
import { DEFAULT_SPEAKER_SELECTOR } from "./speaker.ts";

const GOOD = `
address-pools:
- {name: lan, protocol: layer2, addresses: [198.51.100.0/24]}
`;
const MOVED = `
address-pools:
- {name: lan, protocol: layer2, addresses: [198.51.101.0/24]}
`;

let rig: Rig;
let s: TestSpeaker;

beforeAll(async () => {
  rig = await startRig(await createKubeSim({ bookmarkIntervalMs: 0 }));
});
afterAll(async () => {
  await rig.close();
});
beforeEach(async () => {
  addNode(rig, "node-a", { address: "10.99.0.11" });
  addSpeakerPod(rig, "node-a", "10.99.0.11");
  setConfig(rig, GOOD);
  s = makeSpeaker(rig, "node-a");
  await s.speaker.start();
  addService(rig, "web", { ips: ["198.51.100.1"] });
  setEndpoints(rig, "web", ["node-a"]);
  await until(() => s.layer2.current.join() === "198.51.100.1", "announcing");
});
afterEach(async () => {
  await s.speaker.shutdown();
  clearAll(rig);
});

describe("speaker config handling", () => {
  test("an invalid ConfigMap keeps the last good config: stale metric, ConfigInvalid event, still announcing", async () => {
    setConfig(rig, "address-pools:\n- {name: lan, protocol: layer2, addresses: [198.51.100.0/33]}\n");
    await until(() => eventsFor(rig, NS, "config", "ConfigInvalid").length === 1, "ConfigInvalid event");
    expect(await s.registry.metrics()).toMatch(/ironlb_config_stale 1/);
    expect(s.layer2.current).toEqual(["198.51.100.1"]);
    setConfig(rig, GOOD + "# fixed\n");
    await until(async () => /ironlb_config_stale 0/.test(await s.registry.metrics()), "stale cleared");
  });

  test("a config that would orphan an announced IP is rejected until the Service moves (MetalLB's SetConfig)", async () => {
    setConfig(rig, MOVED);
    await until(() => eventsFor(rig, NS, "config", "ConfigRejected").length === 1, "ConfigRejected event");
    expect(s.layer2.current).toEqual(["198.51.100.1"]);
    // The controller moves the Service into the new pool: under the old config that IP is not allowed,
    // so it is withdrawn; then the new config loads and the new IP is announced.
    setServiceIps(rig, "web", ["198.51.101.1"]);
    await until(() => s.layer2.current.join() === "198.51.101.1", "the new IP under the new config", 10_000);
    expect(await s.registry.metrics()).toMatch(/ironlb_config_stale 0/);
  });
});

describe("speaker status publication", () => {
  test("written on change only, readable by the status view", async () => {
    const pod = () => getObj(rig, "pods", NS, "speaker-node-a");
    await until(() => parseStatus(pod()?.metadata.annotations?.[STATUS_ANNOTATION])?.layer2["default/web"]?.join() === "198.51.100.1", "published");
    const patches = () => rig.sim.requestLog.count({ verb: "patch", resource: "pods" });
    const before = patches();
    // Churn that changes nothing this node announces: no write.
    setEndpoints(rig, "web", ["node-a", "node-b"]);
    rig.sim.store.patch("services", "default", "web", { metadata: { labels: { touched: "yes" } } }, { type: "merge" });
    await s.speaker.idle();
    await new Promise((r) => setTimeout(r, 150));
    expect(patches()).toBe(before);
    // A real change: one write.
    addService(rig, "api", { ips: ["198.51.100.2"] });
    setEndpoints(rig, "api", ["node-a"]);
    await until(() => parseStatus(pod()?.metadata.annotations?.[STATUS_ANNOTATION])?.layer2["default/api"] !== undefined, "api published");
    expect(patches()).toBe(before + 1);

    const view = await collectSpeakerStatus(rig.clients, NS, DEFAULT_SPEAKER_SELECTOR);
    expect(view.services).toEqual([
      { service: "default/api", ips: ["198.51.100.2"], layer2: ["node-a"], bgp: [] },
      { service: "default/web", ips: ["198.51.100.1"], layer2: ["node-a"], bgp: [] },
    ]);
    expect(view.speakers).toEqual([{ node: "node-a", pod: "speaker-node-a", ready: true, published: true, truncated: false }]);
    const table = (header: readonly string[], rows: readonly (readonly string[])[]) => [header, ...rows].map((r) => r.join("|")).join("\n") + "\n";
    expect(renderSpeakerStatus(view, table)).toContain("default/web|198.51.100.1|node-a|-");
  });
});
