import { describe, expect, test } from "vitest";
import { BgpWireError } from "../errors.ts";
import { ceaseNotification } from "../notification.ts";
import { config, Driver, LOCAL_ID, peerOpen, PEER_ID, sent, stateChange } from "./fsm.fixtures.ts";
import type { FsmAction } from "./types.ts";

const has = (actions: FsmAction[], want: Partial<FsmAction>) => expect(actions).toContainEqual(expect.objectContaining(want));

describe("FSM: Idle", () => {
  test("ManualStart connects out and arms the ConnectRetryTimer -> Connect", () => {
    const d = new Driver();
    const a = d.on({ type: "ManualStart" });
    expect(a).toContainEqual({ type: "connect", conn: 1 });
    has(a, { type: "startTimer", timer: "connectRetry", ms: 1000, at: 1000 });
    expect(stateChange(a)).toEqual({ type: "stateChanged", from: "Idle", to: "Connect", reason: "manual-start" });
  });

  test("passive configuration: ManualStart only listens -> Active", () => {
    const d = new Driver(config({ mode: "passive" }));
    const a = d.on({ type: "ManualStart" });
    expect(a.filter((x) => x.type === "connect")).toEqual([]);
    expect(d.s).toBe("Active");
  });

  test("ManualStartWithPassiveTcpEstablishment listens even when configured 'both'", () => {
    const d = new Driver();
    d.on({ type: "ManualStartWithPassiveTcpEstablishment" });
    expect(d.s).toBe("Active");
  });

  test("an inbound connection is refused while stopped; messages are ignored", () => {
    const d = new Driver();
    expect(d.on({ type: "TcpConnectionConfirmed" })).toEqual([{ type: "reject", reason: "not-running" }]);
    expect(d.on({ type: "KeepAliveMsg", conn: 1 })).toEqual([]);
    expect(d.on({ type: "HoldTimerExpires", conn: 1 })).toEqual([]);
    expect(d.s).toBe("Idle");
  });

  test("a second start is ignored", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    expect(d.on({ type: "AutomaticStart" })).toEqual([]);
  });
});

describe("FSM: Connect and Active", () => {
  test("Tcp_CR_Acked sends OPEN with the large OpenSent hold timer -> OpenSent", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    const a = d.on({ type: "TcpCrAcked", conn: 1 }, 10);
    expect(sent(a)).toEqual(["open"]);
    has(a, { type: "startTimer", timer: "hold", conn: 1, ms: 240_000 });
    has(a, { type: "stopTimer", timer: "connectRetry" });
    expect(d.s).toBe("OpenSent");
  });

  test("connect failures back off exponentially up to the cap, listening in Active meanwhile", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const conn = d.state.connections[0]?.id as number;
      const fail = d.on({ type: "TcpConnectionFails", conn });
      expect(d.s).toBe("Active");
      const t = fail.find((x) => x.type === "startTimer" && x.timer === "connectRetry") as { ms: number };
      delays.push(t.ms);
      const retry = d.on({ type: "ConnectRetryTimerExpires" }, t.ms);
      expect(retry.some((x) => x.type === "connect")).toBe(true);
      expect(d.s).toBe("Connect");
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(d.state.connectRetryCounter).toBe(6);
  });

  test("ConnectRetryTimer expiry in Connect drops the attempt and tries again", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    const a = d.on({ type: "ConnectRetryTimerExpires" }, 1000);
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(a).toContainEqual({ type: "connect", conn: 2 });
    expect(d.s).toBe("Connect");
  });

  test("jitter comes from the injected random() (RFC 4271 §10: 0.75..1.0)", () => {
    const d = new Driver(config({ random: () => 0 }));
    const a = d.on({ type: "ManualStart" });
    has(a, { type: "startTimer", timer: "connectRetry", ms: 750 });
  });

  test("an inbound connection while connecting is accepted and gets our OPEN", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    const a = d.on({ type: "TcpConnectionConfirmed" }, 3);
    expect(a).toContainEqual({ type: "accept", conn: 2 });
    expect(sent(a)).toEqual(["open"]);
    expect(d.s).toBe("OpenSent");
    expect(d.state.connections.map((c) => [c.id, c.direction, c.state])).toEqual([
      [1, "outbound", "Connect"],
      [2, "inbound", "OpenSent"],
    ]);
  });
});

