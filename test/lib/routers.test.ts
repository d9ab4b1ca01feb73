// Proves the router wrappers against each other: every daemon pair establishes
// in namespaces and exchanges a route with its attributes, read back through
// the normalised RoutePath shape. Kept quick: one topology, passive sides
// chosen so nobody waits on GoBGP's 5 s first-connect delay.
import { expect, it } from "vitest";
import { bulkPrefixes, serviceV4, serviceV6 } from "./addresses.ts";
import { injectMrt, writeMrt } from "./routers/gobgp-mrt.ts";
import { bird, exabgp, frr, gobgp } from "./routers/index.ts";
import { describeLab } from "./suite.ts";

describeLab("lab routers: GoBGP <-> BIRD", { root: true, binaries: [...bird.binaries, ...gobgp.binaries] }, (lab) => {
  it("establishes with TCP MD5 and exchanges IPv4 and IPv6 routes with communities both ways", async () => {
    const [rb, rg] = [await lab.namespace("bird"), await lab.namespace("gobgp")];
    const link = await lab.veth(rb, rg);
    const [b, g] = [link.a.host!, link.b.host!];
    const r1 = await bird.start(rb, {
      asn: 64512,
      routerId: b.v4,
      neighbors: [{ address: g.v4, asn: 4_200_000_001, localAddress: b.v4, holdTime: 9, password: "lab-md5-key" }],
      routes: [{ prefix: `${serviceV4(1)}/32`, communities: ["64512:10"], largeCommunities: ["64512:1:2"], med: 7 }],
    });
    const r2 = await gobgp.start(rg, {
      asn: 4_200_000_001,
      routerId: g.v4,
      neighbors: [{ address: b.v4, asn: 64512, localAddress: g.v4, passive: true, holdTime: 9, password: "lab-md5-key" }],
      routes: [{ prefix: `${serviceV6(2)}/128`, nextHop: g.v6, communities: ["65000:20"], largeCommunities: ["4200000001:5:6"] }],
    });
    const s = await r1.waitEstablished(g.v4);
    expect(s.peerCapabilities).toEqual(expect.arrayContaining(["mp:ipv4-unicast", "mp:ipv6-unicast", "4-octet-as"]));
    expect(s.holdTime).toBe(9);
    expect((await r2.waitEstablished(b.v4)).peerCapabilities).toContain("route-refresh");

    const atGobgp = await r2.waitForRoutes((r) => r.length === 1, { prefix: `${serviceV4(1)}/32`, what: "BIRD's route" });
    expect(atGobgp[0]).toMatchObject({ peer: b.v4, nextHops: [b.v4], asPath: [64512], med: 7, communities: ["64512:10"], largeCommunities: ["64512:1:2"], best: true, stale: false });
    const atBird = await r1.waitForRoutes((r) => r.length === 1, { family: "ipv6", what: "GoBGP's IPv6 route" });
    expect(atBird[0]).toMatchObject({ prefix: `${serviceV6(2)}/128`, peer: g.v4, nextHops: [g.v6], asPath: [4_200_000_001], communities: ["65000:20"], largeCommunities: ["4200000001:5:6"] });
    // BIRD sent its own IPv6 routes nowhere (none configured), and GoBGP never reflects BIRD's route back.
    expect(await r1.routes({ family: "ipv4" })).toEqual([]);

    // Bulk load through an MRT file (the benchmark's path): every prefix reaches BIRD.
    const file = `${lab.runDir("mrt")}/routes.mrt`;
    writeMrt(file, { ipv4: bulkPrefixes("ipv4", 300), ipv6: bulkPrefixes("ipv6", 300), nextHopV4: g.v4, nextHopV6: g.v6, peerAs: 4_200_000_001, peerId: g.v4 });
    await injectMrt(r2, file, { ipv4: 300, ipv6: 301 }); // + the route added above
    const bulk = await r1.waitForRoutes((r) => r.length === 601, { what: "600 bulk routes and the IPv6 route", timeout: 30_000 });
    expect(bulk.find((r) => r.prefix === "10.99.129.43/32")).toMatchObject({ nextHops: [g.v4], asPath: [4_200_000_001] });
  });
});

