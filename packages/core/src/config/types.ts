// The resolved configuration: what `parseConfig` produces from the ConfigMap's
// YAML and what the controller, the speaker and `ironlb config validate` consume.
//
// Everything is resolved up front, MetalLB-style: ranges are split into CIDRs,
// community aliases are replaced by values, defaults are filled in. Nothing
// downstream re-parses strings. Values are deeply frozen.
import type { AddressEntry, IpAddress, Prefix } from "../ip/index.ts";

export type Protocol = "layer2" | "bgp";

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes label selector; the empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** RFC 1997 community (value = high16 << 16 | low16) or RFC 8092 large community. */
export type Community =
  | { readonly kind: "standard"; readonly value: number }
  | { readonly kind: "large"; readonly globalAdmin: number; readonly localData1: number; readonly localData2: number };

export interface BgpAdvertisement {
  /** IPv4 prefix length the service IP is aggregated to; default 32. */
  readonly aggregationLength: number;
  /** IPv6 prefix length; default 128. */
  readonly aggregationLengthV6: number;
  /** LOCAL_PREF, sent to iBGP peers only; default 0. */
  readonly localPref: number;
  /** Aliases resolved; sorted (standard first, by value; then large) and deduplicated. */
  readonly communities: readonly Community[];
  /** Extension: names of the peers this advertisement goes to; empty means all peers. */
  readonly peers: readonly string[];
}

/** Extension (MetalLB CRD semantics, reference §1b/§2.3): which Services may use a pool. */
export interface ServiceAllocation {
  /** Lower is preferred; 0 means "no priority" and sorts last. */
  readonly priority: number;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

/** Extension: where a layer2 pool is announced. Empty lists mean all interfaces / all nodes. */
export interface Layer2Settings {
  readonly interfaces: readonly string[];
  readonly nodeSelectors: readonly LabelSelector[];
}

export interface Pool {
  readonly name: string;
  readonly protocol: Protocol;
  /** The `addresses` entries in config order, each with its CIDRs (ranges split, ascending). */
  readonly addresses: readonly AddressEntry[];
  /** All CIDRs of the pool in config order: the order addresses are handed out in. */
  readonly cidrs: readonly Prefix[];
  readonly avoidBuggyIps: boolean;
  readonly autoAssign: boolean;
  /** bgp pools: the configured advertisements, or the one default advertisement. layer2: []. */
  readonly bgpAdvertisements: readonly BgpAdvertisement[];
  /** null when the pool has no `service-allocation`: compatible with every Service. */
  readonly serviceAllocation: ServiceAllocation | null;
  readonly layer2: Layer2Settings;
}

export interface SecretRef {
  readonly name: string;
  /** null: the IronLB namespace. */
  readonly namespace: string | null;
}

export interface Peer {
  /** Extension `name`; defaults to the peer address (with `:port` when not 179). */
  readonly name: string;
  readonly myAsn: number;
  readonly peerAsn: number;
  readonly peerAddress: IpAddress;
  readonly peerPort: number;
  readonly sourceAddress: IpAddress | null;
  /** Seconds, rounded down; 0 or >= 3; default 90. */
  readonly holdTime: number;
  /** Seconds; null means hold/3 (RFC 4271 §10 suggestion). */
  readonly keepaliveTime: number | null;
  readonly routerId: IpAddress | null;
  /** Empty means all nodes; several selectors are ORed. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** TCP MD5 key given inline. */
  readonly password: string | null;
  /** Extension: TCP MD5 key from a Secret (type kubernetes.io/basic-auth, key `password`). */
  readonly passwordSecret: SecretRef | null;
  readonly bfdProfile: string | null;
  readonly ebgpMultihop: boolean;
  /** Extension: advertise the RFC 4724 graceful restart capability. */
  readonly gracefulRestart: boolean;
}

export interface BfdProfile {
  readonly name: string;
  readonly receiveInterval: number | null;
  readonly transmitInterval: number | null;
  readonly detectMultiplier: number | null;
  readonly echoInterval: number | null;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl: number | null;
}

export interface Config {
  readonly peers: readonly Peer[];
  readonly pools: readonly Pool[];
  readonly bfdProfiles: readonly BfdProfile[];
  /** The `bgp-communities` aliases as declared, resolved to values. */
  readonly communities: Readonly<Record<string, Community>>;
}
