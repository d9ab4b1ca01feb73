// `bfd-profiles`: MetalLB v0.12's BFD profile list (FRR backend only there).
// Names are required and unique; intervals are 10-60000 ms, the detect
// multiplier 2-255, the minimum TTL 1-254 (RFC 5880 §6.8.1 leaves the values
// to the implementation; these are FRR's bounds, which MetalLB copied).
//
// Deliberately not here: running BFD. IronLB parses and checks profiles so a
// MetalLB config keeps validating, and warns that no BFD session runs yet.
import { childPath } from "./issues.ts";
import type { BfdProfile } from "./types.ts";
import { INVALID, UINT32, valueOr, type Item, type MapView, type YamlReader } from "./yaml-reader.ts";

const BFD_KEYS = [
  "name",
  "receive-interval",
  "transmit-interval",
  "detect-multiplier",
  "echo-interval",
  "echo-mode",
  "passive-mode",
  "minimum-ttl",
] as const;

const RANGES: readonly (readonly [key: (typeof BFD_KEYS)[number], min: number, max: number])[] = [
  ["receive-interval", 10, 60000],
  ["transmit-interval", 10, 60000],
  ["detect-multiplier", 2, 255],
  ["echo-interval", 10, 60000],
  ["minimum-ttl", 1, 254],
];

export interface BfdSection {
  /** Valid profiles, in config order. */
  readonly profiles: BfdProfile[];
  /** Every name that was declared, valid or not: peers that name one are not "unknown". */
  readonly declared: ReadonlySet<string>;
}

export function readBfdProfiles(r: YamlReader, items: readonly Item[] | undefined): BfdSection {
  const profiles: BfdProfile[] = [];
  const declared = new Set<string>();
  for (const it of items ?? []) {
    const m = r.mapping(it, BFD_KEYS);
    if (m === INVALID) continue;
    const p = readProfile(r, m, declared);
    if (p !== undefined) profiles.push(p);
  }
  return { profiles, declared };
}

function readProfile(r: YamlReader, m: MapView, declared: Set<string>): BfdProfile | undefined {
  let bad = false;
  const name = m.string("name");
  if (name === undefined || name === "") {
    r.error("MISSING_FIELD", childPath(m.path, "name"), m.offsetOf("name"), "missing bfd profile name");
    bad = true;
  } else if (name === INVALID) bad = true;
  else if (declared.has(name)) {
    r.error("DUPLICATE_BFD_PROFILE", childPath(m.path, "name"), m.offsetOf("name"), `found duplicate bfd profile name ${name}`);
    bad = true;
  } else declared.add(name);

  const values = new Map<string, number | null>();
  for (const [key, min, max] of RANGES) {
    const v = m.integer(key, UINT32);
    if (v === INVALID) bad = true;
    else if (v !== undefined && (v < min || v > max)) {
      r.error("OUT_OF_RANGE", childPath(m.path, key), m.offsetOf(key), `invalid value ${v}, must be in ${min}-${max} range`);
      bad = true;
    } else values.set(key, v ?? null);
  }
  const echoMode = m.bool("echo-mode");
  const passiveMode = m.bool("passive-mode");
  if (echoMode === INVALID || passiveMode === INVALID) bad = true;
  if (bad || typeof name !== "string") return undefined;
  return {
    name,
    receiveInterval: values.get("receive-interval") ?? null,
    transmitInterval: values.get("transmit-interval") ?? null,
    detectMultiplier: values.get("detect-multiplier") ?? null,
    echoInterval: values.get("echo-interval") ?? null,
    echoMode: valueOr(echoMode, false),
    passiveMode: valueOr(passiveMode, false),
    minimumTtl: values.get("minimum-ttl") ?? null,
  };
}