describeLab("lab routers: FRR <-> BIRD", { root: true, binaries: [...bird.binaries, ...frr.binaries] }, (lab) => {
  it("establishes and exchanges routes with attributes, and BIRD keeps FRR's routes stale through a restart", async () => {
    const [rb, rf] = [await lab.namespace("bird"), await lab.namespace("frr")];
    const link = await lab.veth(rb, rf);
    const [b, f] = [link.a.host!, link.b.host!];
    const r1 = await bird.start(rb, {
      asn: 64600,
      routerId: b.v4,
      neighbors: [{ address: f.v4, asn: 64600, localAddress: b.v4, holdTime: 9, gracefulRestart: true }],
      routes: [{ prefix: `${serviceV6(7)}/128`, localPref: 250, communities: ["64600:1"] }],
    });
    const r2 = await frr.start(rf, {
      asn: 64600,
      routerId: f.v4,
      neighbors: [{ address: b.v4, asn: 64600, localAddress: f.v4, holdTime: 9, gracefulRestart: true }],
      routes: [{ prefix: `${serviceV4(7)}/32`, localPref: 300, med: 4, communities: ["64600:2"], largeCommunities: ["64600:0:3"] }],
    }, { zebra: true }); // zebra: BIRD's IPv6 next hop includes a link-local address

    expect((await r2.waitEstablished(b.v4)).peerCapabilities).toEqual(expect.arrayContaining(["mp:ipv4-unicast", "mp:ipv6-unicast", "graceful-restart"]));
    const atBird = await r1.waitForRoutes((r) => r.length === 1, { prefix: `${serviceV4(7)}/32`, what: "FRR's iBGP route" });
    expect(atBird[0]).toMatchObject({ peer: f.v4, nextHops: [f.v4], asPath: [], localPref: 300, med: 4, communities: ["64600:2"], largeCommunities: ["64600:0:3"], stale: false, origin: "igp" });
    const atFrr = await r2.waitForRoutes((r) => r.length === 1, { family: "ipv6", what: "BIRD's IPv6 route" });
    expect(atFrr[0]).toMatchObject({ prefix: `${serviceV6(7)}/128`, peer: b.v4, localPref: 250, communities: ["64600:1"] });
    expect(atFrr[0]?.nextHops[0]).toBe(b.v6);
    expect(atFrr[0]?.nextHops[1]).toBe(await rb.linkLocal(link.a.ifname));

    // FRR dies without a word; BIRD (graceful restart aware) keeps its route, marked stale.
    await r2.kill();
    await r1.waitForRoutes((r) => r.length === 1 && r[0]?.stale === true, { prefix: `${serviceV4(7)}/32`, what: "FRR's route kept as stale" });
    await r2.start();
    await r1.waitForRoutes((r) => r.length === 1 && r[0]?.stale === false, { prefix: `${serviceV4(7)}/32`, what: "FRR's route refreshed after its restart", timeout: 30_000 });
  });
});

describeLab("lab routers: ExaBGP -> BIRD", { root: true, binaries: [...bird.binaries, ...exabgp.binaries] }, (lab) => {
  it("announces configured and run-time routes to BIRD, receives BIRD's, and two speakers give BIRD two paths", async () => {
    const [rb, x1ns, x2ns] = [await lab.namespace("bird"), await lab.namespace("exabgp1"), await lab.namespace("exabgp2")];
    const seg = await lab.segment([rb, x1ns, x2ns]);
    const [b, x1, x2] = seg.members.map((m) => m.host!);
    if (b === undefined || x1 === undefined || x2 === undefined) throw new Error("segment lost a member");
    const r1 = await bird.start(rb, {
      asn: 64700,
      routerId: b.v4,
      neighbors: [x1, x2].map((x) => ({ address: x.v4, asn: 64701, localAddress: b.v4, holdTime: 9, passive: true })),
      routes: [{ prefix: `${serviceV4(9)}/32`, largeCommunities: ["64700:9:9"] }],
    });
    const shared = { prefix: `${serviceV4(20)}/32`, communities: ["64701:20"] };
    const [e1, e2] = await Promise.all(
      [x1, x2].map((x, i) =>
        exabgp.start(i === 0 ? x1ns : x2ns, {
          asn: 64701,
          routerId: x.v4,
          neighbors: [{ address: b.v4, asn: 64700, localAddress: x.v4, holdTime: 9 }],
          routes: i === 0 ? [{ prefix: `${serviceV4(8)}/32`, communities: ["64701:8"], med: 8 }, shared] : [shared],
        }),
      ),
    );
    if (e1 === undefined || e2 === undefined) throw new Error("ExaBGP did not start");
    expect((await r1.waitEstablished(x1.v4)).peerCapabilities).toContain("mp:ipv6-unicast");
    await e1.waitEstablished(b.v4);
    const atBird = await r1.waitForRoutes((r) => r.length === 1, { prefix: `${serviceV4(8)}/32`, what: "ExaBGP's configured route" });
    expect(atBird[0]).toMatchObject({ peer: x1.v4, nextHops: [x1.v4], asPath: [64701], med: 8, communities: ["64701:8"] });
    const atExa = await e1.waitForRoutes((r) => r.length === 1, { family: "ipv4", what: "BIRD's route at ExaBGP" });
    expect(atExa[0]).toMatchObject({ prefix: `${serviceV4(9)}/32`, asPath: [64700], largeCommunities: ["64700:9:9"] });

    // The same prefix from two speakers: two paths (ECMP candidates), one of them best.
    const paths = await r1.waitForRoutes((r) => r.length === 2, { prefix: shared.prefix, what: "two paths for the shared prefix" });
    expect(paths.map((p) => p.nextHops[0]).sort()).toEqual([x1.v4, x2.v4].sort());
    expect(paths.filter((p) => p.best)).toHaveLength(1);

    await e1.announce({ prefix: `${serviceV6(9)}/128`, nextHop: x1.v6, largeCommunities: ["64701:1:1"] });
    const v6 = await r1.waitForRoutes((r) => r.length === 1, { prefix: `${serviceV6(9)}/128`, what: "ExaBGP's run-time IPv6 route" });
    expect(v6[0]).toMatchObject({ nextHops: [x1.v6], largeCommunities: ["64701:1:1"] });
    await e1.withdraw(`${serviceV6(9)}/128`);
    await r1.waitForRoutes((r) => r.length === 0, { prefix: `${serviceV6(9)}/128`, what: "the IPv6 route withdrawn" });
    // A speaker that goes away takes its path with it (no graceful restart configured).
    await e2.stop();
    await r1.waitForRoutes((r) => r.length === 1 && r[0]?.peer === x1.v4, { prefix: shared.prefix, what: "one path left" });
  });
});
