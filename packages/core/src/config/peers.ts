// `peers`: the BGP sessions, MetalLB v0.12.1's peer fields and rules
// (reference §1a) plus IronLB's `name`, `password-secret` and
// `graceful-restart` (DESIGN.md "Configuration").
//
// Timers follow MetalLB's parseTimers (reference §1b): neither set -> hold 90s
// and keepalive hold/3; only hold -> keepalive hold/3; only keepalive -> hold
// 3 x keepalive. Hold is rounded down to whole seconds and must be 0 or >= 3s
// (RFC 4271 §4.2), and at most 65535s, the 16-bit OPEN field. Keepalive must
// not exceed hold and, unless hold is 0, must be at least 1s (RFC 4271 §10:
// keepalives are disabled only together with the hold timer).
//
// Deliberately not here: MetalLB's backend-specific rejections (native mode
// refusing keepalive-time and IPv6; FRR mode demanding one router-id and ASN
// for all peers). IronLB's speaker supports those; docs/configuration.md lists
// the differences.
import { formatIp, tryParseIp, type IpAddress } from "../ip/index.ts";
import type { BfdSection } from "./bfd.ts";
import { formatGoDuration, parseGoDuration, wholeSeconds } from "./duration.ts";
import { childPath } from "./issues.ts";
import { isDnsLabel, isDnsSubdomain, readSelectorList } from "./selector-parse.ts";
import type { LabelSelector, Peer, SecretRef } from "./types.ts";
import { INVALID, UINT16, UINT32, valueOr, type Invalid, type Item, type MapView, type YamlReader } from "./yaml-reader.ts";

const PEER_KEYS = [
  "name",
  "my-asn",
  "peer-asn",
  "peer-address",
  "source-address",
  "peer-port",
  "hold-time",
  "keepalive-time",
  "router-id",
  "node-selectors",
  "password",
  "password-secret",
  "bfd-profile",
  "ebgp-multihop",
  "graceful-restart",
] as const;
const SECRET_KEYS = ["name", "namespace"] as const;

export const DEFAULT_BGP_PORT = 179;
export const DEFAULT_HOLD_TIME_SECONDS = 90;
const MIN_HOLD_TIME_SECONDS = 3n; // RFC 4271 §4.2
const MAX_HOLD_TIME_SECONDS = 65535n; // a 16-bit field in OPEN
const TCP_MD5_MAX_KEY_BYTES = 80; // Linux TCP_MD5SIG_MAXKEYLEN (RFC 2385 keys)

export interface PeerSection {
  /** Valid peers in config order. */
  readonly peers: Peer[];
  /** Every name a peer answers to, valid or not, so references to a broken peer are not "unknown". */
  readonly names: ReadonlySet<string>;
  /** How many peers the config lists. */
  readonly written: number;
}

/** A peer's fields as read; `peer` is undefined when any field was wrong. */
interface Draft {
  readonly index: number;
  readonly view: MapView;
  readonly explicitName: string | undefined;
  readonly fields: Omit<Peer, "name"> | undefined;
  /** For the default name: known even when other fields are wrong. */
  readonly address: IpAddress | undefined;
  readonly port: number | undefined;
}

export function readPeers(r: YamlReader, items: readonly Item[] | undefined, bfd: BfdSection): PeerSection {
  const drafts: Draft[] = [];
  (items ?? []).forEach((it, index) => {
    const view = r.mapping(it, PEER_KEYS);
    if (view !== INVALID) drafts.push(readPeer(r, view, index, bfd));
  });

  // Names: explicit ones must be unique; defaults step aside for them.
  const taken = new Set<string>();
  const nameOf = new Map<Draft, string>();
  for (const d of drafts) {
    if (d.explicitName === undefined) continue;
    if (taken.has(d.explicitName)) {
      r.error("DUPLICATE_PEER_NAME", childPath(d.view.path, "name"), d.view.offsetOf("name"), `duplicate definition of peer ${JSON.stringify(d.explicitName)}`);
      continue;
    }
    taken.add(d.explicitName);
    nameOf.set(d, d.explicitName);
  }
  for (const d of drafts) {
    if (d.explicitName !== undefined || d.address === undefined || d.port === undefined) continue;
    // Two peers at one address are normal (one per rack, told apart by node-selectors):
    // the second default name gets the peer's number, MetalLB's "peer #N".
    const base = defaultPeerName(d.address, d.port);
    const name = taken.has(base) ? `${base}#${d.index + 1}` : base;
    taken.add(name);
    nameOf.set(d, name);
  }

  const peers: Peer[] = [];
  const seen: { key: string; index: number }[] = [];
  for (const d of drafts) {
    const name = nameOf.get(d);
    if (d.fields === undefined || name === undefined) continue;
    // MetalLB rejects deep-equal peers ("peer #%d already exists"): they would
    // open the same session twice. The name alone does not make two sessions different.
    const key = canonical(d.fields);
    if (seen.some((s) => s.key === key)) {
      r.error("DUPLICATE_PEER", d.view.path, d.view.offset, `peer #${d.index + 1} already exists`);
      continue;
    }
    seen.push({ key, index: d.index });
    peers.push({ name, ...d.fields });
  }
  return { peers, names: taken, written: items?.length ?? 0 };
}

