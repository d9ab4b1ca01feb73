// `ironlb status`'s speaker part: which node announces each Service (and
// with which protocol) and the state of every BGP session, read from the
// speakers' published documents (status-doc.ts) on their pods. Two list
// calls, no per-node round trips, no access to the nodes themselves.
//
// What it cannot show: a speaker whose API writes fail (its document is
// stale) or a pod without a document yet (shown as "not published").
import { serviceKey, type ServiceObject } from "@ironlb/core/service";
import type { Clients } from "@ironlb/kube";
import { speakerPod, type PodObject } from "./live.ts";
import { parseStatus, STATUS_ANNOTATION } from "./status-doc.ts";

export interface SpeakerRow {
  readonly node: string;
  readonly pod: string;
  readonly ready: boolean;
  readonly published: boolean;
  readonly truncated: boolean;
}

export interface ServiceRow {
  readonly service: string;
  readonly ips: readonly string[];
  /** Nodes answering ARP/NDP (one, normally). */
  readonly layer2: readonly string[];
  /** Nodes announcing over BGP. */
  readonly bgp: readonly string[];
}

export interface SessionRow {
  readonly node: string;
  readonly peer: string;
  readonly address: string;
  readonly state: string;
  readonly since: string;
  readonly lastError: string;
}

export interface SpeakerStatusView {
  readonly speakers: readonly SpeakerRow[];
  readonly services: readonly ServiceRow[];
  readonly sessions: readonly SessionRow[];
}

type AnnotatedPod = PodObject & { readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> | undefined } | undefined };

/** Joins the speakers' documents with the LoadBalancer Services. Pure. */
export function buildSpeakerStatus(pods: readonly AnnotatedPod[], services: readonly ServiceObject[]): SpeakerStatusView {
  const speakers: SpeakerRow[] = [];
  const sessions: SessionRow[] = [];
  // service key -> protocol -> nodes
  const by = new Map<string, { layer2: Set<string>; bgp: Set<string> }>();
  const entry = (k: string) => {
    let e = by.get(k);
    if (e === undefined) by.set(k, (e = { layer2: new Set(), bgp: new Set() }));
    return e;
  };
  for (const pod of pods) {
    const p = speakerPod(pod);
    const doc = parseStatus(pod.metadata?.annotations?.[STATUS_ANNOTATION]);
    speakers.push({ node: p.node, pod: p.name, ready: p.ready, published: doc !== undefined, truncated: doc?.truncated !== undefined });
    if (doc === undefined) continue;
    for (const svc of Object.keys(doc.layer2)) entry(svc).layer2.add(doc.node);
    for (const svc of Object.keys(doc.bgp)) entry(svc).bgp.add(doc.node);
    for (const [peer, s] of Object.entries(doc.sessions)) sessions.push({ node: doc.node, peer, address: s.address, state: s.state, since: s.since, lastError: s.lastError ?? "" });
  }
  const rows: ServiceRow[] = [];
  for (const svc of services) {
    if (svc.spec?.type !== "LoadBalancer") continue;
    const key = serviceKey(svc);
    const e = by.get(key);
    rows.push({
      service: key,
      ips: (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? "").filter((s) => s !== ""),
      layer2: [...(e?.layer2 ?? [])].sort(),
      bgp: [...(e?.bgp ?? [])].sort(),
    });
  }
  const byText = <T>(f: (t: T) => string) => (a: T, b: T) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);
  return {
    speakers: speakers.sort(byText((s) => s.node)),
    services: rows.sort(byText((r) => r.service)),
    sessions: sessions.sort(byText((s) => `${s.node}\u0000${s.peer}`)),
  };
}

/** Reads the speaker pods and the Services and builds the view. */
export async function collectSpeakerStatus(clients: Clients, namespace: string, speakerSelector: string): Promise<SpeakerStatusView> {
  const [pods, services] = await Promise.all([clients.core.listNamespacedPod({ namespace, labelSelector: speakerSelector }), clients.core.listServiceForAllNamespaces()]);
  return buildSpeakerStatus(pods.items as AnnotatedPod[], services.items as ServiceObject[]);
}

/** Plain-text tables (the CLI's "table" output). */
export function renderSpeakerStatus(view: SpeakerStatusView, table: (header: readonly string[], rows: readonly (readonly string[])[]) => string): string {
  const dash = (xs: readonly string[]) => (xs.length === 0 ? "-" : xs.join(","));
  const parts = [
    table(
      ["SERVICE", "IPS", "LAYER2", "BGP"],
      view.services.map((r) => [r.service, dash(r.ips), dash(r.layer2), dash(r.bgp)]),
    ),
    table(
      ["NODE", "PEER", "ADDRESS", "STATE", "SINCE", "LAST ERROR"],
      view.sessions.map((s) => [s.node, s.peer, s.address, s.state, s.since, s.lastError === "" ? "-" : s.lastError]),
    ),
    table(
      ["NODE", "SPEAKER POD", "READY", "STATUS"],
      view.speakers.map((s) => [s.node, s.pod, s.ready ? "yes" : "no", !s.published ? "not published" : s.truncated ? "published (counts only)" : "published"]),
    ),
  ];
  return parts.join("\n");
}
