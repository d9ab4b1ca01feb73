// BGP sessions over real sockets (@ironlb/bgp/node's BgpPeer) for the
// speaker's session manager.
//
// As MetalLB's native speaker, sessions are active only: the speaker dials
// the peer and never listens on port 179 (a node may run its own routing
// daemon there). The peer's config maps to session options one to one:
// hold and keepalive time, source address, TCP MD5 password (inline or from
// the Secret), ebgp-multihop (TTL 255, FRR's default), graceful restart
// (restart time 120 s, FRR's default).
import { BgpPeer, defaultSocketFactory, type SocketFactory } from "@ironlb/bgp/node";
import { ceaseNotification, Codes } from "@ironlb/bgp";
import { formatIp, parseIp } from "@ironlb/core/ip";
import type { BgpSessionFactory, StopReason } from "./sessions.ts";

const GRACEFUL_RESTART_TIME_S = 120;

const subcode: Record<StopReason, number> = {
  deconfigured: Codes.CeaseSubcode.PeerDeconfigured,
  changed: Codes.CeaseSubcode.OtherConfigurationChange,
  shutdown: Codes.CeaseSubcode.AdministrativeShutdown,
};

export function socketSessionFactory(socketFactory: SocketFactory = defaultSocketFactory): BgpSessionFactory {
  return (spec, onEvent) => {
    const p = spec.peer;
    const peer = new BgpPeer(
      {
        address: formatIp(p.peerAddress),
        port: p.peerPort,
        localAddress: p.sourceAddress === null ? undefined : formatIp(p.sourceAddress),
        password: spec.password,
        multihop: p.ebgpMultihop ? 255 : undefined,
        localAs: p.myAsn,
        peerAs: p.peerAsn,
        routerId: parseIp(spec.routerId),
        holdTime: p.holdTime,
        keepaliveTime: p.keepaliveTime ?? undefined,
        mode: "active",
        gracefulRestart: p.gracefulRestart ? { restartTime: GRACEFUL_RESTART_TIME_S } : undefined,
      },
      socketFactory,
      onEvent,
    );
    peer.start();
    return {
      setAdvertisements: (all) => peer.setAdvertisements(all),
      counters() {
        const c = peer.counters();
        return { established: c.state === "Established", updatesSent: c.updatesSent, prefixesAdvertised: c.prefixesAdvertised, prefixesPending: c.prefixesPending };
      },
      stop(why, message) {
        // RFC 9003 messages only go with Administrative Shutdown / Reset.
        peer.session.stop({ notification: ceaseNotification(subcode[why], why === "shutdown" ? message : undefined) });
      },
      async settled() {
        await peer.settled(1000);
        peer.dispose();
      },
    };
  };
}
