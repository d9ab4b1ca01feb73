// Decisions without side effects: which addresses a service may take
// (requested addresses, a requested pool, or automatic allocation), computed
// against a Ledger that is read, never written. The Allocator commits what a
// plan returns; `explain` returns the plan itself. Because both use this one
// code path, `ironlb explain` cannot disagree with what allocation does.
//
// Implements reference §2.2 (order of preference), §2.3 (compatibility), §2.4
// (sharing checks) and §2.5 (families and pool choice); see allocator.ts for
// the verbs and compat.ts for the pool order.
import { formatIp, prefixContains, type IpAddress, type IpFamily } from "../ip/index.ts";
import { poolAdmits } from "./compat.ts";
import { fail, ok, type AllocError, type AllocResult } from "./errors.ts";
import { portOwner, spaceOf, type IpState, type Ledger, type PoolState } from "./ledger.ts";
import { groupKeyOf } from "./pool-space.ts";
import { checkServiceShape, formatPortKey, wantedFamilies, type PortKey, type ServiceRequest } from "./request.ts";

/** Why a pool was or was not usable for a service (stable strings, printed by `ironlb explain`). */
export type VerdictReason =
  | "selected" // the pool the service gets
  | "available" // could serve the service, but a pool earlier in order wins
  | "partial-dual-stack" // PreferDualStack: can give only one of the two families
  | "auto-assign-disabled"
  | "namespace-not-allowed"
  | "service-selector-mismatch"
  | "not-requested" // another pool or address was requested explicitly
  | "family-not-in-pool"
  | "no-free-address"
  | "port-conflict" // only shareable addresses left, and they use one of the service's ports
  | "backend-conflict" // addresses under the same sharing key exist, with another backend key
  | "sharing-conflict" // a requested address is held by a service it may not share with
  | "ip-not-in-pool"; // a requested address is not a usable address of this pool

export interface PoolVerdict {
  readonly pool: string;
  /** pinned/default: automatic stages; requested: named by the request; excluded: not a candidate. */
  readonly stage: "pinned" | "default" | "requested" | "excluded";
  readonly accepted: boolean;
  readonly reason: VerdictReason;
  /** What this pool would hand out (empty when rejected). */
  readonly ips: readonly IpAddress[];
}

/** A chosen pool and addresses, with each address's ordinal in its family space. */
export interface Plan {
  readonly state: PoolState;
  readonly ips: readonly IpAddress[];
}

/** What the search needs to know about the service, computed once per call. */
export interface SearchContext {
  readonly service: string;
  readonly sharingKey: string;
  readonly backendKey: string;
  /** null when the service does not allow sharing: only free addresses qualify. */
  readonly groupKey: string | null;
  readonly ports: readonly PortKey[];
}

export function searchContext(svc: ServiceRequest, ports: readonly PortKey[]): SearchContext {
  const sharingKey = svc.sharingKey ?? "";
  return {
    service: svc.key,
    sharingKey,
    backendKey: svc.backendKey,
    groupKey: sharingKey === "" ? null : groupKeyOf(sharingKey, svc.backendKey),
    ports,
  };
}

type FamilyMiss = "family-not-in-pool" | "no-free-address" | "port-conflict" | "backend-conflict";
/** An address, or why there is none (a bare string: no wrapper object on the allocation path). */
type FamilyOffer = IpAddress | FamilyMiss;

/** The first usable address of one family in one pool: free, or shareable, whichever comes first (§2.5). */
export function offerFamily(state: PoolState, family: IpFamily, ctx: SearchContext, explainWhy: boolean): FamilyOffer {
  const space = spaceOf(state, family);
  if (space === undefined) return "family-not-in-pool";
  const ord = space.firstUsable(ctx.groupKey, ctx.ports);
  if (ord !== undefined) return space.addressAt(ord);
  if (!explainWhy || ctx.groupKey === null) return "no-free-address";
  if (space.groups.has(ctx.groupKey)) return "port-conflict";
  const prefix = `${ctx.sharingKey}\u0000`;
  for (const key of space.groups.keys()) if (key.startsWith(prefix)) return "backend-conflict";
  return "no-free-address";
}

interface PoolOffer {
  /** Addresses this pool can give, primary family first; empty when none. */
  readonly ips: readonly IpAddress[];
  /** True when the offer satisfies the service completely (both families for dual-stack). */
  readonly complete: boolean;
  /** Why the offer is incomplete or empty. */
  readonly reason: VerdictReason;
}

