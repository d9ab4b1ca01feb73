// The FSM's vocabulary: states (RFC 4271 §8.2.2), events (named after RFC
// 4271 §8.1, with the RFC's event number in a comment), actions for a driver
// to carry out, the configuration and the (immutable) state.
import type { BgpWireError } from "../errors.ts";
import type { Message } from "../message.ts";
import type { NotificationMessage } from "../notification.ts";
import type { OpenMessage } from "../open.ts";
import type { LocalSide, Negotiated } from "./negotiate.ts";
import type { BackoffConfig } from "./timers.ts";

export type BgpState = "Idle" | "Connect" | "Active" | "OpenSent" | "OpenConfirm" | "Established";

/** Who opened a TCP connection. */
export type Direction = "outbound" | "inbound";

/** A connection's own progress; the session state is derived from all of them. */
export type ConnectionState = "Connect" | "OpenSent" | "OpenConfirm" | "Established";

export type ConnId = number;

export type TimerName = "connectRetry" | "idleHold" | "hold" | "keepalive";

export interface Connection {
  readonly id: ConnId;
  readonly direction: Direction;
  readonly state: ConnectionState;
  /** Set once the peer's OPEN on this connection was accepted. */
  readonly negotiated?: Negotiated | undefined;
}

export type PeerMode = "active" | "passive" | "both";

export interface FsmConfig extends LocalSide {
  /** active: only connect out; passive: only accept; both: either (collisions resolved per RFC 4271 §6.8). */
  readonly mode: PeerMode;
  /** Reconnect delays: the ConnectRetryTimer and the idle hold after a failure. */
  readonly backoff: BackoffConfig;
  /** Seconds; RFC 4271 §8.2.2 suggests 4 minutes for the hold timer in OpenSent. */
  readonly openSentHoldTime: number;
  /** Injected randomness for RFC 4271 §10 jitter; returns [0, 1). */
  readonly random: () => number;
}

export interface FsmState {
  readonly config: FsmConfig;
  readonly state: BgpState;
  /** A start event was given and no stop since. */
  readonly running: boolean;
  /** Started with passive TCP establishment, or configured passive. */
  readonly passive: boolean;
  readonly connections: readonly Connection[];
  readonly nextConn: ConnId;
  /** Running timers: "name" or "name:conn" -> deadline (ms). */
  readonly timers: Readonly<Record<string, number>>;
  /** Backoff position; reset when the session reaches Established. */
  readonly attempt: number;
  /** RFC 4271 §8: ConnectRetryCounter. */
  readonly connectRetryCounter: number;
}

export type FsmEvent =
  | { readonly type: "ManualStart" } // 1
  | { readonly type: "ManualStop"; readonly notification?: NotificationMessage | undefined; readonly graceful?: boolean | undefined } // 2
  | { readonly type: "AutomaticStart" } // 3
  | { readonly type: "ManualStartWithPassiveTcpEstablishment" } // 4
  | { readonly type: "AutomaticStartWithPassiveTcpEstablishment" } // 5
  | { readonly type: "AutomaticStop"; readonly notification?: NotificationMessage | undefined } // 8
  | { readonly type: "ConnectRetryTimerExpires" } // 9
  | { readonly type: "HoldTimerExpires"; readonly conn: ConnId } // 10
  | { readonly type: "KeepaliveTimerExpires"; readonly conn: ConnId } // 11
  | { readonly type: "IdleHoldTimerExpires" } // 13
  | { readonly type: "TcpCrAcked"; readonly conn: ConnId } // 16: our outbound connection is up
  | { readonly type: "TcpConnectionConfirmed" } // 17: an inbound connection from the peer is offered
  | { readonly type: "TcpConnectionFails"; readonly conn: ConnId } // 18
  | { readonly type: "BgpOpen"; readonly conn: ConnId; readonly open: OpenMessage } // 19
  | { readonly type: "BgpHeaderErr"; readonly conn: ConnId; readonly error: BgpWireError } // 21
  | { readonly type: "BgpOpenMsgErr"; readonly conn: ConnId; readonly error: BgpWireError } // 22
  | { readonly type: "NotifMsg"; readonly conn: ConnId; readonly notification: NotificationMessage } // 24, 25
  | { readonly type: "KeepAliveMsg"; readonly conn: ConnId } // 26
  | { readonly type: "UpdateMsg"; readonly conn: ConnId } // 27
  | { readonly type: "UpdateMsgErr"; readonly conn: ConnId; readonly error: BgpWireError } // 28
  | { readonly type: "RouteRefreshMsg"; readonly conn: ConnId }; // RFC 2918

/** Why the session state changed; kebab-case, for events and logs. */
export type StateReason =
  | "manual-start"
  | "automatic-start"
  | "manual-stop"
  | "automatic-stop"
  | "connect-retry-timer-expired"
  | "idle-hold-timer-expired"
  | "tcp-connection-confirmed"
  | "tcp-cr-acked"
  | "tcp-connection-fails"
  | "open-received"
  | "keepalive-received"
  | "hold-timer-expired"
  | "notification-received"
  | "header-error"
  | "open-message-error"
  | "update-message-error"
  | "unexpected-message"
  | "connection-collision"
  | "peer-restarted";

export type FsmAction =
  /** Open an outbound TCP connection and report it as `conn`. */
  | { readonly type: "connect"; readonly conn: ConnId }
  /** Adopt the inbound connection just offered as `conn`. */
  | { readonly type: "accept"; readonly conn: ConnId }
  /** Close the inbound connection just offered. */
  | { readonly type: "reject"; readonly reason: "not-running" | "too-many-connections" }
  | { readonly type: "send"; readonly conn: ConnId; readonly message: Message }
  /** Close after writing what was sent before. */
  | { readonly type: "close"; readonly conn: ConnId }
  | { readonly type: "startTimer"; readonly timer: TimerName; readonly conn?: ConnId | undefined; readonly ms: number; readonly at: number }
  | { readonly type: "stopTimer"; readonly timer: TimerName; readonly conn?: ConnId | undefined }
  /** `conn` reached Established with these negotiated parameters. */
  | { readonly type: "established"; readonly conn: ConnId; readonly negotiated: Negotiated }
  | { readonly type: "stateChanged"; readonly from: BgpState; readonly to: BgpState; readonly reason: StateReason };

export interface StepResult {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}