describe("FSM: OpenSent", () => {
  function openSent(cfg = config()) {
    const d = new Driver(cfg);
    d.on({ type: "ManualStart" });
    d.on({ type: "TcpCrAcked", conn: 1 });
    return d;
  }

  test("a good OPEN: KEEPALIVE, hold = min(ours, theirs), keepalive = hold/3 -> OpenConfirm", () => {
    const d = openSent();
    const a = d.on({ type: "BgpOpen", conn: 1, open: peerOpen({ holdTime: 30 }) }, 7);
    expect(sent(a)).toEqual(["keepalive"]);
    has(a, { type: "startTimer", timer: "hold", conn: 1, ms: 30_000 });
    has(a, { type: "startTimer", timer: "keepalive", conn: 1, ms: 10_000 });
    expect(d.s).toBe("OpenConfirm");
    expect(d.state.connections[0]?.negotiated).toMatchObject({ holdTime: 30, keepaliveTime: 10, peerAs: 64513, external: true, families: ["ipv4"] });
  });

  test("our hold time wins when smaller; configured keepalive is honoured", () => {
    const d = openSent(config({ holdTime: 9, keepaliveTime: 2 }));
    const a = d.on({ type: "BgpOpen", conn: 1, open: peerOpen({ holdTime: 180 }) });
    has(a, { type: "startTimer", timer: "hold", ms: 9000 });
    has(a, { type: "startTimer", timer: "keepalive", ms: 2000 });
  });

  test("hold time 0 on either side disables hold and keepalive timers", () => {
    const d = openSent();
    const a = d.on({ type: "BgpOpen", conn: 1, open: peerOpen({ holdTime: 0 }) });
    expect(a.filter((x) => x.type === "startTimer")).toEqual([]);
    expect(d.timer("hold:1")).toBeUndefined();
  });

  test.each([
    ["unsupported version 3 -> 2/1 with our version", peerOpen({ version: 3 }), "notification 2/1"],
    ["wrong peer AS -> 2/2", peerOpen({ myAs: 64999, capabilities: [{ type: "four-octet-as", as: 64999 }] }), "notification 2/2"],
    ["AS from the 4-octet capability wins over AS_TRANS", peerOpen({ myAs: 23456, capabilities: [{ type: "four-octet-as", as: 4_200_000_000 }] }), "notification 2/2"],
    ["hold time 1 -> 2/6", peerOpen({ holdTime: 1 }), "notification 2/6"],
    ["hold time 2 -> 2/6", peerOpen({ holdTime: 2 }), "notification 2/6"],
    ["BGP identifier 0 -> 2/3", peerOpen({ bgpId: 0 }), "notification 2/3"],
    ["an unknown optional parameter -> 2/4", peerOpen({ parameters: [{ type: 1, data: new Uint8Array(1) }] }), "notification 2/4"],
    ["no address family in common -> 2/7", peerOpen({ capabilities: [{ type: "multiprotocol", afi: 25, safi: 65 }] }), "notification 2/7"],
  ])("%s, then close -> Idle with an idle hold", (_name, open, want) => {
    const d = openSent();
    const a = d.on({ type: "BgpOpen", conn: 1, open });
    expect(sent(a)).toEqual([want]);
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(d.s).toBe("Idle");
    expect(stateChange(a)).toMatchObject({ from: "OpenSent", to: "Idle", reason: "open-message-error" });
    has(a, { type: "startTimer", timer: "idleHold" });
  });

  test("version error carries the version we speak as 2 octets (RFC 4271 §6.2)", () => {
    const d = openSent();
    const a = d.on({ type: "BgpOpen", conn: 1, open: peerOpen({ version: 5 }) });
    const n = a.find((x) => x.type === "send") as { message: { data: Uint8Array } };
    expect([...n.message.data]).toEqual([0, 4]);
  });

  test("iBGP peer with our own identifier -> 2/3 (RFC 6286 §2.2); eBGP allows it", () => {
    const ibgp = openSent(config({ peerAs: 64512 }));
    expect(sent(ibgp.on({ type: "BgpOpen", conn: 1, open: peerOpen({ myAs: 64512, bgpId: LOCAL_ID, capabilities: [] }) }))).toEqual(["notification 2/3"]);
    const ebgp = openSent();
    expect(sent(ebgp.on({ type: "BgpOpen", conn: 1, open: peerOpen({ bgpId: LOCAL_ID }) }))).toEqual(["keepalive"]);
  });

  test("KEEPALIVE in OpenSent -> FSM error 5/1 (RFC 6608)", () => {
    const d = openSent();
    const a = d.on({ type: "KeepAliveMsg", conn: 1 });
    expect(sent(a)).toEqual(["notification 5/1"]);
    expect(stateChange(a)?.reason).toBe("unexpected-message");
  });

  test("the 4-minute hold timer expires -> 4/0", () => {
    const d = openSent();
    const a = d.on({ type: "HoldTimerExpires", conn: 1 }, 240_000);
    expect(sent(a)).toEqual(["notification 4/0"]);
    expect(stateChange(a)).toMatchObject({ to: "Idle", reason: "hold-timer-expired" });
  });

  test("header and OPEN decode errors are answered with their own NOTIFICATION", () => {
    const d = openSent();
    const a = d.on({ type: "BgpHeaderErr", conn: 1, error: new BgpWireError("x", { code: 1, subcode: 2 }) });
    expect(sent(a)).toEqual(["notification 1/2"]);
    const d2 = openSent();
    expect(sent(d2.on({ type: "BgpOpenMsgErr", conn: 1, error: new BgpWireError("x", { code: 2, subcode: 0 }) }))).toEqual(["notification 2/0"]);
  });

  test("a NOTIFICATION from the peer closes without answering", () => {
    const d = openSent();
    const a = d.on({ type: "NotifMsg", conn: 1, notification: ceaseNotification(2) });
    expect(sent(a)).toEqual([]);
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(stateChange(a)).toMatchObject({ to: "Idle", reason: "notification-received" });
  });

  test("TCP failure in OpenSent -> Idle, then the idle hold restarts the session", () => {
    const d = openSent();
    const a = d.on({ type: "TcpConnectionFails", conn: 1 });
    expect(d.s).toBe("Idle");
    const t = a.find((x) => x.type === "startTimer" && x.timer === "idleHold") as { ms: number };
    const b = d.on({ type: "IdleHoldTimerExpires" }, t.ms);
    expect(b).toContainEqual({ type: "connect", conn: 2 });
    expect(d.s).toBe("Connect");
  });
});

