// The speaker end to end (issue 7, "Done when" 1): kube-sim, the controller
// and three `ironlb speaker` processes, each in its own network namespace on
// one bridged segment, with an observer namespace (arping, the kernel's
// neighbour table) and two BIRD routers. Everything the speakers know comes
// through the API and the membership; everything asserted is what the
// observer's kernel and BIRD saw.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { electionOrder } from "@ironlb/core/election";
import { DEFAULT_SPEAKER_SELECTOR, collectSpeakerStatus } from "@ironlb/speaker";
import { createClients } from "@ironlb/kube";
import { run } from "#testlib/exec";
import { describeLab } from "#testlib/suite";
import { waitFor } from "#testlib/wait-for";
import { bird } from "#testlib/routers/index";
import { NAMESPACE, SpeakerLab, type LabAddresses } from "../../bench/lib/speaker-lab.ts";

const config = (r2Hold: string) => (a: LabAddresses) => `
peers:
- {name: r1, peer-address: ${a.routers[0]?.ip}, peer-asn: 64512, my-asn: 64512, hold-time: 30s}
- {name: r2, peer-address: ${a.routers[1]?.ip}, peer-asn: 64512, my-asn: 64512, hold-time: ${r2Hold}}
bgp-communities:
  tag: "64512:100"
address-pools:
- name: lan
  protocol: layer2
  addresses: [198.51.100.0/26]
- name: edge
  protocol: bgp
  addresses: [203.0.113.0/26]
  bgp-advertisements:
  - {aggregation-length: 32, localpref: 150, communities: [tag, "large:64512:1:2"]}
`;

