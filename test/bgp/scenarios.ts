// The interop scenarios every real router must pass against our speaker
// (run per daemon by bird/gobgp/frr/exabgp.test.ts, one namespace per side):
// eBGP with a 4-octet AS and iBGP with a 2-octet AS, IPv4 and IPv6 prefixes
// with their attributes, then withdrawn; TCP MD5 with the right and a wrong
// key; a frozen router (SIGSTOP) and our hold-timer NOTIFICATION; a router
// restart; graceful restart of our speaker.
//
// Routers are passive (our speaker connects), which keeps every session up in
// about a second (GoBGP waits 5-9 s before its own first connect). Timers are
// short (hold 3 or 9 s) so the whole file runs in well under a minute or two.
import { expect, it } from "vitest";
import { serviceV4, serviceV6 } from "../lib/addresses.ts";
import type { Lab } from "../lib/netns.ts";
import type { Router } from "../lib/routers/index.ts";
import type { NeighborConfig, RoutePath, RouterConfig, RouterKind } from "../lib/routers/types.ts";
import { startCapture } from "../lib/tcpdump.ts";
import { waitFor } from "../lib/wait-for.ts";
import { type Probe, startProbe } from "./probe.ts";

export type StartRouter = (ns: Awaited<ReturnType<Lab["namespace"]>>, config: RouterConfig) => Promise<Router>;

const ROUTER_AS = 64512;
const FOUR_OCTET_AS = 4_200_000_001;

interface Topology {
  readonly router: Router;
  readonly r: { readonly v4: string; readonly v6: string };
  readonly s: { readonly v4: string; readonly v6: string };
  readonly speakerNs: Awaited<ReturnType<Lab["namespace"]>>;
  readonly routerNs: Awaited<ReturnType<Lab["namespace"]>>;
  readonly routerIf: string;
  probe(args: readonly string[]): Probe;
}

