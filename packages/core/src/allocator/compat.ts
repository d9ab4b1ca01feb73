// Which pools a service may use, and in which order automatic allocation tries
// them (reference §2.2 step 3, §2.3).
//
// Compatibility (MetalLB isPoolCompatibleWithService): a pool without
// service-allocation admits everyone. With one, the service's namespace must
// be listed or match a namespace selector (when the pool names any), and its
// labels must match one service selector (when the pool has any).
//
// Two deliberate differences from MetalLB, both about selectors that resolve
// to nothing:
// - MetalLB resolves namespace selectors to a set of names at config time and
//   treats an empty set as "no namespace restriction", so a selector matching
//   no namespace opens the pool to every namespace. Here a pool that names
//   namespaces or namespace selectors admits only what they match.
// - A service-allocation with neither namespaces nor selectors (only a
//   priority, or `{}`) admits every service and pins the pool for all of them,
//   as MetalLB does since PR #2714 (issue #2656); before that such a pool was
//   silently never used by automatic allocation (issue #2003).
//
// Order: pinned pools (those with a service-allocation admitting the
// service) by priority, lower first and 0 last; MetalLB leaves ties in no
// defined order (sort.Slice with a non-strict comparator), IronLB breaks them by
// pool name. Then pools without service-allocation in config order; MetalLB
// takes those from a Go map, i.e. in random order.
import type { Pool } from "../config/index.ts";
import { matchesSelector } from "../config/index.ts";
import type { ServiceRequest } from "./request.ts";

export type CompatVerdict = "ok" | "namespace-not-allowed" | "service-selector-mismatch";

export function poolAdmits(pool: Pool, svc: ServiceRequest): CompatVerdict {
  const sa = pool.serviceAllocation;
  if (sa === null) return "ok";
  if (sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0) {
    const listed = sa.namespaces.includes(svc.namespace) || sa.namespaceSelectors.some((s) => matchesSelector(s, svc.namespaceLabels));
    if (!listed) return "namespace-not-allowed";
  }
  if (sa.serviceSelectors.length > 0 && !sa.serviceSelectors.some((s) => matchesSelector(s, svc.labels))) {
    return "service-selector-mismatch";
  }
  return "ok";
}

/** Priority order of pinned pools: lower first, 0 ("no priority") last, then by name. */
export function comparePinned(a: Pool, b: Pool): number {
  const pa = rank(a);
  const pb = rank(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function rank(p: Pool): number {
  const prio = p.serviceAllocation?.priority ?? 0;
  return prio > 0 ? prio : Number.POSITIVE_INFINITY;
}
