import { Registry, Gauge } from "prom-client";
import { afterEach, expect, test } from "vitest";
import { parseHostPort, startMonitoringServer, type MonitoringServer } from "./http-server.ts";

let server: MonitoringServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test.each([
  ["127.0.0.1:7472", "127.0.0.1", 7472],
  [":9000", "127.0.0.1", 9000],
  ["[::1]:7472", "::1", 7472],
  ["0.0.0.0", "0.0.0.0", 7472],
])("parseHostPort(%s)", (text, host, port) => {
  expect(parseHostPort(text)).toEqual({ host, port });
});

test("serves metrics, liveness and readiness with details", async () => {
  const registry = new Registry();
  new Gauge({ name: "ironlb_test_gauge", help: "h", registers: [registry] }).set(3);
  let stale: string | null = "config ConfigMap ironlb-system/config is invalid";
  server = await startMonitoringServer({
    address: "127.0.0.1:0",
    registry,
    readiness: [{ name: "config", check: () => stale }, { name: "informers", check: () => null }, { name: "leader", check: () => null, detail: () => "standby, leader is pod-b" }],
  });
  expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("ironlb_test_gauge 3");
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  const notReady = await fetch(`${server.url}/readyz`);
  expect(notReady.status).toBe(503);
  expect(await notReady.text()).toContain("[-]config failed: config ConfigMap ironlb-system/config is invalid");
  stale = null;
  const ready = await fetch(`${server.url}/readyz?verbose`);
  expect(ready.status).toBe(200);
  const text = await ready.text();
  expect(text).toContain("[+]informers ok\n");
  expect(text).toContain("[+]leader ok (standby, leader is pod-b)");
  expect((await fetch(`${server.url}/nope`)).status).toBe(404);
});