function offerPool(state: PoolState, svc: ServiceRequest, ctx: SearchContext, explainWhy: boolean): PoolOffer {
  // Written without map/flatMap/find: this runs once per candidate pool per
  // allocation; with them it was 8% of allocation CPU, without 6% (profile of
  // bench/allocator.ts at 100k services), and fewer objects for the GC.
  const families = wantedFamilies(svc);
  const first = offerFamily(state, families[0] as IpFamily, ctx, explainWhy);
  if (families.length === 1) return typeof first === "string" ? { ips: NONE, complete: false, reason: first } : { ips: [first], complete: true, reason: "selected" };
  const second = offerFamily(state, families[1] as IpFamily, ctx, explainWhy);
  if (typeof first !== "string" && typeof second !== "string") {
    // IPv4 first whatever the primary family, as MetalLB writes the ingress
    // list: the L2 election hashes the first ingress IP (§3.1).
    return { ips: first.family === "ipv4" ? [first, second] : [second, first], complete: true, reason: "selected" };
  }
  const partial = typeof first !== "string" ? first : typeof second !== "string" ? second : undefined;
  // RequireDualStack needs both; PreferDualStack may fall back to one (§2.5).
  if (partial !== undefined && svc.ipFamilyPolicy === "PreferDualStack") return { ips: [partial], complete: false, reason: "partial-dual-stack" };
  return { ips: NONE, complete: false, reason: typeof first === "string" ? first : (second as FamilyMiss) };
}

const NONE: readonly IpAddress[] = Object.freeze([]);
const NO_VERDICTS: readonly PoolVerdict[] = Object.freeze([]);
const NO_PENDING: readonly { readonly verdict: PoolVerdict; readonly plan: Plan | undefined }[] = Object.freeze([]);

export interface AutomaticPlan {
  readonly outcome: AllocResult<Plan>;
  /** Every pool with its verdict, in the order allocation considers them (collect mode only). */
  readonly verdicts: readonly PoolVerdict[];
}

/**
 * Automatic allocation (MetalLB Allocate / findBestPoolForService): pinned
 * pools admitting the service, then pools without service-allocation; in
 * each stage the first pool that satisfies the service wins, and a
 * PreferDualStack service that finds no pool with both families takes the
 * first pool with its primary family, else the first with the secondary.
 * With `collect`, every pool is evaluated and given a verdict; without, the
 * search stops at the winner.
 */
export function planAutomatic(ledger: Ledger, svc: ServiceRequest, ctx: SearchContext, collect: boolean): AutomaticPlan {
  const shape = checkServiceShape(svc);
  if (shape !== undefined) return { outcome: shape as AllocResult<never>, verdicts: [] };
  const verdicts: PoolVerdict[] = collect ? [] : (NO_VERDICTS as PoolVerdict[]);
  const [primary] = wantedFamilies(svc);
  let chosen: Plan | undefined;
  let sawFamily = false;
  for (const [stage, pools] of ledger.stages) {
    let winner: Plan | undefined;
    let primaryFallback: Plan | undefined;
    let secondaryFallback: Plan | undefined;
    const pending: { readonly verdict: PoolVerdict; readonly plan: Plan | undefined }[] | undefined = collect ? [] : undefined;
    for (const state of pools) {
      const admits = poolAdmits(state.pool, svc);
      if (admits !== "ok") {
        pending?.push({ verdict: { pool: state.pool.name, stage: "excluded", accepted: false, reason: admits, ips: NONE }, plan: undefined });
        continue;
      }
      if (!state.pool.autoAssign) {
        pending?.push({ verdict: { pool: state.pool.name, stage, accepted: false, reason: "auto-assign-disabled", ips: NONE }, plan: undefined });
        continue;
      }
      const offer = offerPool(state, svc, ctx, collect);
      if (offer.reason !== "family-not-in-pool") sawFamily = true;
      const plan = offer.ips.length > 0 ? { state, ips: offer.ips } : undefined;
      if (pending !== undefined) {
        const reason = offer.complete ? "available" : offer.reason;
        pending.push({ verdict: { pool: state.pool.name, stage, accepted: plan !== undefined, reason, ips: offer.ips }, plan });
      }
      // In collect mode the loop goes on after a winner only to fill in verdicts.
      if (plan === undefined || chosen !== undefined || winner !== undefined) continue;
      if (offer.complete) {
        winner = plan;
        if (!collect) break;
      } else if ((plan.ips[0] as IpAddress).family === primary) primaryFallback ??= plan;
      else secondaryFallback ??= plan;
    }
    chosen ??= winner ?? primaryFallback ?? secondaryFallback;
    for (const { verdict, plan } of pending ?? NO_PENDING) verdicts.push(plan !== undefined && plan === chosen ? { ...verdict, reason: "selected" } : verdict);
    if (chosen !== undefined && !collect) break;
  }
  if (chosen !== undefined) return { outcome: ok(chosen), verdicts };
  const families = svc.family === "dual" ? "dual-stack" : svc.family;
  if (!sawFamily) {
    return { outcome: fail("NO_POOL", `no available IPs: no address pool can be used by ${families} service "${svc.key}"`), verdicts };
  }
  return { outcome: fail("POOL_EXHAUSTED", `no available IPs: every pool that can be used by ${families} service "${svc.key}" is full`), verdicts };
}

