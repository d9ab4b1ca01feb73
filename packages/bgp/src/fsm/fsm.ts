// The BGP session FSM of RFC 4271 §8, pure and sans-IO:
// step(state, event, now) -> { state, actions }.
//
// The session may hold up to two TCP connections to the peer at once (one we
// opened, one it opened, or an old and a new one), as §6.8 requires for
// collision detection; each connection has its own progress (Connect,
// OpenSent, OpenConfirm, Established) and its own hold and keepalive timers,
// as BIRD's outgoing_conn/incoming_conn do. The session state reported to the
// world is derived: the most advanced connection's state, else Active while
// waiting for a connection, else Idle. One transition function per connection
// state, as GoBGP does, but with no sockets: actions tell a driver what to do
// (connect, send, close, start/stop timers) and timer expiry comes back as
// events. `now` only stamps timer deadlines.
//
// Departures from the RFC text, deliberately:
//   - after a failed TCP connect we wait in Active (listening) rather than
//     Idle, and retry after an exponential backoff capped at ConnectRetryTime
//     (reset once Established), so a restarting peer is not hammered;
//   - an inbound connection is accepted during the idle hold after a failure
//     (a passive speaker that refused would wait for the peer's own retry,
//     often two minutes);
//   - a new connection whose OPEN arrives while another is Established
//     replaces it when it comes from the same direction or carries the
//     graceful-restart R bit (the peer restarted: RFC 4724 §4.2); otherwise
//     it loses the collision (§6.8).
import { CeaseSubcode } from "../codes.ts";
import type { BgpWireError } from "../errors.ts";
import { keepalive, type Message } from "../message.ts";
import { ceaseNotification, type NotificationMessage } from "../notification.ts";
import type { OpenMessage } from "../open.ts";
import { resolveCollision } from "./collision.ts";
import { negotiate } from "./negotiate.ts";
import { collisionResolution, holdTimerExpired, notificationFor, unexpectedMessage } from "./notify.ts";
import { backoffDelay, jitter } from "./timers.ts";
import type { BgpState, Connection, ConnId, FsmAction, FsmConfig, FsmEvent, FsmState, StateReason, StepResult, TimerName } from "./types.ts";

export function initialState(config: FsmConfig): FsmState {
  return Object.freeze({
    config,
    state: "Idle",
    running: false,
    passive: config.mode === "passive",
    connections: [],
    nextConn: 1,
    timers: {},
    attempt: 0,
    connectRetryCounter: 0,
  });
}

export function timerKey(timer: TimerName, conn?: ConnId): string {
  return conn === undefined ? timer : `${timer}:${conn}`;
}

const defaultReason: Record<FsmEvent["type"], StateReason> = {
  ManualStart: "manual-start",
  ManualStop: "manual-stop",
  AutomaticStart: "automatic-start",
  ManualStartWithPassiveTcpEstablishment: "manual-start",
  AutomaticStartWithPassiveTcpEstablishment: "automatic-start",
  AutomaticStop: "automatic-stop",
  ConnectRetryTimerExpires: "connect-retry-timer-expired",
  HoldTimerExpires: "hold-timer-expired",
  KeepaliveTimerExpires: "keepalive-received",
  IdleHoldTimerExpires: "idle-hold-timer-expired",
  TcpCrAcked: "tcp-cr-acked",
  TcpConnectionConfirmed: "tcp-connection-confirmed",
  TcpConnectionFails: "tcp-connection-fails",
  BgpOpen: "open-received",
  BgpHeaderErr: "header-error",
  BgpOpenMsgErr: "open-message-error",
  NotifMsg: "notification-received",
  KeepAliveMsg: "keepalive-received",
  UpdateMsg: "keepalive-received",
  UpdateMsgErr: "update-message-error",
  RouteRefreshMsg: "keepalive-received",
};

/** Applies one event. Never mutates `state`. */
export function step(state: FsmState, event: FsmEvent, now: number): StepResult {
  const m = new Machine(state, now);
  m.handle(event);
  return m.finish(defaultReason[event.type]);
}

/** A mutable working copy for one step; discarded afterwards. */
class Machine {
  readonly config: FsmConfig;
  readonly now: number;
  readonly from: BgpState;
  running: boolean;
  passive: boolean;
  conns: Connection[];
  nextConn: number;
  timers: Record<string, number>;
  attempt: number;
  connectRetryCounter: number;
  readonly actions: FsmAction[] = [];
  reason: StateReason | undefined;

