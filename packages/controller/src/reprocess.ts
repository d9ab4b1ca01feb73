// The order of a full pass over every Service (MetalLB reprocessAll,
// reference §2.6): Services holding the most ingress IPs first, so every IP
// already in a status is re-claimed before any Service may allocate. That is
// what keeps IPs from changing hands across restarts (MetalLB #1774, #2443,
// #1984). MetalLB's sort.Slice leaves equal counts in no defined order;
// here ties go by namespace/name, so a pass is reproducible.
import type { V1Service } from "@ironlb/kube";

export function serviceKeyOf(svc: V1Service): string {
  return `${svc.metadata?.namespace ?? ""}/${svc.metadata?.name ?? ""}`;
}

/** A new array in pass order; the input is not modified. */
export function reprocessOrder(services: readonly V1Service[]): V1Service[] {
  return services
    .map((svc) => ({ svc, key: serviceKeyOf(svc), held: svc.status?.loadBalancer?.ingress?.length ?? 0 }))
    .sort((a, b) => b.held - a.held || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => e.svc);
}