describe("FSM: OpenConfirm", () => {
  function openConfirm() {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    d.on({ type: "TcpCrAcked", conn: 1 });
    d.on({ type: "BgpOpen", conn: 1, open: peerOpen() });
    return d;
  }

  test("KEEPALIVE -> Established, with the negotiated parameters", () => {
    const d = openConfirm();
    const a = d.on({ type: "KeepAliveMsg", conn: 1 }, 20);
    expect(a).toContainEqual(expect.objectContaining({ type: "established", conn: 1 }));
    has(a, { type: "startTimer", timer: "hold", conn: 1, ms: 30_000 });
    expect(stateChange(a)).toEqual({ type: "stateChanged", from: "OpenConfirm", to: "Established", reason: "keepalive-received" });
  });

  test("our keepalive timer sends KEEPALIVE and re-arms", () => {
    const d = openConfirm();
    const a = d.on({ type: "KeepaliveTimerExpires", conn: 1 }, 10_000);
    expect(sent(a)).toEqual(["keepalive"]);
    has(a, { type: "startTimer", timer: "keepalive", conn: 1, ms: 10_000 });
  });

  test("UPDATE in OpenConfirm -> 5/2; hold expiry -> 4/0", () => {
    expect(sent(openConfirm().on({ type: "UpdateMsg", conn: 1 }))).toEqual(["notification 5/2"]);
    expect(sent(openConfirm().on({ type: "HoldTimerExpires", conn: 1 }, 30_000))).toEqual(["notification 4/0"]);
  });
});

