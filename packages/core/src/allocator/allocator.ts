// MetalLB's in-memory IPAM (internal/allocator), reference §2.2-§2.7: a plain
// data structure, keyed by "namespace/name", with a handful of verbs and
// queries. No clock, no I/O, no events: the controller turns results into
// status writes, Events and conditions, and re-runs services when
// `setPools` reports that some must move.
//
// Every verb is decided by planner.ts against the current state and then
// committed; a call that fails leaves the state exactly as it was. Inputs
// (pools, requests, addresses) are never mutated; returned arrays are frozen.
//
// Costs: choosing an address is O(log n) in the number of used addresses
// (interval sets of free and shareable ordinals per pool family, see
// pool-space.ts), times the number of candidate pools; never a walk of the
// pool. `setPools` re-indexes every assignment, O(n log n).
//
// Deliberately not here: reading Services or annotations (the controller builds
// ServiceRequests), retries, and persistence (state is rebuilt on start by
// re-assigning what Service statuses hold, restored services first, §2.6).
import type { Pool } from "../config/index.ts";
import { compareIp, isBuggyIp, prefixContains, type IpAddress, type IpFamily } from "../ip/index.ts";
import { fail, ok, type AllocResult } from "./errors.ts";
import { Ledger, spaceOf, type Holding, type PoolState } from "./ledger.ts";
import {
  planAdditionalFamily,
  planAssign,
  planAutomatic,
  planFromPool,
  searchContext,
  type AssignOptions,
  type Plan,
  type PoolVerdict,
  type SearchContext,
} from "./planner.ts";
import { poolAdmits } from "./compat.ts";
import { checkServiceShape, portKeys, type ServiceRequest } from "./request.ts";

/** A service's pool and addresses (one, or one per family). */
export interface Assignment {
  readonly pool: string;
  readonly ips: readonly IpAddress[];
}

export type ReleaseReason =
  | "not-in-any-pool" // no pool contains the address any more (pool deleted or shrunk)
  | "buggy-ip" // the pool now avoids .0/.255 and the address is one
  | "split-across-pools"; // the service's two addresses now belong to different pools

export interface ReleasedService {
  readonly service: string;
  /** Where the service was. */
  readonly pool: string;
  readonly ips: readonly IpAddress[];
  readonly reason: ReleaseReason;
}

export interface SetPoolsReport {
  /** Assignments dropped because their addresses left the pools: re-allocate these (§2.7). Sorted by service. */
  readonly released: readonly ReleasedService[];
  /** Assignments kept whose addresses now belong to a pool of another name (a rename keeps the IP). */
  readonly moved: readonly { readonly service: string; readonly from: string; readonly to: string }[];
}

export interface FamilyCounters {
  /** Usable addresses; buggy ones excluded when the pool avoids them. Exact, even for a /64. */
  readonly total: bigint;
  /** Distinct addresses held: a shared address counts once. */
  readonly inUse: bigint;
  readonly available: bigint;
}

export interface PoolCounters {
  readonly ipv4: FamilyCounters;
  readonly ipv6: FamilyCounters;
  /** Services holding addresses of this pool (MetalLB registers this gauge but never sets it). */
  readonly services: number;
}

export interface IpOwners {
  readonly ip: IpAddress;
  readonly pool: string;
  /** "" when the holder does not allow sharing. */
  readonly sharingKey: string;
  readonly services: readonly string[];
}

export interface ExplainReport {
  readonly service: string;
  /** Which rule of §2.2 applies: requested addresses, a requested pool, or automatic allocation. */
  readonly mode: "requested-ips" | "requested-pool" | "automatic";
  /** The service's current assignment, and whether re-claiming it would succeed now. */
  readonly current: { readonly assignment: Assignment; readonly reclaim: AllocResult<Assignment> } | null;
  /** Every configured pool with its verdict; see planner.ts VerdictReason. */
  readonly pools: readonly PoolVerdict[];
  /** What the service would get if it held nothing now. */
  readonly outcome: AllocResult<Assignment>;
}

