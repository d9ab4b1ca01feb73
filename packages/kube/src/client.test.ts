import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClients } from "./client.ts";

let server: Server | undefined;
let dir = "";
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server?.closeAllConnections();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("API calls share one keep-alive connection and still carry the credentials", async () => {
  let connections = 0;
  const auth: string[] = [];
  server = createServer((req, res) => {
    auth.push(req.headers.authorization ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } }));
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
  expect(connections).toBe(1);
  expect(auth).toEqual(Array(5).fill("Bearer secret-token"));
});
