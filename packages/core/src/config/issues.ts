// Problems found in a configuration: errors (the config is rejected) and
// warnings (accepted, but something deserves the operator's attention).
//
// Every problem carries a stable `code` that callers and tests branch on, the
// path of the offending field in the document (`address-pools[1].addresses[0]`),
// its 1-based line and column, and a message that follows MetalLB's wording
// where MetalLB has one. The path is not part of the message: `formatIssue`
// puts it in front, so the same issue reads well in a table, a log line or JSON.
//
// Deliberately not here: throwing. Parsing collects every problem of a file and
// returns them; nothing in core/config throws for bad input.

export type ConfigIssueCode =
  // document structure
  | "YAML_SYNTAX" // the text is not YAML (or holds several documents where one is expected)
  | "DUPLICATE_KEY" // a mapping names the same key twice
  | "UNKNOWN_KEY" // a key the format does not define (MetalLB: yaml.UnmarshalStrict)
  | "INVALID_TYPE" // a list where a string belongs, a quoted number, a float for an integer...
  | "MISSING_FIELD" // a required field is absent, null or empty
  | "OUT_OF_RANGE" // an integer outside its type (uint16, uint32) or its documented range
  | "DUPLICATE_ENTRY" // the same value twice in a list that must hold distinct values
  | "CONFLICTING_FIELDS" // two fields that are mutually exclusive are both set
  | "INVALID_NAME" // not a valid Kubernetes object name / namespace / interface name
  // ConfigMap manifests
  | "NO_CONFIGMAP" // a manifest without a ConfigMap that holds data.config
  | "AMBIGUOUS_CONFIGMAP" // several ConfigMaps hold data.config
  // label selectors
  | "INVALID_SELECTOR_OPERATOR"
  | "INVALID_SELECTOR_VALUES" // In/NotIn without values, Exists/DoesNotExist with values
  | "INVALID_LABEL_KEY"
  | "INVALID_LABEL_VALUE"
  | "DUPLICATE_SELECTOR"
  // peers
  | "INVALID_PEER_ADDRESS"
  | "INVALID_SOURCE_ADDRESS"
  | "ADDRESS_FAMILY_MISMATCH"
  | "INVALID_HOLD_TIME"
  | "INVALID_KEEPALIVE_TIME"
  | "INVALID_ROUTER_ID"
  | "INVALID_PASSWORD"
  | "UNKNOWN_BFD_PROFILE"
  | "EBGP_MULTIHOP_IBGP"
  | "DUPLICATE_PEER"
  | "DUPLICATE_PEER_NAME"
  // communities
  | "INVALID_COMMUNITY"
  | "UNKNOWN_COMMUNITY_ALIAS"
  | "DUPLICATE_COMMUNITY"
  // pools
  | "DUPLICATE_POOL"
  | "INVALID_PROTOCOL"
  | "INVALID_CIDR"
  | "INVALID_RANGE"
  | "CIDR_OVERLAP"
  | "BGP_ADVERTISEMENTS_IN_LAYER2_POOL"
  | "LAYER2_SETTINGS_IN_BGP_POOL"
  // advertisements
  | "INVALID_AGGREGATION_LENGTH"
  | "UNKNOWN_PEER"
  | "DUPLICATE_ADVERTISEMENT"
  | "INCOMPATIBLE_LOCAL_PREF"
  // BFD
  | "DUPLICATE_BFD_PROFILE"
  // warnings
  | "BFD_NOT_ACTIVE" // BFD profiles are parsed and checked but no BFD session runs yet
  | "CIDR_HOST_BITS" // 10.0.0.7/24 means 10.0.0.0/24
  | "BUGGY_IPS_ASSIGNABLE" // .0/.255 addresses will be handed out (avoid-buggy-ips is off)
  | "NO_BGP_PEERS" // a bgp pool, but no peer to announce it to
  | "LOCAL_PREF_IGNORED"; // localpref set, but every peer it goes to is eBGP

export type Severity = "error" | "warning";

export interface ConfigIssue {
  readonly severity: Severity;
  readonly code: ConfigIssueCode;
  /** Where in the config: `peers[0].hold-time`; "" for the document as a whole. */
  readonly path: string;
  /** 1-based line in the file that was handed in (for an embedded config, the outer file). */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  readonly message: string;
}

/** `path: message (line N)`, the one-line form the CLI prints. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  return `${where}${issue.message} (line ${issue.line})`;
}

/** Orders issues by position in the file, then by code; stable for equal positions. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
    .map((x) => x.issue);
}

/** Appends one path segment: a key (`.key`, or `["odd key"]`) or a list index (`[3]`). */
export function childPath(path: string, segment: string | number): string {
  if (typeof segment === "number") return `${path}[${segment}]`;
  if (/^[A-Za-z0-9_-]+$/.test(segment)) return path === "" ? segment : `${path}.${segment}`;
  return `${path}[${JSON.stringify(segment)}]`;
}
