// Connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3), pure.
//
// When both speakers connect at once, each ends up with two connections to
// the other. The one initiated by the speaker with the higher BGP Identifier
// survives; the other is closed with Cease / Connection Collision Resolution.
// With equal identifiers (allowed between ASes by RFC 6286), the one initiated
// by the speaker with the larger AS number survives. Two connections in the
// same direction cannot be told apart by that rule; the newer one wins, since
// a peer only opens a second connection after giving up on the first.
import type { Direction } from "./types.ts";

export interface CollisionSide {
  readonly direction: Direction;
  /** Higher = newer. */
  readonly id: number;
}

/** Returns which of the two connections to keep. */
export function resolveCollision(
  a: CollisionSide,
  b: CollisionSide,
  ids: { readonly localBgpId: number; readonly remoteBgpId: number; readonly localAs: number; readonly remoteAs: number },
): CollisionSide {
  if (a.direction === b.direction) return a.id > b.id ? a : b;
  const localWins = ids.localBgpId !== ids.remoteBgpId ? ids.localBgpId > ids.remoteBgpId : ids.localAs > ids.remoteAs;
  const keep: Direction = localWins ? "outbound" : "inbound";
  return a.direction === keep ? a : b;
}