describeLab("speaker end to end: three nodes, an observer, BIRD", { root: true, binaries: [...bird.binaries, "arping"] }, (lab) => {
  let sl: SpeakerLab;
  let addresses: LabAddresses;

  beforeAll(async () => {
    sl = await SpeakerLab.start(lab, {
      nodes: 3,
      routers: 2,
      config: (a) => {
        addresses = a;
        return config("30s")(a);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await sl?.close();
  });
  // A red test explains itself: what each speaker said last.
  afterEach((ctx) => {
    if (ctx.task.result?.state !== "fail" || sl === undefined) return;
    for (const n of sl.nodes) {
      const lines = (n.speaker?.output() ?? "").split("\n").filter((l) => l !== "" && !l.includes('"msg":"BGP session state"'));
      console.error(`--- ${n.name} (${n.speaker?.running === true ? "running" : "not running"}):\n${lines.slice(-15).join("\n")}`);
    }
  });

  const names = () => sl.nodes.map((n) => n.name);
  const macOf = (name: string) => sl.node(name).mac;
  const answering = (ip: string) => sl.answering(ip);
  const waitAnswer = (ip: string, node: string, what: string, timeout?: number) => sl.waitAnswer(ip, node, what, timeout);

  describe("layer 2", () => {
    it("a Service gets its IP and exactly one node, the elected one, answers ARP", async () => {
      sl.createService("web", { pool: "lan" });
      sl.setEndpoints("web", ["node-a"]);
      const ip = await sl.ingressIp("web");
      const owner = electionOrder(names(), ip)[0] as string;
      await waitAnswer(ip, owner, `${owner} to answer for ${ip}`);
      expect(await answering(ip)).toEqual([macOf(owner)]);
    });

    it("SIGKILL of the owner's speaker: another node's MAC answers", async () => {
      const ip = await sl.ingressIp("web");
      const [owner, next] = electionOrder(names(), ip) as [string, string];
      const victim = sl.node(owner);
      victim.speaker?.signal("SIGKILL");
      await waitAnswer(ip, next, `${next} to answer for ${ip} after SIGKILL of ${owner}`, 10_000);
      const text = (await sl.http(sl.node(next), "/metrics")).body;
      // Measured from the first signal: the membership's "dead" or the kubelet's view of the dead container.
      expect(text).toMatch(/ironlb_failover_seconds_count\{protocol="layer2",cause="(dead|not-ready)"\} 1/);
      // The speaker comes back (a restarted container) and, first in the order, takes the IP back.
      await sl.startSpeaker(victim);
      await waitAnswer(ip, owner, `${owner} to answer again after its restart`);
    });

    it("externalTrafficPolicy Local moves the IP to the node of the endpoint", async () => {
      sl.createService("local", { pool: "lan", local: true });
      const ip = await sl.ingressIp("local");
      const order = electionOrder(names(), ip);
      // An endpoint on the node that would be last in the order: only it may announce.
      const last = order[2] as string;
      sl.setEndpoints("local", [last]);
      await waitAnswer(ip, last, `${last} (the endpoint's node) to answer for ${ip}`);
      const other = order[1] as string;
      sl.setEndpoints("local", [other]);
      await waitAnswer(ip, other, `${other} to answer after the endpoint moved`);
    });

    it("the exclude label and NetworkUnavailable remove a node", async () => {
      const ip = await sl.ingressIp("web");
      const [first, second, third] = electionOrder(names(), ip) as [string, string, string];
      sl.sim.store.patch("nodes", "", first, { metadata: { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" } } }, { type: "merge" });
      await waitAnswer(ip, second, `${second} after ${first} got the exclude label`);
      sl.sim.store.patch("nodes", "", second, { status: { conditions: [{ type: "Ready", status: "True" }, { type: "NetworkUnavailable", status: "True" }] } }, { type: "merge", subresource: "status" });
      await waitAnswer(ip, third, `${third} after ${second} got NetworkUnavailable`);
      sl.sim.store.patch("nodes", "", first, { metadata: { labels: { "node.kubernetes.io/exclude-from-external-load-balancers": null } } }, { type: "merge" });
      sl.sim.store.patch("nodes", "", second, { status: { conditions: [{ type: "Ready", status: "True" }, { type: "NetworkUnavailable", status: "False" }] } }, { type: "merge", subresource: "status" });
      await waitAnswer(ip, first, `${first} again once both are back`);
    });

    it("two Services sharing an IP share a node", async () => {
      sl.createService("share-a", { pool: "lan", ip: "198.51.100.40", sharingKey: "k", port: 80 });
      sl.createService("share-b", { pool: "lan", ip: "198.51.100.40", sharingKey: "k", port: 443 });
      sl.setEndpoints("share-a", ["node-a"]);
      sl.setEndpoints("share-b", ["node-c"]);
      expect(await sl.ingressIp("share-a")).toBe("198.51.100.40");
      expect(await sl.ingressIp("share-b")).toBe("198.51.100.40");
      const owner = electionOrder(names(), "198.51.100.40")[0] as string;
      await waitAnswer("198.51.100.40", owner, `${owner} to answer for the shared IP`);
      // `ironlb status`'s view: both Services on the same node.
      const clients = createClients({ kubeconfig: sl.rootKubeconfig });
      const view = await waitFor(async () => {
        const v = await collectSpeakerStatus(clients, NAMESPACE, DEFAULT_SPEAKER_SELECTOR);
        const rows = v.services.filter((r) => r.service.startsWith("default/share-"));
        return rows.length === 2 && rows.every((r) => r.layer2.join() === owner) ? v : undefined;
      }, { what: "both shared Services published by one node", timeout: 10_000 });
      expect(view.speakers.map((s) => s.node)).toEqual(names());
    });
  });

  describe("BGP", () => {
    it("all three speakers establish with both routers", { timeout: 60_000 }, async () => {
      for (const r of sl.routers) {
        await waitFor(async () => {
          const s = await r.bird.sessions();
          return s.length === 3 && s.every((x) => x.established) ? s : undefined;
        }, { what: `3 established sessions at ${r.ip}`, timeout: 30_000, interval: 200 });
      }
      // What an operator sees: `ironlb speakers` lists every speaker's sessions, published by the speakers themselves.
      const sessions = await waitFor(async () => {
        const r = await run(process.execPath, [sl.cli, "speakers", "--kubeconfig", sl.rootKubeconfig, "--namespace", NAMESPACE, "-o", "json"]);
        const v = JSON.parse(r.stdout) as { sessions: { node: string; peer: string; state: string }[] };
        return v.sessions.length === 6 && v.sessions.every((x) => x.state === "up") ? v.sessions : undefined;
      }, { what: "ironlb speakers to show six sessions up", timeout: 15_000, interval: 500 });
      expect(sessions.map((x) => `${x.node}/${x.peer}`)).toEqual(["node-a/r1", "node-a/r2", "node-b/r1", "node-b/r2", "node-c/r1", "node-c/r2"]);
      // `ironlb status` embeds the same published view below the pools.
      const status = await run(process.execPath, [sl.cli, "status", "--kubeconfig", sl.rootKubeconfig, "--namespace", NAMESPACE, "-o", "json"]);
      const report = JSON.parse(status.stdout) as { announcements: { view: { sessions: { node: string; peer: string; state: string }[] } | null; problem: string | null } };
      expect(report.announcements.problem).toBeNull();
      expect(report.announcements.view?.sessions.map((x) => `${x.node}/${x.peer}/${x.state}`)).toEqual(sessions.map((x) => `${x.node}/${x.peer}/up`));
    });

    it("ETP=Cluster: three ECMP next hops with the communities and LOCAL_PREF; ETP=Local: only the endpoint node; delete withdraws", async () => {
      sl.createService("edge", { pool: "edge" });
      sl.setEndpoints("edge", ["node-b"]);
      const ip = await sl.ingressIp("edge");
      const r1 = sl.routers[0]?.bird as NonNullable<(typeof sl.routers)[0]>["bird"];
      const paths = await r1.waitForRoutes((p) => p.length === 3, { prefix: `${ip}/32`, what: `three paths for ${ip}/32` });
      expect(paths.map((p) => p.nextHops[0]).sort()).toEqual(sl.nodes.map((n) => n.ip).sort());
      for (const p of paths) {
        expect(p.localPref).toBe(150);
        expect(p.communities).toEqual(["64512:100"]);
        expect(p.largeCommunities).toEqual(["64512:1:2"]);
      }
      sl.createService("edge-local", { pool: "edge", local: true });
      sl.setEndpoints("edge-local", ["node-b", "node-c"]);
      const lip = await sl.ingressIp("edge-local");
      const lpaths = await r1.waitForRoutes((p) => p.length === 2, { prefix: `${lip}/32`, what: `two paths for ${lip}/32` });
      expect(lpaths.map((p) => p.nextHops[0]).sort()).toEqual([sl.node("node-b").ip, sl.node("node-c").ip].sort());
      sl.sim.store.delete("services", "default", "edge");
      await r1.waitForRoutes((p) => p.length === 0, { prefix: `${ip}/32`, what: `${ip}/32 withdrawn` });
    });

    it("changing one peer in the ConfigMap resets only that peer's sessions", { timeout: 60_000 }, async () => {
      const [r1, r2] = sl.routers as [NonNullable<(typeof sl.routers)[0]>, NonNullable<(typeof sl.routers)[0]>];
      const since = async (r: typeof r1) => Promise.all(sl.nodes.map(async (n) => (await r.bird.protocol(n.ip)).since));
      const before1 = await since(r1);
      const before2 = await since(r2);
      sl.setConfig(config("9s")(addresses));
      await waitFor(async () => {
        const now = await since(r2);
        const s = await r2.bird.sessions();
        return now.every((t, i) => t > (before2[i] as number) + 0.01) && s.every((x) => x.established && x.holdTime === 9) ? now : undefined;
      }, { what: "r2's three sessions re-established with hold time 9", timeout: 30_000, interval: 200 });
      // BIRD derives "since" from its monotonic clock: equal up to microseconds of jitter when unchanged.
      const after1 = await since(r1);
      after1.forEach((t, i) => expect(Math.abs(t - (before1[i] as number))).toBeLessThan(0.01));
      expect((await r1.bird.sessions()).every((x) => x.established)).toBe(true);
    });
  });
});
