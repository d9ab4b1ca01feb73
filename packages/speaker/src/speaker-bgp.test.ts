// One speaker against kube-sim, with a BGP session factory that records
// what each session is given: sessions follow the config and the node's
// labels without touching unrelated ones; routes follow Services; the
// password comes from a Secret and never reaches a log line.
import { createKubeSim } from "@ironlb/kube-sim";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { addNode, clearAll, addService, addSpeakerPod, makeSpeaker, NS, patchNode, setConfig, setEndpoints, startRig, until, type Rig, type TestSpeaker } from "./speaker.fixtures.ts";

const PASSWORD = "s3cr3t-md5-key";

const config = (torHold = "90s") => `
peers:
- {name: tor, peer-address: 10.99.0.1, peer-asn: 64512, my-asn: 64512, hold-time: ${torHold}}
- {name: rr, peer-address: 10.99.0.2, peer-asn: 64513, my-asn: 64512, password-secret: {name: rr-password}}
- {name: rack-b, peer-address: 10.99.0.3, peer-asn: 64513, my-asn: 64512, node-selectors: [{match-labels: {rack: b}}]}
bgp-communities:
  no-advertise: 65535:65282
address-pools:
- name: edge
  protocol: bgp
  addresses: [203.0.113.0/24]
  bgp-advertisements:
  - {aggregation-length: 32, localpref: 150, communities: [no-advertise, "64512:7"]}
  - {aggregation-length: 24, communities: ["large:64512:1:2"], peers: [tor]}
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
  addNode(rig, "node-a", { address: "10.99.0.11", labels: { rack: "a" } });
  addSpeakerPod(rig, "node-a", "10.99.0.11");
  rig.sim.store.create("secrets", { metadata: { name: "rr-password", namespace: NS }, type: "kubernetes.io/basic-auth", data: { username: "", password: Buffer.from(PASSWORD).toString("base64") } });
  setConfig(rig, config());
  s = makeSpeaker(rig, "node-a");
  await s.speaker.start();
});
afterEach(async () => {
  await s.speaker.shutdown("test over");
  clearAll(rig);
});

const running = () => [...s.bgp.running().keys()].sort();

describe("speaker, BGP, through kube-sim", () => {
  test("one session per peer that selects this node; the Secret's password is used and never logged", async () => {
    await until(() => running().join() === "rr,tor", "sessions tor and rr");
    const rr = s.bgp.running().get("rr");
    expect(rr?.spec.password).toBe(PASSWORD);
    expect(rr?.spec.routerId).toBe("10.99.0.11");
    expect(s.bgp.running().get("tor")?.spec.password).toBeUndefined();
    expect(s.logs.join("\n")).not.toContain(PASSWORD);
    expect(s.logs.join("\n")).not.toContain(Buffer.from(PASSWORD).toString("base64"));
  });

  test("routes: ECMP from every node (Cluster), per-advertisement peers, LOCAL_PREF, communities; withdrawn on delete", async () => {
    await until(() => running().length === 2, "two sessions");
    addService(rig, "web", { ips: ["203.0.113.7"] });
    setEndpoints(rig, "web", ["node-b"]); // an endpoint elsewhere: Cluster still announces here
    await until(() => s.bgp.running().get("tor")?.sets.at(-1)?.length === 2, "tor gets two routes");
    expect(s.bgp.running().get("tor")?.sets.at(-1)).toEqual(["203.0.113.0/24 l=64512:1:2", "203.0.113.7/32 lp=150 c=64512:7,65535:65282"]);
    expect(s.bgp.running().get("rr")?.sets.at(-1)).toEqual(["203.0.113.7/32 lp=150 c=64512:7,65535:65282"]);
    // A second Service in the same /24: one aggregate route, not two.
    addService(rig, "api", { ips: ["203.0.113.9"] });
    setEndpoints(rig, "api", ["node-a"]);
    await until(() => s.bgp.running().get("tor")?.sets.at(-1)?.length === 3, "tor gets three routes");
    expect(s.bgp.running().get("tor")?.sets.at(-1)).toEqual(["203.0.113.0/24 l=64512:1:2", "203.0.113.7/32 lp=150 c=64512:7,65535:65282", "203.0.113.9/32 lp=150 c=64512:7,65535:65282"]);
    expect(await s.registry.metrics()).toMatch(/ironlb_speaker_announced\{service="default\/api",protocol="bgp",node="node-a",ip="203.0.113.9"\} 1/);
    rig.sim.store.delete("services", "default", "web");
    rig.sim.store.delete("services", "default", "api");
    await until(() => s.bgp.running().get("tor")?.sets.at(-1)?.length === 0 && s.bgp.running().get("rr")?.sets.at(-1)?.length === 0, "everything withdrawn");
  });

  test("ETP=Local announces only from a node with a local endpoint", async () => {
    await until(() => running().length === 2, "two sessions");
    addService(rig, "web", { ips: ["203.0.113.7"], local: true });
    setEndpoints(rig, "web", ["node-b"]);
    await until(() => s.speaker.decision("default/web")?.bgp, "a decision");
    expect(s.speaker.decision("default/web")?.bgp).toEqual({ announce: false, reason: "noLocalEndpoints" });
    setEndpoints(rig, "web", ["node-a"]);
    await until(() => s.bgp.running().get("rr")?.sets.at(-1)?.length === 1, "announced once local");
  });

  test("changing one peer replaces only that session; node labels start and stop selected peers", async () => {
    await until(() => running().join() === "rr,tor", "sessions tor and rr");
    const tor = s.bgp.running().get("tor");
    const rr = s.bgp.running().get("rr");
    setConfig(rig, config("9s"));
    await until(() => s.bgp.running().get("tor") !== tor, "tor replaced");
    expect(tor?.stopped).toBe("changed");
    expect(s.bgp.running().get("rr")).toBe(rr);
    expect(rr?.stopped).toBeUndefined();
    expect(s.bgp.running().get("tor")?.spec.peer.holdTime).toBe(9);
    // Relabel the node into rack b: rack-b starts, nothing else moves.
    const tor2 = s.bgp.running().get("tor");
    patchNode(rig, "node-a", { metadata: { labels: { rack: "b" } } });
    await until(() => running().join() === "rack-b,rr,tor", "rack-b started");
    expect(s.bgp.running().get("tor")).toBe(tor2);
    patchNode(rig, "node-a", { metadata: { labels: { rack: "c" } } });
    await until(() => running().join() === "rr,tor", "rack-b stopped");
    expect(s.bgp.sessions.find((x) => x.spec.name === "rack-b")?.stopped).toBe("deconfigured");
  });

  test("shutdown ends every session with a Cease carrying the message", async () => {
    await until(() => running().length === 2, "two sessions");
    const all = [...s.bgp.running().values()];
    await s.speaker.shutdown("rolling update");
    expect(all.map((r) => [r.stopped, r.message])).toEqual([
      ["shutdown", "rolling update"],
      ["shutdown", "rolling update"],
    ]);
  });

  test("a missing password Secret holds that session back until it appears", async () => {
    await until(() => running().length === 2, "two sessions");
    rig.sim.store.delete("secrets", NS, "rr-password");
    setConfig(rig, config("30s"));
    await until(() => running().join() === "tor", "only tor without the Secret");
    rig.sim.store.create("secrets", { metadata: { name: "rr-password", namespace: NS }, type: "kubernetes.io/basic-auth", data: { password: Buffer.from("new-key").toString("base64") } });
    await until(() => s.bgp.running().get("rr")?.spec.password === "new-key" && true, "rr with the new key");
  });
});