export interface ExplainRequest {
  /** Requested addresses (annotation or spec.loadBalancerIP). */
  readonly ips?: readonly IpAddress[] | undefined;
  /** The `address-pool` annotation. */
  readonly pool?: string | undefined;
}

const EMPTY: readonly IpAddress[] = Object.freeze([]);

export class Allocator {
  #ledger = new Ledger([]);

  /**
   * Replaces the pools (config order). Always accepted (MetalLB v0.14+):
   * assignments whose addresses still lie in one pool are kept, under that
   * pool's name; the others are dropped and reported so the controller can
   * re-allocate them (§2.7).
   */
  setPools(pools: readonly Pool[]): SetPoolsReport {
    const old = this.#ledger;
    const next = new Ledger(pools);
    const released: ReleasedService[] = [];
    const moved: { service: string; from: string; to: string }[] = [];
    for (const [service, holding] of old.allocated) {
      const found = next.poolFor(holding.ips);
      if (found === undefined) {
        released.push({ service, pool: holding.pool, ips: holding.ips, reason: releaseReason(next, holding.ips) });
        continue;
      }
      const to = found.state.pool.name;
      if (to !== holding.pool) moved.push({ service, from: holding.pool, to });
      next.record(service, to === holding.pool ? holding : { ...holding, pool: to });
    }
    this.#ledger = next;
    const byService = (a: { service: string }, b: { service: string }) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0);
    return Object.freeze({ released: Object.freeze(released.sort(byService)), moved: Object.freeze(moved.sort(byService)) });
  }

  /**
   * Gives the service exactly these addresses (MetalLB Assign): requested
   * addresses, or re-claiming the ones in its status (`reclaim`). Idempotent.
   * The addresses must lie in one pool that admits the service (auto-assign
   * off is fine) and pass the sharing rules; the service's previous
   * assignment is replaced.
   */
  assign(svc: ServiceRequest, ips: readonly IpAddress[], options: AssignOptions = {}): AllocResult<Assignment> {
    const ctx = searchContext(svc, portKeys(svc));
    return this.#commit(svc, ctx, planAssign(this.#ledger, svc, ctx, ips, options));
  }

  /** Frees the service's addresses. Idempotent; true when it held any. */
  unassign(key: string): boolean {
    return this.#ledger.release(key) !== undefined;
  }

  /**
   * Automatic allocation (MetalLB Allocate). A service that already holds
   * addresses re-claims them (so changed ports or keys are re-checked).
   */
  allocate(svc: ServiceRequest): AllocResult<Assignment> {
    const ctx = searchContext(svc, portKeys(svc));
    const current = this.#ledger.allocated.get(svc.key);
    if (current !== undefined) return this.#commit(svc, ctx, planAssign(this.#ledger, svc, ctx, current.ips, { reclaim: true }));
    return this.#commit(svc, ctx, planAutomatic(this.#ledger, svc, ctx, false).outcome);
  }

  /**
   * The `address-pool` annotation (MetalLB AllocateFromPool). A service that
   * holds addresses of that pool re-claims them; one that holds addresses of
   * another pool moves (its old addresses are freed only if the move succeeds).
   */
  allocateFromPool(svc: ServiceRequest, poolName: string): AllocResult<Assignment> {
    const ctx = searchContext(svc, portKeys(svc));
    const current = this.#ledger.allocated.get(svc.key);
    if (current !== undefined && current.pool === poolName) {
      return this.#commit(svc, ctx, planAssign(this.#ledger, svc, ctx, current.ips, { reclaim: true }));
    }
    return this.#commit(svc, ctx, planFromPool(this.#ledger, svc, ctx, poolName));
  }

  /**
   * PreferDualStack service holding one address: add one of the other family
   * from the same pool (MetalLB AllocateFromPoolForAdditionalFamily, §2.1 step 7).
   */
  allocateAdditionalFamily(svc: ServiceRequest): AllocResult<Assignment> {
    const shape = checkServiceShape(svc);
    if (shape !== undefined) return shape as AllocResult<never>;
    const current = this.#ledger.allocated.get(svc.key);
    if (current === undefined) return fail("INVALID_REQUEST", `service "${svc.key}" holds no address to add a family to`);
    if (svc.family !== "dual" || svc.ipFamilyPolicy !== "PreferDualStack") {
      return fail("INVALID_REQUEST", `service "${svc.key}" is not a PreferDualStack service with two clusterIP families`);
    }
    const ctx = searchContext(svc, portKeys(svc));
    if (current.ips.length === 2) return this.#commit(svc, ctx, planAssign(this.#ledger, svc, ctx, current.ips, { reclaim: true }));
    const plan = planAdditionalFamily(this.#ledger, svc, ctx, current.ips[0] as IpAddress, current.pool);
    if (!plan.ok) return plan;
    // The kept address is re-checked too, as MetalLB's Assign does: the ports or keys may have changed.
    return this.#commit(svc, ctx, planAssign(this.#ledger, svc, ctx, plan.value.ips, { reclaim: true }));
  }

  /** Dry run for `ironlb explain`: every pool's verdict and what the service would get. Changes nothing. */
  explain(svc: ServiceRequest, request: ExplainRequest = {}): ExplainReport {
    const ledger = this.#ledger;
    const ctx = searchContext(svc, portKeys(svc));
    const held = ledger.allocated.get(svc.key);
    const current = held === undefined ? null : { assignment: toAssignment(held), reclaim: toResult(planAssign(ledger, svc, ctx, held.ips, { reclaim: true })) };
    // Judge as if the service held nothing, then put its holding back exactly.
    if (held !== undefined) ledger.release(svc.key);
    try {
      if (request.ips !== undefined && request.ips.length > 0) {
        const plan = planAssign(ledger, svc, ctx, request.ips, { pool: request.pool });
        return { service: svc.key, mode: "requested-ips", current, pools: this.#requestedVerdicts(svc, plan), outcome: toResult(plan) };
      }
      if (request.pool !== undefined) {
        const plan = planFromPool(ledger, svc, ctx, request.pool);
        return { service: svc.key, mode: "requested-pool", current, pools: this.#requestedVerdicts(svc, plan, request.pool), outcome: toResult(plan) };
      }
      const auto = planAutomatic(ledger, svc, ctx, true);
      return { service: svc.key, mode: "automatic", current, pools: auto.verdicts, outcome: toResult(auto.outcome) };
    } finally {
      if (held !== undefined) ledger.record(svc.key, held);
    }
  }

  /** The pool the service's addresses come from, or undefined. */
  pool(key: string): string | undefined {
    return this.#ledger.allocated.get(key)?.pool;
  }

  /** The service's addresses (empty when none). */
  ips(key: string): readonly IpAddress[] {
    return this.#ledger.allocated.get(key)?.ips ?? EMPTY;
  }

  assignment(key: string): Assignment | undefined {
    const h = this.#ledger.allocated.get(key);
    return h === undefined ? undefined : toAssignment(h);
  }

  /** The services holding an address, sorted. */
  servicesOn(ip: IpAddress): readonly string[] {
    const state = this.#ledger.ipState(ip);
    return state === undefined ? EMPTY_KEYS : Object.freeze([...state.holders].sort());
  }

  /** Every used address with its holders, sorted by address (for `ironlb status`). */
  owners(): readonly IpOwners[] {
    const out: IpOwners[] = [];
    for (const s of this.#ledger.ipStates()) {
      out.push(Object.freeze({ ip: s.address, pool: s.pool.pool.name, sharingKey: s.sharingKey, services: Object.freeze([...s.holders].sort()) }));
    }
    return Object.freeze(out.sort((a, b) => compareIp(a.ip, b.ip)));
  }

  /** Per-pool counters, or undefined for an unknown pool. */
  counters(poolName: string): PoolCounters | undefined {
    const state = this.#ledger.byName.get(poolName);
    if (state === undefined) return undefined;
    return Object.freeze({ ipv4: familyCounters(state, "ipv4"), ipv6: familyCounters(state, "ipv6"), services: state.services });
  }

  /** Pool names in config order. */
  poolNames(): readonly string[] {
    return Object.freeze(this.#ledger.pools.map((s) => s.pool.name));
  }

  #commit(svc: ServiceRequest, ctx: SearchContext, plan: AllocResult<Plan>): AllocResult<Assignment> {
    if (!plan.ok) return plan;
    // Plans carry arrays of their own (planAssign copies the caller's), so freezing suffices.
    const ips = Object.freeze(plan.value.ips);
    this.#ledger.release(svc.key);
    this.#ledger.record(svc.key, { pool: plan.value.state.pool.name, ips, ports: ctx.ports, sharingKey: ctx.sharingKey, backendKey: ctx.backendKey });
    return ok(Object.freeze({ pool: plan.value.state.pool.name, ips }));
  }

  #requestedVerdicts(svc: ServiceRequest, plan: AllocResult<Plan>, requestedPool?: string): readonly PoolVerdict[] {
    const chosen = plan.ok ? plan.value.state.pool.name : (plan.error.pool ?? requestedPool);
    return this.#ledger.pools.map((s): PoolVerdict => {
      const name = s.pool.name;
      if (name !== chosen) return { pool: name, stage: "excluded", accepted: false, reason: "not-requested", ips: EMPTY };
      if (plan.ok) return { pool: name, stage: "requested", accepted: true, reason: "selected", ips: Object.freeze([...plan.value.ips]) };
      const admits = poolAdmits(s.pool, svc);
      const reason = plan.error.code === "POOL_NOT_ALLOWED" && admits !== "ok" ? admits : verdictFor(plan.error.code);
      return { pool: name, stage: "requested", accepted: false, reason, ips: EMPTY };
    });
  }
}

