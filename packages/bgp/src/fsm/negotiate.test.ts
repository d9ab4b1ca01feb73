import { describe, expect, test } from "vitest";
import { config, peerOpen } from "./fsm.fixtures.ts";
import { advertisedFamilies, myAsField, negotiate, type Negotiated } from "./negotiate.ts";

describe("negotiate", () => {
  test("capabilities present on both sides are negotiated; one-sided ones are not", () => {
    const local = config({ open: { ...config().open, capabilities: [...config().open.capabilities, { type: "extended-message" }] } });
    const n = negotiate(local, peerOpen({
      capabilities: [
        { type: "multiprotocol", afi: 1, safi: 1 },
        { type: "multiprotocol", afi: 2, safi: 1 },
        { type: "four-octet-as", as: 64513 },
        { type: "route-refresh" },
        { type: "extended-message" },
        { type: "graceful-restart", restarting: false, notification: false, restartTime: 120, families: [{ afi: 2, safi: 1, forwardingState: true }, { afi: 25, safi: 70, forwardingState: true }] },
        { type: "unknown", code: 73, data: new Uint8Array(2) },
      ],
    })) as Negotiated;
    expect(n).toMatchObject({ fourOctetAs: true, extendedMessage: true, routeRefresh: true, families: ["ipv4", "ipv6"] });
    expect(n.peerGracefulRestart).toEqual({ restarting: false, restartTime: 120, families: [{ family: "ipv6", forwardingState: true }] });
    expect(n.peerCapabilities).toHaveLength(7);
    const plain = negotiate(config(), peerOpen({ capabilities: [{ type: "extended-message" }] })) as Negotiated;
    expect(plain).toMatchObject({ fourOctetAs: false, extendedMessage: false, routeRefresh: false, families: ["ipv4"], peerGracefulRestart: undefined });
  });

  test("a peer without multiprotocol capabilities speaks IPv4 unicast", () => {
    expect(advertisedFamilies([])).toEqual(["ipv4"]);
    expect(advertisedFamilies([{ type: "multiprotocol", afi: 2, safi: 1 }])).toEqual(["ipv6"]);
  });

  test("keepalive is hold/3, at least 1 s", () => {
    expect((negotiate(config({ holdTime: 3 }), peerOpen({ holdTime: 3 })) as Negotiated).keepaliveTime).toBe(1);
    expect((negotiate(config({ holdTime: 4 }), peerOpen({ holdTime: 240 })) as Negotiated).keepaliveTime).toBe(1);
  });

  test("My AS field is AS_TRANS for 4-octet ASes (RFC 6793 §4.2.1)", () => {
    expect(myAsField(65000)).toBe(65000);
    expect(myAsField(4_200_000_000)).toBe(23456);
  });
});