export function interopScenarios(kind: RouterKind, lab: Lab, start: StartRouter): void {
  const probes: Probe[] = [];

  async function topology(neighbor: Partial<NeighborConfig> & { readonly asn: number }): Promise<Topology> {
    const routerNs = await lab.namespace(`${kind}-r`);
    const speakerNs = await lab.namespace(`${kind}-s`);
    const link = await lab.veth(routerNs, speakerNs);
    const r = link.a.host as NonNullable<typeof link.a.host>;
    const s = link.b.host as NonNullable<typeof link.b.host>;
    const router = await start(routerNs, {
      asn: ROUTER_AS,
      routerId: r.v4,
      // ExaBGP listens only when told where; the others listen everywhere by default.
      ...(kind === "exabgp" ? { listen: { address: r.v4 } } : {}),
      neighbors: [{ address: s.v4, localAddress: r.v4, passive: true, holdTime: 9, export: "none", ...neighbor }],
    });
    return {
      router,
      r,
      s,
      speakerNs,
      routerNs,
      routerIf: link.a.ifname,
      probe: (args) => {
        const p = startProbe(speakerNs, ["--peer", r.v4, "--peer-as", String(ROUTER_AS), "--source", s.v4, "--stdin", "--connect-retry", "2", ...args]);
        probes.push(p);
        return p;
      },
    };
  }

  const v4 = `${serviceV4(11)}/32`;
  const v6 = `${serviceV6(11)}/128`;
  const both = (routes: RoutePath[]) => routes.some((x) => x.prefix === v4) && routes.some((x) => x.prefix === v6);
  const stopAll = async () => {
    for (const p of probes.splice(0)) if (p.proc.running) await p.kill();
  };

  it("eBGP with a 4-octet AS: IPv4 and IPv6 prefixes arrive with AS_PATH, next hop, communities and large communities, then are withdrawn", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: FOUR_OCTET_AS });
    const p = t.probe(["--local-as", String(FOUR_OCTET_AS), "--hold-time", "9", "--announce", `${v4},${v6}`, "--next-hop", t.s.v6, "--communities", "64512:200,64512:100,64512:200", "--large-communities", `${FOUR_OCTET_AS}:7:8,${FOUR_OCTET_AS}:1:2`]);
    const session = await t.router.waitEstablished(t.s.v4);
    expect(session.peerCapabilities).toEqual(expect.arrayContaining(["mp:ipv4-unicast", "mp:ipv6-unicast", "4-octet-as", "route-refresh"]));
    await p.established();
    const routes = await t.router.waitForRoutes(both, { what: "our IPv4 and IPv6 prefixes" });
    const at4 = routes.find((x) => x.prefix === v4);
    const at6 = routes.find((x) => x.prefix === v6);
    expect(at4).toMatchObject({ nextHops: [t.s.v4], asPath: [FOUR_OCTET_AS], communities: ["64512:100", "64512:200"], largeCommunities: [`${FOUR_OCTET_AS}:1:2`, `${FOUR_OCTET_AS}:7:8`] });
    expect(at6).toMatchObject({ nextHops: [t.s.v6], asPath: [FOUR_OCTET_AS], communities: ["64512:100", "64512:200"], largeCommunities: [`${FOUR_OCTET_AS}:1:2`, `${FOUR_OCTET_AS}:7:8`] });
    // Withdraw one, then the other: explicit UPDATE withdrawals, the session stays up.
    p.announce([v6]);
    await t.router.waitForRoutes((r) => !r.some((x) => x.prefix === v4) && r.some((x) => x.prefix === v6), { what: "IPv4 prefix withdrawn" });
    p.announce([]);
    await t.router.waitForRoutes((r) => r.length === 0, { what: "every prefix withdrawn" });
    expect((await t.router.session(t.s.v4))?.established).toBe(true);
    expect(await p.stop()).toBe(0);
    await stopAll();
  });

  it("iBGP with a 2-octet AS: LOCAL_PREF arrives, AS_PATH is empty", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: ROUTER_AS });
    const p = t.probe(["--local-as", String(ROUTER_AS), "--hold-time", "9", "--announce", `${v4},${v6}`, "--next-hop", t.s.v6, "--local-pref", "250"]);
    await t.router.waitEstablished(t.s.v4);
    await p.established();
    const routes = await t.router.waitForRoutes(both, { what: "our prefixes over iBGP" });
    for (const r of routes) expect(r).toMatchObject({ asPath: [], localPref: 250 });
    await stopAll();
  });

  it("TCP MD5: the right key brings the session up, a wrong key never does", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: FOUR_OCTET_AS, password: "ironlb-md5-key" });
    const good = t.probe(["--local-as", String(FOUR_OCTET_AS), "--password", "ironlb-md5-key", "--announce", v4]);
    await t.router.waitEstablished(t.s.v4);
    await good.established();
    await t.router.waitForRoutes((r) => r.some((x) => x.prefix === v4), { what: "route over the MD5 session" });
    await good.stop();
    await waitFor(async () => (await t.router.session(t.s.v4))?.established === false || undefined, { what: "router session down after Cease" });
    const capture = await startCapture(t.routerNs, { ifname: t.routerIf, filter: `tcp dst port 179 and src host ${t.s.v4}`, linkLevel: false });
    try {
      const bad = t.probe(["--local-as", String(FOUR_OCTET_AS), "--password", "not-the-key"]);
      // The router's kernel drops our badly signed SYNs: wait until several attempts were seen.
      await waitFor(() => (capture.packets().filter((x) => /Flags \[S\]/.test(x.text)).length >= 3 ? true : undefined), { what: "three SYNs with the wrong key", timeout: 20_000 });
      expect((await t.router.session(t.s.v4))?.established).not.toBe(true);
      expect(bad.has((l) => l.event === "stateChanged" && (l["to"] === "OpenSent" || l["to"] === "Established"))).toBe(false);
    } finally {
      await capture.stop();
      await stopAll();
    }
  });

  it("a frozen router (SIGSTOP): our hold timer expires and NOTIFICATION 4/0 goes on the wire", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: FOUR_OCTET_AS, holdTime: 3 });
    const p = t.probe(["--local-as", String(FOUR_OCTET_AS), "--hold-time", "3"]);
    await t.router.waitEstablished(t.s.v4);
    await p.established();
    const capture = await startCapture(t.routerNs, { ifname: t.routerIf, filter: "tcp port 179", linkLevel: false, extraArgs: ["-v"] });
    try {
      t.router.pause();
      const sent = await p.waitFor((l) => l.event === "notificationSent" && l["code"] === 4, "NOTIFICATION Hold Timer Expired", 10_000);
      expect(sent).toMatchObject({ code: 4, subcode: 0, codeName: "Hold Timer Expired" });
      await p.waitFor((l) => l.event === "stateChanged" && l["from"] === "Established" && l["reason"] === "hold-timer-expired", "Established -> Idle for hold-timer-expired");
      // The router's kernel still receives while the daemon is frozen: the NOTIFICATION is on its link.
      await capture.waitForPacket(/Hold Timer Expired|Notification Message/i, { what: "our NOTIFICATION at the router", timeout: 5000 });
    } finally {
      t.router.resume();
      await capture.stop();
    }
    // After SIGCONT the router reads it (or its own hold timer fires) and the session comes back.
    await t.router.waitEstablished(t.s.v4, { timeout: 30_000 });
    await stopAll();
  });

  it("the router restarts: the session and our routes come back", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: FOUR_OCTET_AS });
    const p = t.probe(["--local-as", String(FOUR_OCTET_AS), "--hold-time", "9", "--announce", `${v4},${v6}`, "--next-hop", t.s.v6]);
    await t.router.waitForRoutes(both, { what: "our prefixes before the restart" });
    const before = p.lines().filter((l) => l.event === "stateChanged" && l["to"] === "Established").length;
    await t.router.restart();
    await t.router.waitEstablished(t.s.v4, { timeout: 30_000 });
    await t.router.waitForRoutes(both, { what: "our prefixes after the restart" });
    await p.waitFor(() => p.lines().filter((l) => l.event === "stateChanged" && l["to"] === "Established").length > before, "a second Established");
    await stopAll();
  });

  it("graceful restart: our routes stay at the router while we restart, and are refreshed after", { timeout: 90_000 }, async () => {
    const t = await topology({ asn: FOUR_OCTET_AS, gracefulRestart: true, gracefulRestartTime: 120 });
    const args = ["--local-as", String(FOUR_OCTET_AS), "--hold-time", "9", "--announce", `${v4},${v6}`, "--next-hop", t.s.v6, "--graceful-restart", "120"];
    const first = t.probe(args);
    const session = await t.router.waitEstablished(t.s.v4);
    expect(session.peerCapabilities).toContain("graceful-restart");
    await first.waitFor((l) => l.event === "endOfRibSent", "End-of-RIB sent");
    await t.router.waitForRoutes(both, { what: "our prefixes" });
    // A crash: the kernel closes the connection, no NOTIFICATION (RFC 4724 §4).
    await first.kill();
    await waitFor(async () => (await t.router.session(t.s.v4))?.established === false || undefined, { what: `${kind} notices the session is down` });
    if (kind === "exabgp") {
      // ExaBGP keeps no RIB at all: its routes vanish with the session, whatever GR says.
      await t.router.waitForRoutes((r) => r.length === 0, { what: "ExaBGP drops routes without a RIB" });
    } else {
      const kept = await t.router.waitForRoutes(both, { what: "our prefixes kept while we are away" });
      if (kind !== "bird") expect(kept.every((x) => x.stale)).toBe(true); // BIRD flags stale only after the reconnect
    }
    const second = t.probe([...args, "--restarting"]);
    await second.established();
    await second.waitFor((l) => l.event === "endOfRibSent", "End-of-RIB after the restart");
    const refreshed = await t.router.waitForRoutes((r) => both(r) && r.every((x) => !x.stale), { what: "our prefixes refreshed, not stale" });
    expect(refreshed.filter((x) => x.prefix === v4)).toHaveLength(1);
    await stopAll();
  });
}