const EMPTY_KEYS: readonly string[] = Object.freeze([]);

function toAssignment(h: Holding): Assignment {
  return Object.freeze({ pool: h.pool, ips: h.ips });
}

function toResult(plan: AllocResult<Plan>): AllocResult<Assignment> {
  return plan.ok ? ok(Object.freeze({ pool: plan.value.state.pool.name, ips: Object.freeze([...plan.value.ips]) })) : plan;
}

function verdictFor(code: string): PoolVerdict["reason"] {
  switch (code) {
    case "PORT_CONFLICT":
      return "port-conflict";
    case "BACKEND_CONFLICT":
      return "backend-conflict";
    case "SHARING_CONFLICT":
      return "sharing-conflict";
    case "FAMILY_NOT_IN_POOL":
      return "family-not-in-pool";
    case "IP_NOT_IN_POOL":
      return "ip-not-in-pool";
    default:
      return "no-free-address";
  }
}

function familyCounters(state: PoolState, family: IpFamily): FamilyCounters {
  const space = spaceOf(state, family);
  if (space === undefined) return ZERO;
  const inUse = space.size - space.free.size;
  return Object.freeze({ total: space.size, inUse, available: space.free.size });
}

const ZERO: FamilyCounters = Object.freeze({ total: 0n, inUse: 0n, available: 0n });

function releaseReason(ledger: Ledger, ips: readonly IpAddress[]): ReleaseReason {
  let allContained = true;
  for (const ip of ips) {
    const home = ledger.pools.find((s) => s.pool.cidrs.some((c) => prefixContains(c, ip)));
    if (home === undefined) allContained = false;
    else if (home.pool.avoidBuggyIps && isBuggyIp(ip)) return "buggy-ip";
  }
  return allContained ? "split-across-pools" : "not-in-any-pool";
}

