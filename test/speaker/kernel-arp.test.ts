// The speakers with `--l2-kernel-arp` end to end: three `ironlb speaker`
// processes in their own namespaces on one segment, kube-sim and the
// controller, an observer running arping. Every speaker attaches the BPF
// program (tcx on this kernel); the elected node answers from it, and when its
// speaker is SIGKILLed the program goes with it, so the next node in the
// order, and only that node, answers.
import { afterAll, beforeAll, expect, it } from "vitest";
import { electionOrder } from "@ironlb/core/election";
import { describeLab } from "#testlib/suite";
import { waitFor } from "#testlib/wait-for";
import { SpeakerLab, type LabNode } from "../../bench/lib/speaker-lab.ts";

describeLab("speakers answering ARP in the kernel (BPF)", { root: true, binaries: ["ip", "arping"] }, (lab) => {
  let sl: SpeakerLab;

  beforeAll(async () => {
    sl = await SpeakerLab.start(lab, {
      nodes: 3,
      speakerArgs: ["--l2-kernel-arp"],
      config: () => "address-pools:\n- name: lan\n  protocol: layer2\n  addresses: [198.51.100.64/28]\n",
    });
  }, 120_000);
  afterAll(async () => {
    await sl?.close();
  });

  const macOf = (name: string) => sl.node(name).mac;
  const answering = (ip: string) => sl.answering(ip);
  const waitAnswer = (ip: string, node: string, what: string, timeout?: number) => sl.waitAnswer(ip, node, what, timeout);
  const attached = (n: LabNode) => (n.speaker?.output() ?? "").includes('"msg":"answering ARP in the kernel"') && (n.speaker?.output() ?? "").includes('"hook":"tcx"');

  it("every speaker attaches the program; the elected node answers; after SIGKILL only the next node answers", async () => {
    for (const n of sl.nodes) await waitFor(() => attached(n), { what: `the kernel ARP program on ${n.name}`, timeout: 15_000, interval: 100 });
    sl.createService("web", { pool: "lan" });
    sl.setEndpoints("web", ["node-a"]);
    const ip = await sl.ingressIp("web");
    const [owner, next] = electionOrder(
      sl.nodes.map((n) => n.name),
      ip,
    ) as [string, string];
    await waitAnswer(ip, owner, `${owner} to answer for ${ip}`);
    expect(await answering(ip)).toEqual([macOf(owner)]);
    // The answers come from the kernel; the speaker reads the program's counts every 5 s into its metrics.
    const sent = new RegExp(`ironlb_layer2_responses_sent\\{[^}]*ip="${ip.replace(/\./g, "\\.")}"[^}]*\\} [1-9]`);
    await waitFor(async () => sent.test((await sl.http(sl.node(owner), "/metrics")).body), { what: `${owner}'s metrics to count the kernel's replies`, timeout: 15_000, interval: 500 });

    const victim = sl.node(owner);
    victim.speaker?.signal("SIGKILL");
    await victim.speaker?.exited;
    await waitAnswer(ip, next, `${next} to answer for ${ip} after SIGKILL of ${owner}`, 10_000);
    expect(await answering(ip)).toEqual([macOf(next)]);
  });
});