describe("FSM: Established", () => {
  test("KEEPALIVE, UPDATE and ROUTE-REFRESH restart the hold timer", () => {
    const d = new Driver();
    d.establishOutbound();
    for (const type of ["KeepAliveMsg", "UpdateMsg", "RouteRefreshMsg"] as const) {
      const a = d.on({ type, conn: 1 }, 1000);
      has(a, { type: "startTimer", timer: "hold", conn: 1, at: d.now + 30_000 });
    }
  });

  test("hold timer expiry sends 4/0, closes, and restarts after the idle hold", () => {
    const d = new Driver();
    d.establishOutbound();
    const a = d.on({ type: "HoldTimerExpires", conn: 1 }, 30_000);
    expect(sent(a)).toEqual(["notification 4/0"]);
    expect(a.map((x) => x.type)).toEqual(expect.arrayContaining(["send", "close", "stopTimer", "startTimer", "stateChanged"]));
    // backoff was reset by Established: the first retry uses the initial delay
    has(a, { type: "startTimer", timer: "idleHold", ms: 1000 });
    expect(stateChange(a)).toMatchObject({ from: "Established", to: "Idle", reason: "hold-timer-expired" });
  });

  test("a stale hold timer event (already restarted or stopped) is ignored", () => {
    const d = new Driver();
    d.establishOutbound();
    d.on({ type: "ManualStop" });
    expect(d.on({ type: "HoldTimerExpires", conn: 1 })).toEqual([]);
  });

  test("an UPDATE error resets with its own code/subcode", () => {
    const d = new Driver();
    d.establishOutbound();
    const a = d.on({ type: "UpdateMsgErr", conn: 1, error: new BgpWireError("x", { code: 3, subcode: 1 }) });
    expect(sent(a)).toEqual(["notification 3/1"]);
    expect(stateChange(a)?.reason).toBe("update-message-error");
  });

  test("OPEN in Established -> 5/3", () => {
    const d = new Driver();
    d.establishOutbound();
    expect(sent(d.on({ type: "BgpOpen", conn: 1, open: peerOpen() }))).toEqual(["notification 5/3"]);
  });

  test("ManualStop sends Cease / Administrative Shutdown with the RFC 9003 message and stops everything", () => {
    const d = new Driver();
    d.establishOutbound();
    const a = d.on({ type: "ManualStop", notification: ceaseNotification(2, "maintenance") });
    expect(sent(a)).toEqual(["notification 6/2"]);
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(d.state.timers).toEqual({});
    expect(stateChange(a)).toMatchObject({ from: "Established", to: "Idle", reason: "manual-stop" });
  });

  test("a graceful stop closes without NOTIFICATION (RFC 4724: the peer keeps our routes)", () => {
    const d = new Driver();
    d.establishOutbound();
    const a = d.on({ type: "ManualStop", graceful: true });
    expect(sent(a)).toEqual([]);
    expect(a).toContainEqual({ type: "close", conn: 1 });
  });

  test("TCP failure -> Idle", () => {
    const d = new Driver();
    d.establishOutbound();
    d.on({ type: "TcpConnectionFails", conn: 1 });
    expect(d.s).toBe("Idle");
  });
});

