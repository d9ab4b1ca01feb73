// Restarts never move IPs (reference §2.6): 4 Services compete for 2 IPs;
// the controller is restarted 5 times and the same 2 Services hold the same
// IPs every time, because the first full pass re-claims every IP in a status
// before anything is allocated. A restart with nothing to change writes no
// status at all.
import { afterEach, expect, test } from "vitest";
import { Cluster, config, pool } from "./harness.ts";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

test("4 Services, 2 IPs, 5 restarts: the same Services keep the same IPs, and restarts write nothing", async () => {
  cluster = await Cluster.start({ config: config(pool("pair", ["198.51.100.10/31"])) });
  const c = cluster;
  let r = await c.startController();
  // "d" and "c" come first, so they get the IPs. By name, "a" and "b" sort
  // before them: a restart that did not put IP holders first would hand the
  // IPs to "a" and "b".
  c.createService("d");
  await c.expectService("d", { ips: ["198.51.100.10"] });
  c.createService("c");
  await c.expectService("c", { ips: ["198.51.100.11"] });
  c.createService("a");
  c.createService("b");
  await c.expectService("a", { ips: [], reason: "PoolExhausted" });
  await c.expectService("b", { ips: [], reason: "PoolExhausted" });
  await r.controller.idle();
  const holders = { a: c.observed("a"), b: c.observed("b"), c: c.observed("c"), d: c.observed("d") };

  for (let i = 1; i <= 5; i++) {
    await c.stopController(r);
    const before = c.statusWrites();
    r = await c.startController({ identity: `restart-${i}` });
    await r.controller.whenReady();
    await r.controller.idle();
    expect({ a: c.observed("a"), b: c.observed("b"), c: c.observed("c"), d: c.observed("d") }, `after restart ${i}`).toEqual(holders);
    expect(c.statusWrites() - before, `status writes caused by restart ${i}`).toBe(0);
    expect(await r.metric("ironlb_allocator_addresses_in_use_total", { pool: "pair" })).toBe(2);
  }
  // The restarted controller is live, not just quiet: freeing an IP still reaches a pending Service.
  c.deleteService("d");
  await c.expectService("a", { ips: ["198.51.100.10"], reason: "Allocated" });
  await c.expectService("b", { ips: [], reason: "PoolExhausted" });
});
