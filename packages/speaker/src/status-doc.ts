// What a speaker publishes about itself, for `ironlb status`: the Services
// (and IPs) it announces per protocol and the state of its BGP sessions.
//
// Where: one annotation, `ironlb.io/speaker-status`, on the speaker's own
// pod. Chosen for the fewest writes and the least RBAC: one merge patch per
// change, `patch` on pods in the speaker's own namespace (it already lists
// and watches those pods), no new object to create, garbage-collect or
// Lease-renew, and the state disappears with the pod it describes (a rolling
// update never leaves a stale entry behind). Writes happen only when the
// document changes, never per reconcile: session states are published as up
// or down with the time of the last transition, not as the FSM's Connect /
// Active flapping or message counters.
//
// Size: an annotation value must stay well under 256 KiB. Layer 2 lists
// only the Services this node owns (about 1/N of them); BGP lists every
// Service it announces. Beyond MAX_DOC_BYTES the per-Service lists are
// dropped and replaced by counts (`truncated`).
//
// Pure: build, serialise and parse the document.

export const STATUS_ANNOTATION = "ironlb.io/speaker-status";
export const STATUS_VERSION = 1;
export const MAX_DOC_BYTES = 200_000;

export type SessionState = "up" | "down";

export interface PublishedSession {
  readonly address: string;
  readonly state: SessionState;
  /** RFC 3339 time of the last up/down transition. */
  readonly since: string;
  /** The last reason the session went down (a NOTIFICATION, hold timer, connect failure), when known. */
  readonly lastError?: string | undefined;
}

export interface SpeakerStatusDoc {
  readonly v: number;
  readonly node: string;
  /** service key -> IPs this node answers ARP/NDP for. */
  readonly layer2: Readonly<Record<string, readonly string[]>>;
  /** service key -> IPs this node announces over BGP. */
  readonly bgp: Readonly<Record<string, readonly string[]>>;
  readonly sessions: Readonly<Record<string, PublishedSession>>;
  /** Present when the lists were too long: counts instead of Services. */
  readonly truncated?: { readonly layer2: number; readonly bgp: number } | undefined;
}

export interface StatusInput {
  readonly node: string;
  readonly layer2: ReadonlyMap<string, readonly string[]>;
  readonly bgp: ReadonlyMap<string, readonly string[]>;
  readonly sessions: ReadonlyMap<string, PublishedSession>;
}

const sortedRecord = <T>(m: ReadonlyMap<string, T>): Record<string, T> => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The annotation value; byte-identical for equal inputs, so "changed" is a string compare. */
export function serializeStatus(input: StatusInput): string {
  const full: SpeakerStatusDoc = { v: STATUS_VERSION, node: input.node, layer2: sortedRecord(input.layer2), bgp: sortedRecord(input.bgp), sessions: sortedRecord(input.sessions) };
  const text = JSON.stringify(full);
  if (Buffer.byteLength(text) <= MAX_DOC_BYTES) return text;
  return JSON.stringify({ ...full, layer2: {}, bgp: {}, truncated: { layer2: input.layer2.size, bgp: input.bgp.size } });
}

/** Reads an annotation value; undefined when absent or not a document this version understands. */
export function parseStatus(text: string | undefined): SpeakerStatusDoc | undefined {
  if (text === undefined || text === "") return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const d = v as Partial<SpeakerStatusDoc>;
  if (d.v !== STATUS_VERSION || typeof d.node !== "string" || typeof d.layer2 !== "object" || typeof d.bgp !== "object" || typeof d.sessions !== "object") return undefined;
  return d as SpeakerStatusDoc;
}
