// Three speakers in one process with the real membership over UDP on
// 127.0.0.1-3 (one port for all, as on a cluster), seeded from the speaker
// pods' IPs and keyed from the memberlist Secret: the live set is the
// membership's, a graceful shutdown hands over before any API change, and
// a wrong key keeps a speaker out.
import { createSocket } from "node:dgram";
import { createKubeSim } from "@ironlb/kube-sim";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addNode, addService, addSpeakerPod, makeSpeaker, NS, setConfig, setEndpoints, startRig, until, type Rig, type TestSpeaker } from "./speaker.fixtures.ts";

// 198.51.100.1: node-c < node-a < node-b (sha256sum of "node#ip").
const NODES = ["node-a", "node-b", "node-c"];
const ADDR: Record<string, string> = { "node-a": "127.0.0.1", "node-b": "127.0.0.2", "node-c": "127.0.0.3" };
const FAST = { probeInterval: 100, probeTimeout: 50, rejoinInterval: 200, pushPullInterval: 1000 };

let rig: Rig;
let port: number;

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

beforeAll(async () => {
  rig = await startRig(await createKubeSim({ bookmarkIntervalMs: 0 }));
  port = await freePort();
  rig.sim.store.create("secrets", { metadata: { name: "memberlist", namespace: NS }, data: { secretkey: Buffer.from("cluster-key").toString("base64") } });
  for (const n of NODES) {
    addNode(rig, n, { address: ADDR[n] });
    addSpeakerPod(rig, n, ADDR[n] as string);
  }
  setConfig(rig, "address-pools:\n- {name: lan, protocol: layer2, addresses: [198.51.100.0/24]}\n");
});
afterAll(async () => {
  await rig.close();
});

function speaker(node: string, secretName = "memberlist"): TestSpeaker {
  return makeSpeaker(rig, node, { membership: { bind: { address: ADDR[node] as string, port }, secretName, config: FAST, joinTimeoutMs: 60_000 } });
}

describe("speaker with membership", () => {
  test("members join from the pod IPs; a graceful shutdown hands over on the leave, before any API change", async () => {
    const speakers = NODES.map((n) => speaker(n));
    try {
      await Promise.all(speakers.map((s) => s.speaker.start()));
      await until(() => speakers.every((s) => s.speaker.liveSpeakers.size === 3), "every speaker sees three live speakers");
      for (const s of speakers) expect(s.speaker.readinessChecks().every((c) => c.check() === null)).toBe(true);
      addService(rig, "web", { ips: ["198.51.100.1"] });
      setEndpoints(rig, "web", ["node-a"]);
      await until(() => speakers[2]?.layer2.current.join() === "198.51.100.1", "node-c announces");
      expect(await speakers[2]?.registry.metrics()).toMatch(/ironlb_membership_members 3/);
      // node-c stops; its pod stays Ready in the API (no kubelet here): only the membership tells.
      await speakers[2]?.speaker.shutdown();
      expect(speakers[2]?.layer2.current).toEqual([]);
      await until(() => speakers[0]?.layer2.current.join() === "198.51.100.1", "node-a takes over", 3000);
      expect(speakers[1]?.layer2.current).toEqual([]);
      expect(await speakers[0]?.registry.metrics()).toMatch(/ironlb_failover_seconds_count\{protocol="layer2",cause="left"\} 1/);
    } finally {
      await Promise.all(speakers.map((s) => s.speaker.shutdown()));
    }
  });

  test("a speaker with another key is never counted; it stays unready while it cannot join", async () => {
    rig.sim.store.create("secrets", { metadata: { name: "other-key", namespace: NS }, data: { secretkey: Buffer.from("not-the-cluster-key").toString("base64") } });
    const speakers = [speaker("node-a"), speaker("node-b"), speaker("node-c", "other-key")];
    try {
      await Promise.all(speakers.map((s) => s.speaker.start()));
      await until(() => speakers[0]?.speaker.liveSpeakers.size === 2 && speakers[1]?.speaker.liveSpeakers.size === 2, "a and b see each other");
      await new Promise((r) => setTimeout(r, 500));
      expect([...(speakers[0]?.speaker.liveSpeakers ?? [])].sort()).toEqual(["node-a", "node-b"]);
      expect(speakers[2]?.speaker.readinessChecks().find((c) => c.name === "membership")?.check()).toMatch(/^joining/);
      // Without node-c, node-a owns 198.51.100.1.
      await until(() => speakers[0]?.layer2.current.join() === "198.51.100.1", "node-a announces");
    } finally {
      await Promise.all(speakers.map((s) => s.speaker.shutdown()));
    }
  });
});
