// The one place where an error becomes the NOTIFICATION that ends a
// connection, plus the errors the FSM raises itself: hold timer expiry
// (RFC 4271 §6.5), unexpected messages (RFC 6608 §4, a table by state as in
// BIRD's fsm_err_subcode) and collision resolution (RFC 4486 §3).
import { CeaseSubcode, ErrorCode, FsmSubcode } from "../codes.ts";
import { BgpWireError } from "../errors.ts";
import type { NotificationMessage } from "../notification.ts";
import type { ConnectionState } from "./types.ts";

export function notificationFor(error: BgpWireError): NotificationMessage {
  return { type: "notification", code: error.code, subcode: error.subcode, data: error.data };
}

export function holdTimerExpired(): BgpWireError {
  return new BgpWireError("hold timer expired", { code: ErrorCode.HoldTimerExpired, subcode: 0 });
}

// RFC 6608 §4: the subcode says in which state the unexpected message came.
const unexpectedSubcode: Record<ConnectionState, number> = {
  Connect: FsmSubcode.Unspecified,
  OpenSent: FsmSubcode.UnexpectedMessageInOpenSent,
  OpenConfirm: FsmSubcode.UnexpectedMessageInOpenConfirm,
  Established: FsmSubcode.UnexpectedMessageInEstablished,
};

export function unexpectedMessage(state: ConnectionState, what: string): BgpWireError {
  return new BgpWireError(`unexpected ${what} in ${state}`, { code: ErrorCode.FiniteStateMachine, subcode: unexpectedSubcode[state] });
}

export function collisionResolution(): BgpWireError {
  return new BgpWireError("connection collision resolution", { code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionCollisionResolution });
}
