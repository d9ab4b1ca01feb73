// What a session tells the world: typed events through an injected sink (the
// library never logs) and counters read on demand.
import type { IpFamily } from "@ironlb/core/ip";
import type { Capability } from "../capabilities.ts";
import type { Remedy } from "../errors.ts";
import type { BgpState, StateReason } from "../fsm/types.ts";
import type { SkipReason } from "./advertisement.ts";

export interface NotificationInfo {
  readonly code: number;
  readonly subcode: number;
  readonly codeName: string;
  readonly subcodeName: string;
  /** RFC 9003 shutdown communication, when present. */
  readonly message?: string;
}

export type SessionEvent =
  | { readonly type: "stateChanged"; readonly from: BgpState; readonly to: BgpState; readonly reason: StateReason }
  | {
      readonly type: "established";
      readonly peerAs: number;
      readonly peerRouterId: string;
      readonly holdTime: number;
      readonly keepaliveTime: number;
      readonly families: readonly IpFamily[];
      readonly fourOctetAs: boolean;
      readonly extendedMessage: boolean;
      readonly routeRefresh: boolean;
      readonly peerGracefulRestart: boolean;
      readonly localAddress: string | undefined;
      readonly remoteAddress: string | undefined;
    }
  | { readonly type: "peerCapabilities"; readonly capabilities: readonly (Capability & { readonly name: string })[] }
  | ({ readonly type: "notificationSent" } & NotificationInfo)
  | ({ readonly type: "notificationReceived" } & NotificationInfo)
  | { readonly type: "updateError"; readonly remedy: Remedy; readonly code: number; readonly subcode: number; readonly detail: string }
  | { readonly type: "familyDisabled"; readonly family: IpFamily }
  | { readonly type: "endOfRibReceived"; readonly family: IpFamily; readonly routes: number }
  | { readonly type: "endOfRibSent"; readonly family: IpFamily; readonly routes: number }
  | { readonly type: "routeRefreshReceived"; readonly family: IpFamily }
  | { readonly type: "advertisementsSkipped"; readonly reason: SkipReason | "attributes-too-large"; readonly family: IpFamily; readonly count: number; readonly example: string };

export type MessageKind = "open" | "update" | "notification" | "keepalive" | "route-refresh" | "unknown";

export interface SessionCounters {
  readonly state: BgpState;
  readonly messagesIn: Readonly<Record<MessageKind, number>>;
  readonly messagesOut: Readonly<Record<MessageKind, number>>;
  /** UPDATE messages carrying our routes (End-of-RIB included). */
  readonly updatesSent: number;
  /** Prefixes the peer holds from us now. */
  readonly prefixesAdvertised: number;
  /** Prefixes waiting to be announced or withdrawn. */
  readonly prefixesPending: number;
  /** Wanted prefixes that cannot be sent to this peer (see advertisementsSkipped). */
  readonly prefixesSkipped: number;
  readonly prefixesReceived: Readonly<Record<IpFamily, number>>;
  /** Times the session reached Established. */
  readonly establishedTransitions: number;
}

export const emptyKinds = (): Record<MessageKind, number> => ({ open: 0, update: 0, notification: 0, keepalive: 0, "route-refresh": 0, unknown: 0 });