/** A requested pool (MetalLB AllocateFromPool): auto-assign off is fine, compatibility is not optional. */
export function planFromPool(ledger: Ledger, svc: ServiceRequest, ctx: SearchContext, poolName: string): AllocResult<Plan> {
  const shape = checkServiceShape(svc);
  if (shape !== undefined) return shape as AllocResult<never>;
  const state = ledger.byName.get(poolName);
  if (state === undefined) return fail("UNKNOWN_POOL", `unknown pool "${poolName}"`, { pool: poolName });
  const admits = poolAdmits(state.pool, svc);
  if (admits !== "ok") return notCompatible(poolName, admits);
  const offer = offerPool(state, svc, ctx, true);
  if (offer.ips.length > 0) return ok({ state, ips: offer.ips });
  return exhausted(poolName, svc, offer.reason);
}

/** PreferDualStack with one address: the other family, from the same pool (§2.1 step 7). */
export function planAdditionalFamily(ledger: Ledger, svc: ServiceRequest, ctx: SearchContext, current: IpAddress, poolName: string): AllocResult<Plan> {
  const state = ledger.byName.get(poolName);
  if (state === undefined) return fail("UNKNOWN_POOL", `unknown pool "${poolName}"`, { pool: poolName });
  const family: IpFamily = current.family === "ipv4" ? "ipv6" : "ipv4";
  const offer = offerFamily(state, family, ctx, true);
  if (typeof offer === "string") return exhausted(poolName, { ...svc, family }, offer);
  return ok({ state, ips: [current, offer] });
}

function exhausted(poolName: string, svc: Pick<ServiceRequest, "family">, reason: VerdictReason): AllocResult<never> {
  // MetalLB's text for both cases: `no available IPs in pool %s for %s IPFamily`.
  const base = `no available IPs in pool "${poolName}" for ${svc.family} IPFamily`;
  if (reason === "family-not-in-pool") return fail("FAMILY_NOT_IN_POOL", `${base}: the pool has no ${svc.family === "dual" ? "dual-stack" : svc.family} addresses`, { pool: poolName });
  const why = reason === "port-conflict" ? ": the shareable addresses already use one of the service's ports" : reason === "backend-conflict" ? ": the shareable addresses have another backend key" : "";
  return fail("POOL_EXHAUSTED", `${base}${why}`, { pool: poolName });
}

function notCompatible(poolName: string, why: "namespace-not-allowed" | "service-selector-mismatch"): AllocResult<never> {
  const detail = why === "namespace-not-allowed" ? "the service's namespace is not allowed" : "no service selector matches the service's labels";
  // MetalLB: `pool %s not compatible for ip assignment`.
  return fail("POOL_NOT_ALLOWED", `pool ${poolName} not compatible for ip assignment: ${detail}`, { pool: poolName });
}

export interface AssignOptions {
  /**
   * Re-claiming the addresses already in the Service's status (§2.1 step 6):
   * a PreferDualStack dual-stack service may then hold a single address.
   * Requested addresses must match the service's family exactly (§2.2).
   */
  readonly reclaim?: boolean | undefined;
  /** The `address-pool` annotation, when set together with requested addresses (§2.2 step 1). */
  readonly pool?: string | undefined;
}

