// Two controllers, one Lease: only the leader reconciles and writes; when the
// leader dies without releasing the Lease (a crash), the standby takes over
// within the lease duration and rebuilds its allocator from the statuses; a
// leader that stops cleanly releases at once. Across a churn of 500
// creates and deletes, no IP is ever held by two Services in any state the
// API server committed.
import { afterEach, expect, test } from "vitest";
import { Cluster, config, NS, pool, type Running } from "./harness.ts";
import { Churn, DoubleAssignmentWatch, prng } from "./churn.ts";
import { waitFor } from "../lib/wait-for.ts";

// Lease.spec.leaseDurationSeconds is whole seconds, so the lease is 2 s.
const LEASE = { leaseName: "ironlb-controller", leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 250 };

let cluster: Cluster | undefined;
let watch: DoubleAssignmentWatch | undefined;
afterEach(async () => {
  await watch?.stop();
  watch = undefined;
  await cluster?.close();
  cluster = undefined;
});

function lease(c: Cluster): { holderIdentity?: string; renewTime?: string; acquireTime?: string } | undefined {
  return (c.sim.store.get("leases", NS, LEASE.leaseName) as { spec?: { holderIdentity?: string; renewTime?: string; acquireTime?: string } } | undefined)?.spec;
}

function holder(c: Cluster): string | undefined {
  return lease(c)?.holderIdentity;
}

test("only the leader writes; a killed leader is replaced within the lease duration; no IP is ever held twice over 500 creates/deletes", async () => {
  // 64 addresses for a live set that grows past 64: pending Services and recycled IPs both happen.
  cluster = await Cluster.start({ config: config(pool("lan", ["198.51.100.0/26"])) });
  const c = cluster;
  watch = new DoubleAssignmentWatch(c.kubeconfig);
  await watch.start();
  const a = await c.startController({ identity: "ctl-a", leaderElection: LEASE });
  const b = await c.startController({ identity: "ctl-b", leaderElection: LEASE });
  const leader = await waitFor(() => (a.controller.isLeader ? a : b.controller.isLeader ? b : undefined), { what: "a leader" });
  const standby: Running = leader === a ? b : a;
  expect(holder(c)).toBe(leader.identity);
  expect(standby.controller.isLeader).toBe(false);

  const churn = new Churn(c, prng(4242));
  churn.step(250);
  await waitFor(() => [...churn.live].every((n) => (c.observed(n)?.reason ?? null) !== null), { what: "every live Service reconciled by the leader", timeout: 30_000 });
  expect(await leader.metric("ironlb_controller_status_writes_total")).toBeGreaterThan(0);
  expect(await standby.metric("ironlb_controller_status_writes_total")).toBe(0);
  expect(await standby.metric("ironlb_k8s_client_updates_total", { kind: "service" })).toBe(0);
  expect(await standby.metric("ironlb_controller_leader")).toBe(0);

  // Crash: the Lease is not released, so the standby must wait for it to expire.
  await c.stopController(leader, { release: false });
  const lastRenewal = Date.parse(lease(c)?.renewTime ?? "");
  // The churn goes on while nobody leads, in bursts, as requests would arrive.
  for (let i = 0; i < 10; i++) {
    churn.step(25);
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => standby.controller.isLeader, { what: "the standby to take over", timeout: 10_000, interval: 10 });
  expect(holder(c)).toBe(standby.identity);
  // Both times come from this machine's clock (kube-sim and the controllers share it).
  const takeover = Date.parse(lease(c)?.acquireTime ?? "") - lastRenewal;
  // The standby judges expiry on its own clock from when it saw the last renewal
  // (never earlier than the renewal itself), and looks every retry period (x1.2
  // jitter): so a lease duration after the renewal, plus at most two looks.
  expect(takeover).toBeGreaterThanOrEqual(LEASE.leaseDurationMs);
  expect(takeover).toBeLessThanOrEqual(LEASE.leaseDurationMs + 2 * LEASE.retryPeriodMs * 1.2 + 300);
  expect(await standby.metric("ironlb_controller_leader")).toBe(1);

  // Final state: 64 holders with distinct IPs, everyone else waiting for one.
  await waitFor(
    () => {
      const states = [...churn.live].map((n) => c.observed(n));
      const holding = states.filter((s) => s !== undefined && s.ips.length === 1 && s.reason === "Allocated" && s.pool === "lan").length;
      const pending = states.filter((s) => s !== undefined && s.ips.length === 0 && s.reason === "PoolExhausted").length;
      return holding === Math.min(64, churn.live.size) && holding + pending === churn.live.size;
    },
    { what: "the churn to converge under the new leader", timeout: 30_000 },
  );
  const ips = [...churn.live].flatMap((n) => c.observed(n)?.ips ?? []);
  expect(new Set(ips).size).toBe(ips.length);
  expect(churn.ops).toBe(500);
  expect(churn.live.size).toBeGreaterThan(64);
  expect(await standby.metric("ironlb_allocator_addresses_in_use_total", { pool: "lan" })).toBe(64);
  expect(watch.events).toBeGreaterThan(500);
  expect(watch.violations).toEqual([]);
});

test("a leader that stops cleanly releases the Lease and the standby leads at once", async () => {
  cluster = await Cluster.start({ config: config(pool("lan", ["198.51.100.0/29"])) });
  const c = cluster;
  // A long lease: only the release can make the takeover fast.
  const slow = { ...LEASE, leaseDurationMs: 30_000, renewDeadlineMs: 20_000 };
  const a = await c.startController({ identity: "ctl-a", leaderElection: slow });
  await waitFor(() => a.controller.isLeader, { what: "ctl-a to lead" });
  const b = await c.startController({ identity: "ctl-b", leaderElection: slow });
  c.createService("s");
  await c.expectService("s", { ips: ["198.51.100.0"] });
  const released = performance.now();
  await c.stopController(a);
  await waitFor(() => b.controller.isLeader, { what: "ctl-b to lead after the release", timeout: 5_000, interval: 10 });
  expect(performance.now() - released).toBeLessThan(slow.leaseDurationMs / 4);
  await b.controller.whenReady();
  // The new leader re-claimed the IP from the status: nothing moved, nothing written.
  const writes = c.statusWrites();
  await b.controller.idle();
  expect(c.observed("s")?.ips).toEqual(["198.51.100.0"]);
  expect(c.statusWrites()).toBe(writes);
});
