// Protocol numbers, spelled as in the RFCs, each table with a name() for logs
// and events: message types (RFC 4271 §4.1, RFC 2918), NOTIFICATION codes and
// subcodes (RFC 4271 §4.5 and §6, RFC 4486 and RFC 8538 cease subcodes, RFC
// 6608 FSM error subcodes, RFC 7313 ROUTE-REFRESH error), AFI/SAFI (RFC 4760).
//
// Deliberately not here: anything that interprets a NOTIFICATION's data field
// (notification.ts does, for RFC 9003 shutdown communications).

export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5, // RFC 2918
} as const;

const messageTypeNames: Record<number, string> = {
  1: "OPEN",
  2: "UPDATE",
  3: "NOTIFICATION",
  4: "KEEPALIVE",
  5: "ROUTE-REFRESH",
};

export function messageTypeName(type: number): string {
  return messageTypeNames[type] ?? `type-${type}`;
}

export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5, // RFC 6608 names it "Finite State Machine Error"
  Cease: 6,
  RouteRefreshMessage: 7, // RFC 7313
} as const;

export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

export const OpenSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7, // RFC 5492
  RoleMismatch: 11, // RFC 9234
} as const;

export const UpdateSubcode = {
  Unspecific: 0,
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608 §4. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** RFC 4486 §4, RFC 8538 §3 (hard reset), RFC 9384 (BFD down). */
export const CeaseSubcode = {
  Unspecific: 0,
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

export const RouteRefreshSubcode = {
  InvalidMessageLength: 1,
} as const;

const errorCodeNames: Record<number, string> = {
  1: "Message Header Error",
  2: "OPEN Message Error",
  3: "UPDATE Message Error",
  4: "Hold Timer Expired",
  5: "Finite State Machine Error",
  6: "Cease",
  7: "ROUTE-REFRESH Message Error",
};

const subcodeNames: Record<number, Record<number, string>> = {
  1: { 1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type" },
  2: {
    0: "Unspecific",
    1: "Unsupported Version Number",
    2: "Bad Peer AS",
    3: "Bad BGP Identifier",
    4: "Unsupported Optional Parameter",
    5: "Authentication Failure (deprecated)",
    6: "Unacceptable Hold Time",
    7: "Unsupported Capability",
    11: "Role Mismatch",
  },
  3: {
    0: "Unspecific",
    1: "Malformed Attribute List",
    2: "Unrecognized Well-known Attribute",
    3: "Missing Well-known Attribute",
    4: "Attribute Flags Error",
    5: "Attribute Length Error",
    6: "Invalid ORIGIN Attribute",
    7: "AS Routing Loop (deprecated)",
    8: "Invalid NEXT_HOP Attribute",
    9: "Optional Attribute Error",
    10: "Invalid Network Field",
    11: "Malformed AS_PATH",
  },
  4: { 0: "Unspecific" },
  5: {
    0: "Unspecified Error",
    1: "Receive Unexpected Message in OpenSent State",
    2: "Receive Unexpected Message in OpenConfirm State",
    3: "Receive Unexpected Message in Established State",
  },
  6: {
    0: "Unspecific",
    1: "Maximum Number of Prefixes Reached",
    2: "Administrative Shutdown",
    3: "Peer De-configured",
    4: "Administrative Reset",
    5: "Connection Rejected",
    6: "Other Configuration Change",
    7: "Connection Collision Resolution",
    8: "Out of Resources",
    9: "Hard Reset",
    10: "BFD Down",
  },
  7: { 0: "Reserved", 1: "Invalid Message Length" },
};

export function errorCodeName(code: number): string {
  return errorCodeNames[code] ?? `error-code-${code}`;
}

export function errorSubcodeName(code: number, subcode: number): string {
  return subcodeNames[code]?.[subcode] ?? `subcode-${subcode}`;
}

/** Address Family Identifiers (IANA), the two this package speaks. */
export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
/** Subsequent AFI (RFC 4760): unicast only. */
export const Safi = { Unicast: 1 } as const;

export function afiName(afi: number): string {
  return afi === Afi.Ipv4 ? "ipv4" : afi === Afi.Ipv6 ? "ipv6" : `afi-${afi}`;
}

export function safiName(safi: number): string {
  return safi === Safi.Unicast ? "unicast" : `safi-${safi}`;
}

/** RFC 6793 §9: the 2-octet placeholder for a 4-octet AS number. */
export const AS_TRANS = 23456;