/** `10.0.0.1`, `10.0.0.1:1179`, `[2001:db8::1]:1179`. */
export function defaultPeerName(address: IpAddress, port: number): string {
  const text = formatIp(address);
  if (port === DEFAULT_BGP_PORT) return text;
  return address.family === "ipv6" ? `[${text}]:${port}` : `${text}:${port}`;
}

function readPeer(r: YamlReader, m: MapView, index: number, bfd: BfdSection): Draft {
  const at = (key: string) => childPath(m.path, key);
  let bad = false;

  const nameRead = m.string("name");
  let explicitName: string | undefined;
  if (nameRead === INVALID) bad = true;
  else if (nameRead === "" && m.written("name")) {
    r.error("MISSING_FIELD", at("name"), m.offsetOf("name"), "peer name must not be empty (leave it out to name the peer by its address)");
    bad = true;
  } else if (nameRead !== undefined) explicitName = nameRead;

  const myAsn = m.integer("my-asn", UINT32);
  if (myAsn === undefined || myAsn === 0) {
    r.error("MISSING_FIELD", at("my-asn"), m.offsetOf("my-asn"), "missing local ASN");
    bad = true;
  } else if (myAsn === INVALID) bad = true;
  const peerAsn = m.integer("peer-asn", UINT32);
  if (peerAsn === undefined || peerAsn === 0) {
    r.error("MISSING_FIELD", at("peer-asn"), m.offsetOf("peer-asn"), "missing peer ASN");
    bad = true;
  } else if (peerAsn === INVALID) bad = true;

  const address = readAddress(r, m, "peer-address", true);
  const source = readAddress(r, m, "source-address", false);
  if (address === INVALID || address === undefined || source === INVALID) bad = true;
  if (address instanceof Object && source instanceof Object && address.family !== source.family) {
    r.error(
      "ADDRESS_FAMILY_MISMATCH",
      at("source-address"),
      m.offsetOf("source-address"),
      `source IP ${JSON.stringify(formatIp(source))} and peer IP ${JSON.stringify(formatIp(address))} are of different address families`,
    );
    bad = true;
  }

  const portRead = m.integer("peer-port", UINT16);
  if (portRead === INVALID) bad = true;
  const port = portRead === INVALID ? undefined : portRead === undefined || portRead === 0 ? DEFAULT_BGP_PORT : portRead;

  const timers = readTimers(r, m);
  if (timers === INVALID) bad = true;

  const routerId = readRouterId(r, m);
  if (routerId === INVALID) bad = true;

  let nodeSelectors: LabelSelector[] = [];
  const selectorItems = m.list("node-selectors");
  if (selectorItems === INVALID) bad = true;
  else if (selectorItems !== undefined) {
    const sels = readSelectorList(r, selectorItems, "node-selectors", { rejectDuplicates: false });
    if (sels === INVALID) bad = true;
    else nodeSelectors = sels;
  }

  const password = readPassword(r, m);
  if (password === INVALID) bad = true;
  const passwordSecret = readPasswordSecret(r, m);
  if (passwordSecret === INVALID) bad = true;
  if (typeof password === "string" && passwordSecret instanceof Object) {
    r.error("CONFLICTING_FIELDS", at("password-secret"), m.keyOffset("password-secret"), "password and password-secret are mutually exclusive");
    bad = true;
  }

  const bfdProfile = m.string("bfd-profile");
  if (bfdProfile === INVALID) bad = true;
  else if (bfdProfile !== undefined && bfdProfile !== "") {
    if (!bfd.declared.has(bfdProfile)) {
      r.error("UNKNOWN_BFD_PROFILE", at("bfd-profile"), m.offsetOf("bfd-profile"), `peer #${index + 1} referencing non existing bfd profile ${bfdProfile}`);
      bad = true;
    } else {
      r.warn("BFD_NOT_ACTIVE", at("bfd-profile"), m.offsetOf("bfd-profile"), `bfd profile ${JSON.stringify(bfdProfile)} is accepted but BFD is not active yet: failures are detected by the hold timer`);
    }
  }

  const ebgpMultihop = m.bool("ebgp-multihop");
  if (ebgpMultihop === INVALID) bad = true;
  else if (ebgpMultihop === true && typeof myAsn === "number" && myAsn === peerAsn) {
    r.error("EBGP_MULTIHOP_IBGP", at("ebgp-multihop"), m.offsetOf("ebgp-multihop"), "invalid ebgp-multihop parameter set for an ibgp peer");
    bad = true;
  }
  const gracefulRestart = m.bool("graceful-restart");
  if (gracefulRestart === INVALID) bad = true;

  const validAddress = address instanceof Object ? address : undefined;
  if (
    bad ||
    typeof myAsn !== "number" ||
    typeof peerAsn !== "number" ||
    validAddress === undefined ||
    port === undefined ||
    timers === INVALID ||
    routerId === INVALID ||
    source === INVALID ||
    password === INVALID ||
    passwordSecret === INVALID ||
    bfdProfile === INVALID
  ) {
    return { index, view: m, explicitName, fields: undefined, address: validAddress, port };
  }
  return {
    index,
    view: m,
    explicitName,
    address: validAddress,
    port,
    fields: {
      myAsn,
      peerAsn,
      peerAddress: validAddress,
      peerPort: port,
      sourceAddress: source ?? null,
      holdTime: timers.holdTime,
      keepaliveTime: timers.keepaliveTime,
      routerId: routerId ?? null,
      nodeSelectors,
      password: password ?? null,
      passwordSecret: passwordSecret ?? null,
      bfdProfile: valueOr(bfdProfile, "") === "" ? null : valueOr(bfdProfile, ""),
      ebgpMultihop: valueOr(ebgpMultihop, false),
      gracefulRestart: valueOr(gracefulRestart, false),
    },
  };
}