describe("FSM: connection collisions (RFC 4271 §6.8)", () => {
  /** Outbound conn 1 in OpenConfirm, inbound conn 2 in OpenSent. */
  function collide(cfg = config()) {
    const d = new Driver(cfg);
    d.on({ type: "ManualStart" });
    d.on({ type: "TcpCrAcked", conn: 1 });
    d.on({ type: "BgpOpen", conn: 1, open: peerOpen() });
    d.on({ type: "TcpConnectionConfirmed" });
    expect(d.state.connections.map((c) => c.state)).toEqual(["OpenConfirm", "OpenSent"]);
    return d;
  }

  test("our identifier is higher: our outbound connection survives, the inbound gets Cease 6/7", () => {
    const d = collide(config({ bgpId: PEER_ID + 1 }));
    const a = d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    expect(a.filter((x) => x.type === "send" || x.type === "close")).toEqual([
      { type: "send", conn: 2, message: expect.objectContaining({ code: 6, subcode: 7 }) },
      { type: "close", conn: 2 },
    ]);
    expect(d.state.connections.map((c) => c.id)).toEqual([1]);
  });

  test("the peer's identifier is higher: the connection it opened survives", () => {
    const d = collide(config({ bgpId: PEER_ID - 1 }));
    const a = d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    expect(a.filter((x) => x.type === "close")).toEqual([{ type: "close", conn: 1 }]);
    expect(sent(a)).toEqual(["notification 6/7", "keepalive"]);
    expect(d.state.connections.map((c) => [c.id, c.state])).toEqual([[2, "OpenConfirm"]]);
    expect(d.s).toBe("OpenConfirm");
  });

  test("equal identifiers (RFC 6286 §2.3): the larger AS's connection survives", () => {
    const d = collide(config({ bgpId: PEER_ID }));
    d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    // peer AS 64513 > local 64512: the inbound one survives
    expect(d.state.connections.map((c) => c.id)).toEqual([2]);
  });

  test("a new connection colliding with an Established one is closed", () => {
    const d = new Driver();
    d.establishOutbound();
    d.on({ type: "TcpConnectionConfirmed" });
    const a = d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    expect(sent(a)).toEqual(["notification 6/7"]);
    expect(d.s).toBe("Established");
  });

  test("a peer that restarted (R bit) replaces its Established connection", () => {
    const d = new Driver();
    d.establishOutbound();
    d.on({ type: "TcpConnectionConfirmed" });
    const open = peerOpen({ capabilities: [...peerOpen().capabilities, { type: "graceful-restart", restarting: true, notification: false, restartTime: 120, families: [] }] });
    const a = d.on({ type: "BgpOpen", conn: 2, open });
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(stateChange(a)).toMatchObject({ from: "Established", to: "OpenConfirm", reason: "peer-restarted" });
  });

  test("an inbound connection arriving while the old inbound one is Established replaces it", () => {
    const d = new Driver(config({ mode: "passive" }));
    d.on({ type: "ManualStart" });
    d.on({ type: "TcpConnectionConfirmed" });
    d.on({ type: "BgpOpen", conn: 1, open: peerOpen() });
    d.on({ type: "KeepAliveMsg", conn: 1 });
    d.on({ type: "TcpConnectionConfirmed" });
    const a = d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    expect(a).toContainEqual({ type: "close", conn: 1 });
    d.on({ type: "KeepAliveMsg", conn: 2 });
    expect(d.s).toBe("Established");
  });

  test("a third connection is refused", () => {
    const d = collide();
    expect(d.on({ type: "TcpConnectionConfirmed" })).toEqual([{ type: "reject", reason: "too-many-connections" }]);
  });

  test("the outbound attempt still in flight is dropped once another connection has the OPEN", () => {
    const d = new Driver();
    d.on({ type: "ManualStart" });
    d.on({ type: "TcpConnectionConfirmed" });
    const a = d.on({ type: "BgpOpen", conn: 2, open: peerOpen() });
    expect(a).toContainEqual({ type: "close", conn: 1 });
    expect(d.state.connections.map((c) => c.id)).toEqual([2]);
  });
});