  constructor(s: FsmState, now: number) {
    this.config = s.config;
    this.now = now;
    this.from = s.state;
    this.running = s.running;
    this.passive = s.passive;
    this.conns = [...s.connections];
    this.nextConn = s.nextConn;
    this.timers = { ...s.timers };
    this.attempt = s.attempt;
    this.connectRetryCounter = s.connectRetryCounter;
  }

  finish(fallback: StateReason): StepResult {
    const to = this.derive();
    if (to !== this.from) this.actions.push({ type: "stateChanged", from: this.from, to, reason: this.reason ?? fallback });
    const state: FsmState = Object.freeze({
      config: this.config,
      state: to,
      running: this.running,
      passive: this.passive,
      connections: Object.freeze(this.conns),
      nextConn: this.nextConn,
      timers: Object.freeze(this.timers),
      attempt: this.attempt,
      connectRetryCounter: this.connectRetryCounter,
    });
    return { state, actions: this.actions };
  }

  derive(): BgpState {
    const has = (s: Connection["state"]) => this.conns.some((c) => c.state === s);
    if (has("Established")) return "Established";
    if (has("OpenConfirm")) return "OpenConfirm";
    if (has("OpenSent")) return "OpenSent";
    if (has("Connect")) return "Connect";
    if (!this.running || this.timers["idleHold"] !== undefined) return "Idle";
    return "Active";
  }

  // --- actions -------------------------------------------------------------

  startTimer(timer: TimerName, ms: number, conn?: ConnId): void {
    if (ms <= 0) {
      this.stopTimer(timer, conn);
      return;
    }
    this.timers[timerKey(timer, conn)] = this.now + ms;
    this.actions.push({ type: "startTimer", timer, conn, ms, at: this.now + ms });
  }

  stopTimer(timer: TimerName, conn?: ConnId): void {
    const key = timerKey(timer, conn);
    if (this.timers[key] === undefined) return;
    delete this.timers[key];
    this.actions.push({ type: "stopTimer", timer, conn });
  }

  send(conn: ConnId, message: Message): void {
    this.actions.push({ type: "send", conn, message });
  }

  conn(id: ConnId): Connection | undefined {
    return this.conns.find((c) => c.id === id);
  }

  update(id: ConnId, patch: Partial<Connection>): Connection {
    const i = this.conns.findIndex((c) => c.id === id);
    const next = { ...(this.conns[i] as Connection), ...patch };
    this.conns[i] = next;
    return next;
  }

  /** Forgets a connection and its timers; the caller already closed it. */
  drop(id: ConnId): Connection | undefined {
    const c = this.conn(id);
    if (c === undefined) return undefined;
    this.conns = this.conns.filter((x) => x.id !== id);
    this.stopTimer("hold", id);
    this.stopTimer("keepalive", id);
    return c;
  }

  /** The current backoff delay, jittered; callers advance `attempt` when an attempt failed. */
  backoff(): number {
    return jitter(backoffDelay(this.attempt, this.config.backoff), this.config.random);
  }

  // --- connection life -----------------------------------------------------

  connectOut(): void {
    if (this.passive || this.conns.some((c) => c.direction === "outbound")) return;
    const id = this.nextConn++;
    this.conns.push({ id, direction: "outbound", state: "Connect" });
    this.actions.push({ type: "connect", conn: id });
    // RFC 4271 §8.2.2 Connect: the ConnectRetryTimer bounds the attempt.
    this.startTimer("connectRetry", this.backoff());
  }

  sendOpen(id: ConnId): void {
    this.update(id, { state: "OpenSent" });
    this.send(id, this.config.open);
    // RFC 4271 §8.2.2: in OpenSent the hold timer is set to a large value.
    this.startTimer("hold", this.config.openSentHoldTime * 1000, id);
    this.stopTimer("connectRetry");
  }

  /** After `lost` went away: carry on with another connection, or wait and retry. */
  afterLoss(lost: Connection): void {
    if (this.conns.length > 0 || !this.running) return;
    if (lost.state === "Connect") {
      // RFC 4271 §8.2.2 Connect/Active, TcpConnectionFails: retry later, listening meanwhile.
      this.connectRetryCounter++;
      if (!this.passive) this.startTimer("connectRetry", this.backoff());
      this.attempt++;
    } else {
      // A session that got as far as OpenSent failed: Idle, then restart (RFC 4271 §8.1.1 automatic restart).
      this.connectRetryCounter++;
      this.startTimer("idleHold", this.backoff());
      this.attempt++;
    }
  }

