// `address-pools`: MetalLB v0.12.1's pool fields and rules (reference §1a) and
// IronLB's per-pool `service-allocation` (MetalLB CRD semantics, reference
// §1b/§2.3) and `layer2` (interfaces and node selectors, as an L2Advertisement).
//
// Rules: a name, unique; protocol layer2 or bgp; at least one address entry,
// each a CIDR or a "start-end" range; no two entries may share an address,
// within a pool or across pools (an exact duplicate counts); bgp-advertisements
// only in bgp pools, layer2 settings only in layer2 pools.
//
// Deliberately not here: handing out addresses (core/allocator) and resolving
// namespace selectors against Namespaces (that needs the cluster).
import { formatIp, formatPrefix, parseAddressEntry, parseCidr, prefixesOverlap, prefixFirst, prefixLast, IpError, type AddressEntry, type IpAddress, type IpFamily, type Prefix } from "../ip/index.ts";
import { readAdvertisements, type AdvertisementContext, type PlacedEntry } from "./advertisements.ts";
import { childPath } from "./issues.ts";
import { isDnsLabel, readSelectorList } from "./selector-parse.ts";
import type { BgpAdvertisement, LabelSelector, Layer2Settings, Pool, Protocol, ServiceAllocation } from "./types.ts";
import { INT32, INVALID, valueOr, type Invalid, type Item, type MapView, type YamlReader } from "./yaml-reader.ts";

const POOL_KEYS = ["name", "protocol", "addresses", "avoid-buggy-ips", "auto-assign", "bgp-advertisements", "service-allocation", "layer2"] as const;
const SERVICE_ALLOCATION_KEYS = ["priority", "namespaces", "namespace-selectors", "service-selectors"] as const;
const LAYER2_KEYS = ["interfaces", "node-selectors"] as const;
const PROTOCOLS: readonly Protocol[] = ["layer2", "bgp"];
const IFNAMSIZ = 16; // Linux: names are at most 15 bytes plus NUL

const NO_LAYER2: Layer2Settings = { interfaces: [], nodeSelectors: [] };

/** Every address entry accepted so far, across pools, for the overlap rule. */
interface Claimed extends PlacedEntry {
  readonly pool: string;
  readonly bounds: Bounds;
}

export function readPools(r: YamlReader, items: readonly Item[] | undefined, ctx: AdvertisementContext): Pool[] {
  const pools: Pool[] = [];
  const names = new Set<string>();
  const claimed: Claimed[] = [];
  for (const it of items ?? []) {
    const m = r.mapping(it, POOL_KEYS);
    if (m === INVALID) continue;
    const pool = readPool(r, m, names, claimed, ctx);
    if (pool !== undefined) pools.push(pool);
  }
  return pools;
}

function readPool(r: YamlReader, m: MapView, names: Set<string>, claimed: Claimed[], ctx: AdvertisementContext): Pool | undefined {
  const at = (key: string) => childPath(m.path, key);
  let bad = false;

  const name = m.string("name");
  if (name === undefined || name === "") {
    r.error("MISSING_FIELD", at("name"), m.offsetOf("name"), "missing pool name");
    bad = true;
  } else if (name === INVALID) bad = true;
  else if (names.has(name)) {
    r.error("DUPLICATE_POOL", at("name"), m.offsetOf("name"), `duplicate definition of pool ${JSON.stringify(name)}`);
    bad = true;
  } else names.add(name);
  const poolName = typeof name === "string" ? name : "";

  const protocolText = m.string("protocol");
  let protocol: Protocol | undefined;
  if (protocolText === undefined || protocolText === "") {
    r.error("MISSING_FIELD", at("protocol"), m.offsetOf("protocol"), "address pool is missing the protocol field");
    bad = true;
  } else if (protocolText === INVALID) bad = true;
  else {
    protocol = PROTOCOLS.find((p) => p === protocolText);
    if (protocol === undefined) {
      r.error("INVALID_PROTOCOL", at("protocol"), m.offsetOf("protocol"), `unknown protocol ${JSON.stringify(protocolText)} (layer2 or bgp)`);
      bad = true;
    }
  }

  const { entries: placed, ok: addressesOk } = readAddresses(r, m, poolName, claimed);
  if (!addressesOk) bad = true;

  const avoidBuggyIps = m.bool("avoid-buggy-ips");
  const autoAssign = m.bool("auto-assign");
  if (avoidBuggyIps === INVALID || autoAssign === INVALID) bad = true;

  let bgpAdvertisements: BgpAdvertisement[] = [];
  const advItems = m.list("bgp-advertisements");
  if (advItems === INVALID) bad = true;
  else if (protocol === "layer2") {
    if (advItems !== undefined && advItems.length > 0) {
      r.error("BGP_ADVERTISEMENTS_IN_LAYER2_POOL", at("bgp-advertisements"), m.keyOffset("bgp-advertisements"), "cannot have bgp-advertisements configuration element in a layer2 address pool");
      bad = true;
    }
  } else {
    // Also for a pool whose protocol is missing or wrong: its advertisements'
    // own mistakes are worth reporting in the same pass.
    const advs = readAdvertisements(r, advItems, placed, ctx);
    if (advs === INVALID) bad = true;
    else if (protocol === "bgp") bgpAdvertisements = advs;
  }

  const serviceAllocation = readServiceAllocation(r, m);
  if (serviceAllocation === INVALID) bad = true;

  let layer2: Layer2Settings = NO_LAYER2;
  const l2 = m.mapping("layer2", LAYER2_KEYS);
  if (l2 === INVALID) bad = true;
  else if (l2 !== undefined) {
    if (protocol === "bgp") {
      r.error("LAYER2_SETTINGS_IN_BGP_POOL", at("layer2"), m.keyOffset("layer2"), "cannot have layer2 configuration element in a bgp address pool");
      bad = true;
    }
    const settings = readLayer2(r, l2);
    if (settings === INVALID) bad = true;
    else layer2 = settings;
  }

  if (protocol === "bgp" && ctx.peers.written === 0) {
    r.warn("NO_BGP_PEERS", at("protocol"), m.offsetOf("protocol"), `pool ${JSON.stringify(poolName)} is announced by BGP but no peers are configured: its addresses are assigned but nobody learns a route to them`);
  }
  if (avoidBuggyIps !== true) warnBuggyIps(r, poolName, placed);

  if (bad || typeof name !== "string" || protocol === undefined || serviceAllocation === INVALID) return undefined;
  return {
    name,
    protocol,
    addresses: placed.map((e) => e.entry),
    cidrs: placed.flatMap((e) => e.entry.prefixes),
    avoidBuggyIps: valueOr(avoidBuggyIps, false),
    autoAssign: valueOr(autoAssign, true),
    bgpAdvertisements,
    serviceAllocation: serviceAllocation ?? null,
    layer2,
  };
}