function readAddress(r: YamlReader, m: MapView, key: "peer-address" | "source-address", required: boolean): IpAddress | undefined | Invalid {
  const text = m.string(key);
  const path = childPath(m.path, key);
  if (text === INVALID) return INVALID;
  if (text === undefined || text === "") {
    if (required) r.error("MISSING_FIELD", path, m.offsetOf(key), "missing peer address");
    return undefined;
  }
  const address = tryParseIp(text);
  if (address === undefined) {
    const [code, what] = key === "peer-address" ? (["INVALID_PEER_ADDRESS", "peer"] as const) : (["INVALID_SOURCE_ADDRESS", "source"] as const);
    r.error(code, path, m.offsetOf(key), `invalid ${what} IP ${JSON.stringify(text)}`);
    return INVALID;
  }
  return address;
}

function readRouterId(r: YamlReader, m: MapView): IpAddress | undefined | Invalid {
  const text = m.string("router-id");
  if (text === INVALID) return INVALID;
  if (text === undefined || text === "") return undefined;
  const address = tryParseIp(text);
  if (address === undefined || address.family !== "ipv4") {
    // RFC 4271 §4.2: the BGP Identifier is 32 bits, so only an IPv4 address fits.
    const why = address === undefined ? "" : ": the BGP identifier is 32 bits, so it must be an IPv4 address";
    r.error("INVALID_ROUTER_ID", childPath(m.path, "router-id"), m.offsetOf("router-id"), `invalid router ID ${JSON.stringify(text)}${why}`);
    return INVALID;
  }
  return address;
}

function readPassword(r: YamlReader, m: MapView): string | undefined | Invalid {
  const text = m.string("password");
  if (text === INVALID) return INVALID;
  if (text === undefined || text === "") return undefined; // MetalLB: "" means no password
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > TCP_MD5_MAX_KEY_BYTES) {
    r.error("INVALID_PASSWORD", childPath(m.path, "password"), m.offsetOf("password"), `password is ${bytes} bytes; a TCP MD5 key holds at most ${TCP_MD5_MAX_KEY_BYTES}`);
    return INVALID;
  }
  return text;
}

function readPasswordSecret(r: YamlReader, m: MapView): SecretRef | undefined | Invalid {
  const s = m.mapping("password-secret", SECRET_KEYS);
  if (s === undefined || s === INVALID) return s;
  let bad = false;
  const name = s.string("name");
  if (name === undefined || name === "") {
    r.error("MISSING_FIELD", childPath(s.path, "name"), s.offsetOf("name"), "password-secret needs the name of a Secret");
    bad = true;
  } else if (name === INVALID) bad = true;
  else if (!isDnsSubdomain(name)) {
    r.error("INVALID_NAME", childPath(s.path, "name"), s.offsetOf("name"), `invalid Secret name ${JSON.stringify(name)}: must be a DNS subdomain (lowercase alphanumerics, '-' and '.')`);
    bad = true;
  }
  const namespace = s.string("namespace");
  if (namespace === INVALID) bad = true;
  else if (namespace !== undefined && namespace !== "" && !isDnsLabel(namespace)) {
    r.error("INVALID_NAME", childPath(s.path, "namespace"), s.offsetOf("namespace"), `invalid namespace ${JSON.stringify(namespace)}: must be a DNS label (lowercase alphanumerics and '-')`);
    bad = true;
  }
  if (bad || typeof name !== "string") return INVALID;
  const ns = valueOr(namespace, "");
  return { name, namespace: ns === "" ? null : ns };
}