  /** The one place an error ends a connection: NOTIFICATION, close, forget. */
  fail(id: ConnId, error: BgpWireError, reason: StateReason): void {
    this.reason ??= reason;
    this.send(id, notificationFor(error));
    this.close(id);
  }

  close(id: ConnId): void {
    this.actions.push({ type: "close", conn: id });
    const lost = this.drop(id);
    if (lost !== undefined) this.afterLoss(lost);
  }

  stopAll(notification: NotificationMessage | undefined, graceful: boolean): void {
    for (const c of [...this.conns]) {
      // RFC 4271 §8.2.2: a Cease goes only where an OPEN was sent; RFC 4724:
      // a graceful stop sends none, so the peer keeps our routes as stale.
      if (!graceful && c.state !== "Connect") this.send(c.id, notification ?? ceaseNotification(CeaseSubcode.AdministrativeShutdown));
      this.actions.push({ type: "close", conn: c.id });
      this.drop(c.id);
    }
    for (const key of Object.keys(this.timers)) {
      const [timer, conn] = key.split(":") as [TimerName, string | undefined];
      this.stopTimer(timer, conn === undefined ? undefined : Number(conn));
    }
    this.running = false;
    this.attempt = 0;
    this.connectRetryCounter = 0;
  }

  // --- events --------------------------------------------------------------

  handle(e: FsmEvent): void {
    switch (e.type) {
      case "ManualStart":
      case "AutomaticStart":
        return this.start(this.config.mode === "passive");
      case "ManualStartWithPassiveTcpEstablishment":
      case "AutomaticStartWithPassiveTcpEstablishment":
        return this.start(true);
      case "ManualStop":
        return this.stopAll(e.notification, e.graceful === true);
      case "AutomaticStop":
        return this.stopAll(e.notification ?? ceaseNotification(CeaseSubcode.PeerDeconfigured), false);
      case "ConnectRetryTimerExpires":
        return this.onConnectRetry();
      case "IdleHoldTimerExpires":
        if (this.timers["idleHold"] === undefined) return;
        delete this.timers["idleHold"];
        if (this.running) this.connectOut();
        return;
      case "TcpConnectionConfirmed":
        return this.onInbound();
      case "TcpCrAcked": {
        const c = this.conn(e.conn);
        if (c?.state === "Connect") this.sendOpen(c.id);
        return;
      }
      case "TcpConnectionFails": {
        const c = this.drop(e.conn);
        if (c === undefined) return;
        this.actions.push({ type: "close", conn: c.id });
        this.afterLoss(c);
        return;
      }
      default: {
        const c = this.conn(e.conn);
        if (c === undefined) return; // an event for a connection already gone
        switch (c.state) {
          case "Connect":
            return; // no messages before the TCP connection is up
          case "OpenSent":
            return this.openSent(c, e);
          case "OpenConfirm":
            return this.openConfirm(c, e);
          case "Established":
            return this.established(c, e);
        }
      }
    }
  }

  start(passive: boolean): void {
    // RFC 4271 §8.2.2: start events are ignored unless Idle.
    if (this.running) return;
    this.running = true;
    this.passive = passive || this.config.mode === "passive";
    this.connectOut();
  }

  onConnectRetry(): void {
    if (this.timers["connectRetry"] === undefined) return;
    delete this.timers["connectRetry"];
    if (!this.running || this.passive) return;
    // RFC 4271 §8.2.2 Connect: drop the attempt in progress and try again.
    const pending = this.conns.find((c) => c.direction === "outbound" && c.state === "Connect");
    if (pending !== undefined) {
      this.actions.push({ type: "close", conn: pending.id });
      this.drop(pending.id);
      this.connectRetryCounter++;
      this.attempt++;
    }
    if (this.conns.length === 0 || pending !== undefined) this.connectOut();
  }

  onInbound(): void {
    if (!this.running) {
      this.actions.push({ type: "reject", reason: "not-running" });
      return;
    }
    if (this.conns.length >= 2) {
      this.actions.push({ type: "reject", reason: "too-many-connections" });
      return;
    }
    this.stopTimer("idleHold");
    const id = this.nextConn++;
    this.conns.push({ id, direction: "inbound", state: "Connect" });
    this.actions.push({ type: "accept", conn: id });
    this.sendOpen(id);
  }