/**
 * Reads `addresses`: the entries that parsed, and whether all did without
 * overlapping. Entries that parsed are claimed even when a sibling is wrong,
 * so the overlap rule and the aggregation-length rule keep working on them.
 */
function readAddresses(r: YamlReader, m: MapView, pool: string, claimed: Claimed[]): { entries: PlacedEntry[]; ok: boolean } {
  const list = m.stringList("addresses");
  if (list === INVALID) return { entries: [], ok: false };
  if (list === undefined || list.length === 0) {
    r.error("MISSING_FIELD", childPath(m.path, "addresses"), m.offsetOf("addresses"), "pool has no prefixes defined");
    return { entries: [], ok: false };
  }
  let bad = false;
  const out: PlacedEntry[] = [];
  for (const item of list) {
    let entry: AddressEntry;
    try {
      entry = parseAddressEntry(item.value);
    } catch (err) {
      if (!(err instanceof IpError)) throw err;
      const isRange = item.value.includes("-");
      const detail = isRange ? `: ${err.message}` : err.message.replace(/^invalid CIDR "[^"]*"/, "");
      r.error(isRange ? "INVALID_RANGE" : "INVALID_CIDR", item.path, item.offset, `invalid CIDR ${JSON.stringify(item.value)} in pool ${JSON.stringify(pool)}${detail}`);
      bad = true;
      continue;
    }
    const placed: PlacedEntry = { entry, path: item.path, offset: item.offset };
    if (entry.kind === "cidr") {
      const written = parseCidr(entry.text).address;
      if (written.value !== entry.prefixes[0].network) {
        r.warn("CIDR_HOST_BITS", item.path, item.offset, `${JSON.stringify(entry.text)} has host bits set; it means ${formatPrefix(entry.prefixes[0])}`);
      }
    }
    const mine = bounds(entry);
    const other = claimed.find((c) => overlaps(c.bounds, mine));
    if (other !== undefined) {
      const [ours, theirs] = overlappingPrefixes(entry, other.entry);
      const where = other.pool === pool ? "" : ` in pool ${JSON.stringify(other.pool)}`;
      r.error(
        "CIDR_OVERLAP",
        item.path,
        item.offset,
        `CIDR ${JSON.stringify(formatPrefix(ours))} in pool ${JSON.stringify(pool)} overlaps with already defined CIDR ${JSON.stringify(formatPrefix(theirs))}${where}`,
      );
      bad = true;
    }
    claimed.push({ ...placed, pool, bounds: mine });
    out.push(placed);
  }
  return { entries: out, ok: !bad };
}

// An entry is one contiguous interval (a CIDR, or a range), so overlap is an
// interval test; comparing entries rather than their split CIDRs keeps the
// rule quadratic in entries, not in the CIDRs a long range splits into.
// Bounds are computed once per entry: recomputing them per comparison made
// 1000 pools take 1.4 s instead of 0.2 s on the CI machine.
interface Bounds {
  readonly family: IpFamily;
  readonly lo: bigint;
  readonly hi: bigint;
}

function bounds(e: AddressEntry): Bounds {
  if (e.kind === "range") return { family: e.range.start.family, lo: e.range.start.value, hi: e.range.end.value };
  const p = e.prefixes[0];
  return { family: p.family, lo: prefixFirst(p).value, hi: prefixLast(p).value };
}