interface Timers {
  readonly holdTime: number;
  readonly keepaliveTime: number | null;
}

function readTimers(r: YamlReader, m: MapView): Timers | Invalid {
  const holdPath = childPath(m.path, "hold-time");
  const kaPath = childPath(m.path, "keepalive-time");
  const holdText = m.string("hold-time");
  const kaText = m.string("keepalive-time");
  if (holdText === INVALID || kaText === INVALID) return INVALID;

  let holdNs: bigint | undefined;
  if (holdText !== undefined && holdText !== "") {
    const d = parseGoDuration(holdText);
    if (!d.ok) {
      r.error("INVALID_HOLD_TIME", holdPath, m.offsetOf("hold-time"), `invalid hold time ${JSON.stringify(holdText)}: ${d.message}`);
      return INVALID;
    }
    holdNs = d.nanoseconds;
  }
  let kaNs: bigint | undefined;
  if (kaText !== undefined && kaText !== "") {
    const d = parseGoDuration(kaText);
    if (!d.ok) {
      r.error("INVALID_KEEPALIVE_TIME", kaPath, m.offsetOf("keepalive-time"), `invalid keepalive time ${JSON.stringify(kaText)}: ${d.message}`);
      return INVALID;
    }
    kaNs = d.nanoseconds;
  }

  if (kaNs === undefined) {
    if (holdNs === undefined) return { holdTime: DEFAULT_HOLD_TIME_SECONDS, keepaliveTime: null };
    const problem = holdProblem(holdNs);
    if (problem !== undefined) {
      r.error("INVALID_HOLD_TIME", holdPath, m.offsetOf("hold-time"), `invalid hold time ${JSON.stringify(holdText)}: ${problem}`);
      return INVALID;
    }
    return { holdTime: Number(wholeSeconds(holdNs)), keepaliveTime: null };
  }

  if (kaNs < 0n) {
    r.error("INVALID_KEEPALIVE_TIME", kaPath, m.offsetOf("keepalive-time"), `invalid keepalive time ${JSON.stringify(kaText)}: must not be negative`);
    return INVALID;
  }
  if (holdNs === undefined) {
    const implied = 3n * kaNs;
    const problem = holdProblem(implied);
    if (problem !== undefined) {
      r.error(
        "INVALID_KEEPALIVE_TIME",
        kaPath,
        m.offsetOf("keepalive-time"),
        `invalid keepalive time ${JSON.stringify(kaText)}: the hold time it implies (3 x keepalive = ${formatGoDuration(implied)}) ${problem}`,
      );
      return INVALID;
    }
    holdNs = implied;
  } else {
    const problem = holdProblem(holdNs);
    if (problem !== undefined) {
      r.error("INVALID_HOLD_TIME", holdPath, m.offsetOf("hold-time"), `invalid hold time ${JSON.stringify(holdText)}: ${problem}`);
      return INVALID;
    }
    if (kaNs > holdNs) {
      r.error(
        "INVALID_KEEPALIVE_TIME",
        kaPath,
        m.offsetOf("keepalive-time"),
        `invalid keepaliveTime ${JSON.stringify(kaText)}, must be lower than holdTime ${JSON.stringify(holdText)}`,
      );
      return INVALID;
    }
  }
  const holdSeconds = wholeSeconds(holdNs);
  const kaSeconds = wholeSeconds(kaNs);
  if (holdSeconds !== 0n && kaSeconds === 0n) {
    r.error("INVALID_KEEPALIVE_TIME", kaPath, m.offsetOf("keepalive-time"), `invalid keepalive time ${JSON.stringify(kaText)}: must be at least 1s unless the hold time is 0`);
    return INVALID;
  }
  return { holdTime: Number(holdSeconds), keepaliveTime: Number(kaSeconds) };
}

/** Why a hold time is unusable, or undefined. */
function holdProblem(ns: bigint): string | undefined {
  const s = wholeSeconds(ns);
  if (s !== 0n && s < MIN_HOLD_TIME_SECONDS) return "must be 0 or >=3s";
  if (s > MAX_HOLD_TIME_SECONDS) return `must be at most ${MAX_HOLD_TIME_SECONDS}s (BGP carries it in 16 bits)`;
  return undefined;
}

/** A stable text of a value for deep-equality checks: object keys sorted, bigints included. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
