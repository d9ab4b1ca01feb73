// The playground's live table, pure: one row per LoadBalancer Service with
// its IPs, the pool the controller took them from, the nodes whose speakers
// say they announce it (their published status) and what the network saw:
// with namespaces, the node whose MAC answered the client's ARP request
// (layer 2) or the next hops the router holds (BGP); without, nothing is
// on the wire, so "dry run".
//
// Deliberately not here: how the observations are made (playground.ts) or
// printed (the command).
import { POOL_ANNOTATION } from "@ironlb/core/service";
import { buildSpeakerStatus, type ServiceRow } from "@ironlb/speaker";
import { renderTable } from "../cli-kit.ts";

export interface ServiceObject {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: { readonly type?: string; readonly ports?: readonly { readonly port: number; readonly protocol?: string }[] };
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] };
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
  };
}

/** What the network showed for one IP: the nodes seen announcing it, or why nothing was seen. */
export type Sighting = { readonly kind: "arp"; readonly nodes: readonly string[] } | { readonly kind: "route"; readonly nodes: readonly string[] } | { readonly kind: "none"; readonly note: string };

export interface Row {
  readonly service: string;
  readonly ips: readonly string[];
  readonly ports: string;
  readonly pool: string;
  readonly announcedBy: string;
  readonly seen: string;
}

export interface ViewInput {
  readonly services: readonly ServiceObject[];
  readonly speakerPods: readonly object[];
  /** IP -> what the network showed; absent: not observed (dry run). */
  readonly sightings: ReadonlyMap<string, Sighting> | null;
}

export function buildRows(input: ViewInput): Row[] {
  const status = buildSpeakerStatus(input.speakerPods as Parameters<typeof buildSpeakerStatus>[0], input.services as unknown as Parameters<typeof buildSpeakerStatus>[1]);
  const byKey = new Map<string, ServiceRow>(status.services.map((r) => [r.service, r]));
  const rows: Row[] = [];
  for (const svc of input.services) {
    if (svc.spec?.type !== "LoadBalancer") continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? "").filter((s) => s !== "");
    const pending = svc.status?.conditions?.find((c) => c.type === "ironlb.io/Allocated" && c.status === "False")?.reason;
    const r = byKey.get(key);
    const announced = [...(r?.layer2.length ? [`${r.layer2.join(",")} (layer2)`] : []), ...(r?.bgp.length ? [`${r.bgp.join(",")} (bgp)`] : [])];
    rows.push({
      service: key,
      ips: ips.length === 0 ? [pending === undefined ? "<pending>" : `<pending: ${pending}>`] : ips,
      ports: (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(","),
      pool: svc.metadata.annotations?.[POOL_ANNOTATION] ?? "-",
      announcedBy: announced.length === 0 ? "-" : announced.join(" "),
      seen: ips.length === 0 ? "-" : [...new Set(ips.map((ip) => describeSighting(input.sightings, ip)))].join(" | "),
    });
  }
  return rows.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

function describeSighting(sightings: ReadonlyMap<string, Sighting> | null, ip: string): string {
  if (sightings === null) return "dry run";
  const s = sightings.get(ip);
  if (s === undefined) return "…";
  switch (s.kind) {
    case "arp":
      return s.nodes.length === 0 ? "ARP: no answer" : `ARP answered by ${s.nodes.join(",")}`;
    case "route":
      return s.nodes.length === 0 ? "router: no route" : `router: via ${s.nodes.join(",")}`;
    case "none":
      return s.note;
  }
}

export function renderRows(rows: readonly Row[]): string {
  return renderTable(
    ["SERVICE", "IP", "PORTS", "POOL", "ANNOUNCED BY", "SEEN ON THE NETWORK"],
    rows.map((r) => [r.service, r.ips.join(","), r.ports, r.pool, r.announcedBy, r.seen]),
  );
}