function overlaps(a: Bounds, b: Bounds): boolean {
  return a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;
}

function overlappingPrefixes(a: AddressEntry, b: AddressEntry): readonly [Prefix, Prefix] {
  for (const p of a.prefixes) for (const q of b.prefixes) if (prefixesOverlap(p, q)) return [p, q];
  throw new Error("assertion: overlapping entries without overlapping prefixes");
}

function readServiceAllocation(r: YamlReader, m: MapView): ServiceAllocation | undefined | Invalid {
  const sa = m.mapping("service-allocation", SERVICE_ALLOCATION_KEYS);
  if (sa === undefined || sa === INVALID) return sa;
  let bad = false;
  const priority = sa.integer("priority", INT32);
  if (priority === INVALID) bad = true;

  const namespaces: string[] = [];
  const nsList = sa.stringList("namespaces");
  if (nsList === INVALID) bad = true;
  for (const ns of nsList === INVALID ? [] : (nsList ?? [])) {
    if (!isDnsLabel(ns.value)) {
      r.error("INVALID_NAME", ns.path, ns.offset, `invalid namespace ${JSON.stringify(ns.value)}: must be a DNS label (lowercase alphanumerics and '-')`);
      bad = true;
    } else if (namespaces.includes(ns.value)) {
      r.error("DUPLICATE_ENTRY", ns.path, ns.offset, `duplicate definition in namespaces field: ${JSON.stringify(ns.value)}`);
      bad = true;
    } else namespaces.push(ns.value);
  }

  const selectors = (key: "namespace-selectors" | "service-selectors"): LabelSelector[] => {
    const items = sa.list(key);
    if (items === INVALID) {
      bad = true;
      return [];
    }
    const sels = readSelectorList(r, items ?? [], key, { rejectDuplicates: true });
    if (sels === INVALID) {
      bad = true;
      return [];
    }
    return sels;
  };
  const namespaceSelectors = selectors("namespace-selectors");
  const serviceSelectors = selectors("service-selectors");
  if (bad) return INVALID;
  return { priority: typeof priority === "number" ? priority : 0, namespaces, namespaceSelectors, serviceSelectors };
}

function readLayer2(r: YamlReader, m: MapView): Layer2Settings | Invalid {
  let bad = false;
  const interfaces: string[] = [];
  const list = m.stringList("interfaces");
  if (list === INVALID) bad = true;
  for (const it of list === INVALID ? [] : (list ?? [])) {
    const problem = interfaceNameProblem(it.value);
    if (problem !== undefined) {
      r.error("INVALID_NAME", it.path, it.offset, `invalid interface name ${JSON.stringify(it.value)}: ${problem}`);
      bad = true;
    } else if (interfaces.includes(it.value)) {
      r.error("DUPLICATE_ENTRY", it.path, it.offset, `duplicate definition in interfaces field: ${JSON.stringify(it.value)}`);
      bad = true;
    } else interfaces.push(it.value);
  }
  let nodeSelectors: LabelSelector[] = [];
  const sels = m.list("node-selectors");
  if (sels === INVALID) bad = true;
  else if (sels !== undefined) {
    const read = readSelectorList(r, sels, "node-selectors", { rejectDuplicates: false });
    if (read === INVALID) bad = true;
    else nodeSelectors = read;
  }
  return bad ? INVALID : { interfaces, nodeSelectors };
}

/** Linux's dev_valid_name(): 1-15 bytes, not "." or "..", no '/', ':' or whitespace. */
function interfaceNameProblem(name: string): string | undefined {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes >= IFNAMSIZ) return `must be 1-${IFNAMSIZ - 1} bytes`;
  if (name === "." || name === "..") return "must not be . or ..";
  if (/[/:\s]/.test(name)) return "must not contain '/', ':' or whitespace";
  return undefined;
}

/** The first IPv4 address ending in .0 or .255 the pool would hand out, if any. */
function firstBuggyIp(entries: readonly PlacedEntry[]): IpAddress | undefined {
  for (const { entry } of entries) {
    for (const p of entry.prefixes) {
      if (p.family !== "ipv4") break;
      const first = prefixFirst(p);
      const last = prefixLast(p);
      if ((first.value & 0xffn) === 0n) return first;
      if ((last.value & 0xffn) === 0xffn) return last;
    }
  }
  return undefined;
}

function warnBuggyIps(r: YamlReader, pool: string, entries: readonly PlacedEntry[]): void {
  const buggy = firstBuggyIp(entries);
  if (buggy === undefined) return;
  const entry = entries.find((e) => e.entry.prefixes.some((p) => p.family === "ipv4" && buggy.value >= p.network && buggy.value <= prefixLast(p).value));
  if (entry === undefined) return;
  r.warn(
    "BUGGY_IPS_ASSIGNABLE",
    entry.path,
    entry.offset,
    `pool ${JSON.stringify(pool)} will hand out ${formatIp(buggy)}: some clients and routers drop traffic to addresses ending in .0 or .255; set avoid-buggy-ips: true to skip them`,
  );
}
