// The configuration lifecycle (reference §1a reload semantics, DESIGN.md
// "Configuration"): a broken ConfigMap keeps the last good config in force,
// says so with a Warning Event on the ConfigMap, ironlb_config_stale 1 and a
// failing /readyz check, and touches no Service; fixing it clears all three.
// A deleted ConfigMap keeps the config too. With no config ever loaded,
// pending Services say NoConfig and Services holding IPs are left alone.
import { afterEach, describe, expect, test } from "vitest";
import { startMonitoringServer, type MonitoringServer } from "@ironlb/kube";
import { Cluster, config, NS, pool, type Running } from "./harness.ts";
import { waitFor } from "../lib/wait-for.ts";

let cluster: Cluster | undefined;
let server: MonitoringServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cluster?.close();
  cluster = undefined;
});

async function readyz(): Promise<{ status: number; text: string }> {
  const r = await fetch(`${server?.url}/readyz?verbose`);
  return { status: r.status, text: await r.text() };
}

async function withMonitoring(r: Running): Promise<void> {
  server = await startMonitoringServer({ address: "127.0.0.1:0", registry: r.registry, readiness: r.controller.readinessChecks() });
}

const GOOD = config(pool("lan", ["198.51.100.0/29"]));
// Two problems at once: both are reported, with their paths and lines.
const BROKEN = ["address-pools:", "- name: lan", "  protocol: layer2", "  addresses:", "  - 198.51.100.0/33", "  colour: blue", ""].join("\n");

describe("a broken ConfigMap (fail-static)", () => {
  test("keeps the last good config, warns on the ConfigMap, sets the metric and readiness; fixing it clears them", async () => {
    cluster = await Cluster.start({ config: GOOD });
    const c = cluster;
    const r = await c.startController();
    await withMonitoring(r);
    c.createService("a");
    c.createService("b");
    await c.expectService("a", { ips: ["198.51.100.0"] });
    await c.expectService("b", { ips: ["198.51.100.1"] });
    await waitFor(async () => (await readyz()).status === 200, { what: "ready with a good config" });
    expect(await r.metric("ironlb_config_loaded")).toBe(1);
    expect(await r.metric("ironlb_config_stale")).toBe(0);
    const writes = c.statusWrites();

    c.setConfig(BROKEN);
    const [warning] = (await c.expectEvents("config", ["ConfigInvalid"], NS, "ConfigMap")).filter((e) => e.reason === "ConfigInvalid");
    expect(warning?.type).toBe("Warning");
    expect(warning?.message).toContain("keeping the last good configuration");
    expect(warning?.message).toMatch(/address-pools\[0\]\.addresses\[0\]: .*\(line 5\)/);
    expect(warning?.message).toMatch(/address-pools\[0\]\.colour: .*\(line 6\)/);
    await waitFor(async () => (await r.metric("ironlb_config_stale")) === 1, { what: "ironlb_config_stale 1" });
    expect(await r.metric("ironlb_config_loaded")).toBe(1);
    const stale = await readyz();
    expect(stale.status).toBe(503);
    expect(stale.text).toContain("[-]config failed: stale, the last good configuration is in force");
    expect(stale.text).toContain("(line 5)");
    // Existing assignments untouched, and the last good pools still serve new Services.
    expect(c.observed("a")?.ips).toEqual(["198.51.100.0"]);
    expect(c.observed("b")?.ips).toEqual(["198.51.100.1"]);
    expect(c.statusWrites()).toBe(writes);
    c.createService("c");
    await c.expectService("c", { ips: ["198.51.100.2"], pool: "lan" });

    c.setConfig(GOOD);
    await c.expectEvents("config", ["ConfigInvalid", "ConfigLoaded"], NS, "ConfigMap");
    await waitFor(async () => (await r.metric("ironlb_config_stale")) === 0, { what: "ironlb_config_stale 0" });
    await waitFor(async () => (await readyz()).status === 200, { what: "ready again" });
    expect(c.observed("a")?.ips).toEqual(["198.51.100.0"]);
    expect(c.observed("b")?.ips).toEqual(["198.51.100.1"]);
  });

  test("a deleted ConfigMap keeps the config in force and is reported", async () => {
    cluster = await Cluster.start({ config: GOOD });
    const c = cluster;
    const r = await c.startController();
    c.createService("a");
    await c.expectService("a", { ips: ["198.51.100.0"] });
    c.deleteConfig();
    await c.expectEvents("config", ["ConfigMissing"], NS, "ConfigMap");
    await waitFor(async () => (await r.metric("ironlb_config_stale")) === 1, { what: "stale after deletion" });
    c.createService("b");
    await c.expectService("b", { ips: ["198.51.100.1"], pool: "lan" });
    expect(c.observed("a")?.ips).toEqual(["198.51.100.0"]);
    expect(r.controller.readinessChecks().find((x) => x.name === "config")?.check()).toContain("not found");
  });
});

describe("no configuration ever loaded", () => {
  test("pending Services say NoConfig, Services holding IPs are not touched, and the first config allocates", async () => {
    cluster = await Cluster.start();
    const c = cluster;
    // A Service that already holds an IP (e.g. from before a restart) and one that does not.
    c.createService("holder");
    c.sim.store.patch("services", "default", "holder", { status: { loadBalancer: { ingress: [{ ip: "198.51.100.5" }] } } }, { subresource: "status" });
    c.createService("pending");
    const r = await c.startController();
    await withMonitoring(r);
    await c.expectService("pending", { ips: [], reason: "NoConfig" });
    expect(c.observed("pending")?.message).toContain(`ConfigMap ${NS}/config not found`);
    expect(c.observed("holder")).toEqual({ ips: ["198.51.100.5"], pool: null, reason: null, message: null });
    expect(await r.metric("ironlb_config_loaded")).toBe(0);
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.text).toContain("[-]config failed: no configuration loaded yet");

    c.setConfig(GOOD);
    // The holder re-claims its IP before the pending Service may allocate (§2.6).
    await c.expectService("holder", { ips: ["198.51.100.5"], pool: "lan", reason: "Allocated" });
    await c.expectService("pending", { ips: ["198.51.100.0"], pool: "lan", reason: "Allocated" });
    await c.expectEvents("config", ["ConfigLoaded"], NS, "ConfigMap");
    await waitFor(async () => (await readyz()).status === 200, { what: "ready once configured" });
    expect(await r.metric("ironlb_config_loaded")).toBe(1);
    expect((await readyz()).text).toContain("[+]leader-election ok (leader)");
  });
});
