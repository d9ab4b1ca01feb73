// The controller under API faults (kube-sim fault injection): status writes
// answered 409, 429 and 500, watches dropped cleanly and by connection
// reset, watches expired (410, so informers re-list), and failing lists. A
// churn of 500 creates and deletes still converges to the right final
// state: every live Service holds its own IP from the pool with the pool
// annotation and condition, and the IPs of deleted Services are free again.
import { afterEach, expect, test } from "vitest";
import { Cluster, config, pool } from "./harness.ts";
import { Churn, DoubleAssignmentWatch, prng } from "./churn.ts";
import { waitFor } from "../lib/wait-for.ts";

let cluster: Cluster | undefined;
let watch: DoubleAssignmentWatch | undefined;
afterEach(async () => {
  await watch?.stop();
  watch = undefined;
  await cluster?.close();
  cluster = undefined;
});

const STATUS = { verb: "patch", resource: "services", subresource: "status" } as const;

test("a churn of 500 Services converges through 409, 429, 500, dropped and expired watches", async () => {
  cluster = await Cluster.start({ config: config(pool("lan", ["198.51.100.0/23"])) });
  const c = cluster;
  const { faults } = c.sim;
  const r = await c.startController();
  const churn = new Churn(c, prng(7), 0.65);
  const injections = [
    () => faults.failNext(8, STATUS, { code: 409 }),
    () => faults.failNext(8, STATUS, { code: 429, retryAfterSeconds: 1 }),
    () => faults.failNext(8, STATUS, { code: 500 }),
    () => {
      faults.expireNextWatches(1, { resource: "services" });
      faults.dropWatches({ resource: "services" });
    },
    () => {
      faults.failNext(2, { verb: "list", resource: "services" }, { code: 500 });
      faults.dropWatches({ mode: "reset" });
    },
  ];
  for (let round = 0; round < 10; round++) {
    (injections[round % injections.length] as () => void)();
    const writes = c.statusWrites();
    churn.step(50);
    // Let the controller work through part of the round before the next fault lands.
    await waitFor(() => c.statusWrites() >= writes + 10, { what: `status writes during round ${round + 1}`, timeout: 15_000 });
  }
  expect(churn.ops).toBe(500);

  watch = new DoubleAssignmentWatch(c.kubeconfig);
  await waitFor(
    () => {
      for (const name of churn.live) {
        const o = c.observed(name);
        if (o === undefined || o.ips.length !== 1 || o.pool !== "lan" || o.reason !== "Allocated") return false;
      }
      return true;
    },
    { what: `all ${churn.live.size} live Services allocated`, timeout: 60_000 },
  );
  const ips = [...churn.live].map((n) => c.observed(n)?.ips[0]);
  expect(new Set(ips).size).toBe(churn.live.size);
  // Deleted Services gave their IPs back: the allocator holds exactly the live ones.
  await waitFor(async () => (await r.metric("ironlb_allocator_addresses_in_use_total", { pool: "lan" })) === churn.live.size, { what: "in-use count equal to live Services" });
  // A fresh view of the API agrees: no IP held twice.
  await watch.start();
  expect(watch.violations).toEqual([]);
  // The faults really happened.
  for (const code of [409, 429, 500]) expect(c.sim.requestLog.count({ ...STATUS, code }), `status writes answered ${code}`).toBeGreaterThan(0);
  expect(c.sim.requestLog.count({ verb: "list", resource: "services", code: 500 })).toBeGreaterThan(0);
  expect(c.sim.requestLog.count({ verb: "list", resource: "services" })).toBeGreaterThan(2);
  expect(await r.metric("ironlb_controller_status_writes_total", { result: "conflict" })).toBeGreaterThan(0);
  expect(await r.metric("ironlb_controller_status_writes_total", { result: "error" })).toBeGreaterThan(0);
});
