// Which speakers are alive, from two sources that fail differently:
//
// - the membership (SWIM among the speakers, ./membership): learns within
//   about a second that a speaker process died or its node dropped off the
//   network, without any API write; it alone cannot tell whether a node's
//   speaker was ever meant to run (a stale member, a node being drained);
// - the API: a Ready speaker pod on the node (the kubelet's view of the
//   container and its readiness probe); slow to notice a dead node (the node
//   lifecycle controller's grace period, tens of seconds) but authoritative
//   about which speakers should count.
//
// A node is a live speaker when both say so (alive member and Ready pod).
// With membership off, the pods alone decide, as MetalLB without memberlist
// uses every Node (here narrowed to nodes that run a Ready speaker).
//
// Partitions (MetalLB's documented behaviour, kept on purpose): each side of
// a cut declares the other side dead and elects owners among the speakers it
// still reaches, so an IP may be announced on both sides until the cut
// heals; then both views merge and the deterministic election converges to
// one owner again. The alternative, announcing only with a quorum, would
// take every IP off the air on the minority side (and on both sides of a
// two-node cluster) for a failure that clients on the majority side do not
// see. The layer 2 announcer's conflict events make the split visible.
//
// Pure.

export interface PodObject {
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined; readonly deletionTimestamp?: unknown } | undefined;
  readonly spec?: { readonly nodeName?: string | undefined } | undefined;
  readonly status?: {
    readonly podIP?: string | undefined;
    readonly podIPs?: readonly { readonly ip?: string | undefined }[] | undefined;
    readonly phase?: string | undefined;
    readonly conditions?: readonly { readonly type?: string | undefined; readonly status?: string | undefined }[] | undefined;
  } | undefined;
}

export interface SpeakerPod {
  readonly name: string;
  readonly node: string;
  readonly ip: string | undefined;
  readonly ready: boolean;
}

export function speakerPod(pod: PodObject): SpeakerPod {
  const ready =
    pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True") && pod.metadata?.deletionTimestamp === undefined;
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  return { name: pod.metadata?.name ?? "", node: pod.spec?.nodeName ?? "", ip: ip === undefined || ip === "" ? undefined : ip, ready };
}

/** Nodes with a Ready speaker pod. */
export function readyNodes(pods: Iterable<SpeakerPod>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) if (p.ready && p.node !== "") out.add(p.node);
  return out;
}

/**
 * The live speakers: alive members (null when the membership is off) that
 * also run a Ready speaker pod.
 */
export function liveSpeakers(aliveMembers: ReadonlySet<string> | null, ready: ReadonlySet<string>): Set<string> {
  if (aliveMembers === null) return new Set(ready);
  const out = new Set<string>();
  for (const n of aliveMembers) if (ready.has(n)) out.add(n);
  return out;
}

export function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
