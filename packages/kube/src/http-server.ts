// The daemons' HTTP endpoint: Prometheus metrics on /metrics, liveness on
// /healthz, readiness on /readyz with per-check details (`/readyz?verbose`
// lists every check, as the API server does). Plain HTTP on a configurable
// address, 127.0.0.1:7472 by default as MetalLB's legacy metrics port.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface ReadinessCheck {
  readonly name: string;
  /** null when ready, else the reason. */
  check(): string | null;
  /** Optional state shown beside a passing check in verbose mode ("standby, leader is pod-b"). */
  detail?(): string | null;
}

export interface MonitoringServerOptions {
  /** "host:port"; IPv6 as "[::1]:7472". Port 0 picks a free port. */
  readonly address: string;
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
}

export interface MonitoringServer {
  readonly url: string;
  close(): Promise<void>;
}

export function parseHostPort(address: string, defaultPort = 7472): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]*)(?::(\d+))?$/.exec(address);
  if (m === null) throw new Error(`invalid address "${address}" (want host:port)`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in "${address}"`);
  return { host: m[1] === "" || m[1] === undefined ? "127.0.0.1" : m[1], port };
}

export async function startMonitoringServer(options: MonitoringServerOptions): Promise<MonitoringServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/metrics") {
      options.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { "content-type": options.registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      return;
    }
    if (url.pathname === "/healthz" || url.pathname === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
      return;
    }
    if (url.pathname === "/readyz") {
      const results = options.readiness.map((c) => ({ name: c.name, reason: c.check(), detail: c.detail?.() ?? null }));
      const failed = results.filter((r) => r.reason !== null);
      const verbose = url.searchParams.has("verbose") || failed.length > 0;
      const ok = (r: { name: string; detail: string | null }) => `[+]${r.name} ok${r.detail === null ? "" : ` (${r.detail})`}`;
      const lines = verbose ? results.map((r) => (r.reason === null ? ok(r) : `[-]${r.name} failed: ${r.reason}`)) : [];
      lines.push(failed.length === 0 ? "readyz check passed" : "readyz check failed");
      res.writeHead(failed.length === 0 ? 200 : 503, { "content-type": "text/plain" });
      res.end(lines.join("\n") + "\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  });
  const { host, port } = parseHostPort(options.address);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actualPort = typeof addr === "object" && addr !== null ? addr.port : port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
