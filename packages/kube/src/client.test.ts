import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClients } from "./client.ts";
import { describeError, isConflict } from "./errors.ts";

let server: Server | undefined;
let dir = "";
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server?.closeAllConnections();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("API calls and REST requests share one keep-alive connection and carry the credentials; REST errors read as API errors", async () => {
  let connections = 0;
  const auth: string[] = [];
  const bodies: string[] = [];
  server = createServer((req, res) => {
    auth.push(req.headers.authorization ?? "");
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      bodies.push(`${req.method} ${req.url} ${req.headers["content-type"] ?? ""} ${body}`);
      if (req.url?.endsWith("/conflict")) {
        res.writeHead(409, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", code: 409, reason: "Conflict", message: "the object has been modified" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } }));
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), "ironlb-kube-client-"));
  const file = join(dir, "kubeconfig");
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:" + port + "', insecure-skip-tls-verify: true}}]",
      "users: [{name: u, user: {token: secret-token}}]",
      "contexts: [{name: ctx, context: {cluster: c, user: u}}]",
      "current-context: ctx",
    ].join("\n"),
  );
  const clients = createClients({ kubeconfig: file });
  for (let i = 0; i < 5; i++) expect((await clients.core.readNamespace({ name: "x" })).metadata?.name).toBe("x");
  const got = await clients.rest.request<{ metadata: { name: string } }>("PATCH", "/api/v1/namespaces/x", { metadata: { labels: { a: "b" } } }, "application/merge-patch+json");
  expect(got.metadata.name).toBe("x");
  const err = await clients.rest.request("GET", "/api/v1/conflict").catch((e: unknown) => e);
  expect(isConflict(err)).toBe(true);
  expect(describeError(err)).toBe("HTTP 409: the object has been modified");
  expect(connections).toBe(1);
  expect(auth).toEqual(Array(7).fill("Bearer secret-token"));
  expect(bodies[5]).toBe('PATCH /api/v1/namespaces/x application/merge-patch+json {"metadata":{"labels":{"a":"b"}}}');
});