  /** Events common to every state with a TCP connection; returns true if handled. */
  common(c: Connection, e: FsmEvent & { conn: ConnId }): boolean {
    switch (e.type) {
      case "HoldTimerExpires":
        if (this.timers[timerKey("hold", c.id)] === undefined) return true;
        delete this.timers[timerKey("hold", c.id)];
        // RFC 4271 §6.5: NOTIFICATION Hold Timer Expired, then close.
        this.fail(c.id, holdTimerExpired(), "hold-timer-expired");
        return true;
      case "NotifMsg":
        this.reason ??= "notification-received";
        this.close(c.id);
        return true;
      case "BgpHeaderErr":
        this.fail(c.id, e.error, "header-error");
        return true;
      case "BgpOpenMsgErr":
        this.fail(c.id, e.error, "open-message-error");
        return true;
      default:
        return false;
    }
  }

  openSent(c: Connection, e: FsmEvent & { conn: ConnId }): void {
    if (this.common(c, e)) return;
    switch (e.type) {
      case "BgpOpen":
        return this.onOpen(c, e.open);
      case "KeepaliveTimerExpires":
        return;
      default:
        // RFC 6608: anything but OPEN or NOTIFICATION here is an FSM error.
        this.fail(c.id, unexpectedMessage("OpenSent", e.type), "unexpected-message");
    }
  }

  onOpen(c: Connection, open: OpenMessage): void {
    const n = negotiate(this.config, open);
    if (!("holdTime" in n)) {
      this.fail(c.id, n, "open-message-error");
      return;
    }
    const other = this.conns.find((o) => o.id !== c.id);
    if (other?.state === "Established") {
      const restarted = open.capabilities.some((cap) => cap.type === "graceful-restart" && cap.restarting);
      if (other.direction === c.direction || restarted) {
        // The peer came back on a new connection: the old one is dead to it.
        this.reason = "peer-restarted";
        this.actions.push({ type: "close", conn: other.id });
        this.drop(other.id);
      } else {
        this.fail(c.id, collisionResolution(), "connection-collision");
        return;
      }
    } else if (other?.state === "OpenConfirm") {
      const ids = { localBgpId: this.config.bgpId, remoteBgpId: open.bgpId, localAs: this.config.localAs, remoteAs: n.peerAs };
      const keep = resolveCollision(c, other, ids);
      const loser = keep.id === c.id ? other : c;
      this.fail(loser.id, collisionResolution(), "connection-collision");
      if (loser.id === c.id) return;
    } else if (other?.state === "Connect") {
      // An outbound attempt still in flight is pointless now.
      this.actions.push({ type: "close", conn: other.id });
      this.drop(other.id);
    }
    this.update(c.id, { state: "OpenConfirm", negotiated: n });
    this.send(c.id, keepalive);
    // RFC 4271 §4.4/§10: hold = negotiated value (0 disables it), keepalive = hold/3.
    this.startTimer("hold", n.holdTime * 1000, c.id);
    this.startTimer("keepalive", jitter(n.keepaliveTime * 1000, this.config.random), c.id);
  }

  openConfirm(c: Connection, e: FsmEvent & { conn: ConnId }): void {
    if (this.common(c, e)) return;
    switch (e.type) {
      case "KeepaliveTimerExpires":
        return this.sendKeepalive(c);
      case "KeepAliveMsg": {
        const n = c.negotiated;
        if (n === undefined) return;
        this.update(c.id, { state: "Established" });
        this.startTimer("hold", n.holdTime * 1000, c.id);
        this.attempt = 0;
        this.connectRetryCounter = 0;
        this.actions.push({ type: "established", conn: c.id, negotiated: n });
        return;
      }
      default:
        this.fail(c.id, unexpectedMessage("OpenConfirm", e.type), "unexpected-message");
    }
  }

  established(c: Connection, e: FsmEvent & { conn: ConnId }): void {
    if (this.common(c, e)) return;
    switch (e.type) {
      case "KeepaliveTimerExpires":
        return this.sendKeepalive(c);
      case "KeepAliveMsg":
      case "UpdateMsg":
      case "RouteRefreshMsg":
        // RFC 4271 §8.2.2 Established: KEEPALIVE and UPDATE restart the hold timer.
        if (c.negotiated !== undefined) this.startTimer("hold", c.negotiated.holdTime * 1000, c.id);
        return;
      case "UpdateMsgErr":
        this.fail(c.id, e.error, "update-message-error");
        return;
      default:
        this.fail(c.id, unexpectedMessage("Established", e.type), "unexpected-message");
    }
  }

  sendKeepalive(c: Connection): void {
    const key = timerKey("keepalive", c.id);
    if (this.timers[key] === undefined) return;
    delete this.timers[key];
    this.send(c.id, keepalive);
    const n = c.negotiated;
    if (n !== undefined) this.startTimer("keepalive", jitter(n.keepaliveTime * 1000, this.config.random), c.id);
  }
}