/** Checks that `ips` may be assigned to the service (MetalLB Assign), without assigning. */
export function planAssign(ledger: Ledger, svc: ServiceRequest, ctx: SearchContext, ips: readonly IpAddress[], options: AssignOptions): AllocResult<Plan> {
  const shape = checkServiceShape(svc);
  if (shape !== undefined) return shape as AllocResult<never>;
  const texts = ips.map(formatIp);
  const quoted = `[${texts.map((t) => `"${t}"`).join(" ")}]`;
  if (ips.length === 0) return fail("INVALID_REQUEST", `no address requested for "${svc.key}"`);
  if (ips.length > 2) return fail("INVALID_REQUEST", `more than two addresses ${quoted}`);
  if (ips.length === 2 && ips[0]?.family === ips[1]?.family) return fail("INVALID_REQUEST", `"${texts[0]}" "${texts[1]}" has the same family`);
  const family = ips.length === 2 ? "dual" : (ips[0] as IpAddress).family;
  const partialOk = options.reclaim === true && svc.family === "dual" && svc.ipFamilyPolicy === "PreferDualStack";
  if (family !== svc.family && !(partialOk && ips.length === 1)) {
    return fail("FAMILY_MISMATCH", `requested loadBalancer IP(s) ${quoted} does not match the ipFamily of the service (${svc.family})`);
  }
  const found = ledger.poolFor(ips);
  if (found === undefined) return notInPool(ledger, ips, quoted);
  const poolName = found.state.pool.name;
  if (options.pool !== undefined && options.pool !== poolName) {
    return fail("IP_NOT_IN_POOL", `requested loadBalancer IP(s) ${quoted} is not compatible with requested address pool ${options.pool}`, { pool: options.pool });
  }
  const admits = poolAdmits(found.state.pool, svc);
  if (admits !== "ok") return notCompatible(poolName, admits);
  for (const ip of ips) {
    const err = checkSharing(ledger.ipState(ip), ctx);
    if (err !== undefined) return { ok: false, error: err };
  }
  // Frozen copies: a caller mutating its own objects later cannot reach into the indexes.
  return ok({ state: found.state, ips: Object.freeze(ips.map((ip) => (Object.isFrozen(ip) ? ip : Object.freeze({ family: ip.family, value: ip.value })))) });
}

function notInPool(ledger: Ledger, ips: readonly IpAddress[], quoted: string): AllocResult<never> {
  // Tell the user which of the three ways of "not in config" applies.
  const homes = ips.map((ip) => ledger.pools.find((s) => s.pool.cidrs.some((c) => prefixContains(c, ip))));
  for (const [i, home] of homes.entries()) {
    const ip = ips[i] as IpAddress;
    if (home !== undefined && spaceOf(home, ip.family)?.ordinalOf(ip) === undefined) {
      return fail("IP_NOT_IN_POOL", `"${formatIp(ip)}" is not allowed in config: pool ${home.pool.name} avoids buggy .0/.255 addresses`, { pool: home.pool.name, ip: formatIp(ip) });
    }
  }
  if (homes.every((h) => h !== undefined)) {
    const names = homes.map((h) => (h as PoolState).pool.name).join(", ");
    return fail("IP_NOT_IN_POOL", `${quoted} is not allowed in config: the addresses lie in different pools (${names}); a service's addresses come from one pool`);
  }
  // MetalLB: `%q is not allowed in config`.
  return fail("IP_NOT_IN_POOL", `${quoted} is not allowed in config: no pool contains it`);
}

/**
 * MetalLB checkSharing/sharingOK, judged against the *other* holders of the
 * address: a sole holder may change its keys and ports in place, and a
 * service's own ports never conflict with itself (§2.4).
 */
export function checkSharing(ip: IpState | undefined, ctx: SearchContext): AllocError | undefined {
  if (ip === undefined) return undefined;
  const others = [...ip.holders].filter((h) => h !== ctx.service).sort();
  if (others.length === 0) return undefined;
  const addr = formatIp(ip.address);
  const who = others.join(", ");
  const detail = { ip: addr, holders: others, pool: ip.pool.pool.name };
  if (ip.sharingKey === "") {
    return err("SHARING_CONFLICT", `address ${addr} is in use by ${who}, which does not allow sharing (no allow-shared-ip key)`, detail);
  }
  if (ctx.sharingKey === "") {
    return err("SHARING_CONFLICT", `address ${addr} is in use by ${who}; "${ctx.service}" has no allow-shared-ip key, so it cannot share it (use key "${ip.sharingKey}" to share)`, detail);
  }
  if (ctx.sharingKey !== ip.sharingKey) {
    return err("SHARING_CONFLICT", `sharing key "${ctx.sharingKey}" does not match existing sharing key "${ip.sharingKey}" of ${who} on ${addr}`, detail);
  }
  if (ctx.backendKey !== ip.backendKey) {
    return err(
      "BACKEND_CONFLICT",
      `backend key "${ctx.backendKey}" does not match existing backend key "${ip.backendKey}" of ${who} on ${addr}: services sharing an address need the same externalTrafficPolicy, and with Local the same selector`,
      detail,
    );
  }
  for (const p of ctx.ports) {
    const owner = portOwner(ip, p);
    if (owner !== undefined && owner !== ctx.service) {
      const port = formatPortKey(p);
      return err("PORT_CONFLICT", `port ${port} is already in use on "${addr}" by ${owner}`, { ...detail, port });
    }
  }
  return undefined;
}

function err(code: AllocError["code"], message: string, detail: Omit<AllocError, "code" | "message">): AllocError {
  return Object.freeze({ code, message, ...detail });
}
