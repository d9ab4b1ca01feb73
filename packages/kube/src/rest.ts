// A lean JSON request to the API server for the hot write paths (one status
// patch and one Event per Service): node:http(s) on a shared keep-alive agent,
// credentials applied per request by client-node (applyToHTTPSOptions: bearer
// tokens, exec and auth-provider plugins, client certificates), the response
// parsed as plain JSON, exactly as informers hand objects out.
//
// Why not the generated API clients here: their request path (ObjectSerializer
// on the way out and in, node-fetch, middleware) cost 499 us of CPU per status
// patch against 250-280 us for this path (kube-sim, 2,000 patches, 8 in
// flight, same run), and the controller makes one such request per Service.
//
// Errors are client-node ApiExceptions (code, body), so isConflict,
// isNotFound and describeError read them as they read the API clients'.
import { ApiException, type KubeConfig } from "@kubernetes/client-node";
import http from "node:http";
import https from "node:https";

export interface RestClient {
  /** Sends `body` as JSON with `contentType`; resolves to the parsed response, rejects with an ApiException. */
  request<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<T>;
}

/**
 * One keep-alive agent per set of TLS material: the API clients and the REST
 * path share connections, and a rotated client certificate gets a new agent
 * (the oldest of a few is dropped).
 */
export class SharedAgent {
  readonly #agents = new Map<string, http.Agent>();

  get(secure: boolean, tls: Readonly<Record<string, unknown>>): http.Agent {
    const fingerprint = [secure ? "https" : "http", ...TLS_KEYS.map((k) => String(tls[k] ?? ""))].join("\u0000");
    const hit = this.#agents.get(fingerprint);
    if (hit !== undefined) return hit;
    if (this.#agents.size >= 4) {
      const [oldest, agent] = this.#agents.entries().next().value as [string, http.Agent];
      agent.destroy();
      this.#agents.delete(oldest);
    }
    const own: Record<string, unknown> = {};
    for (const k of TLS_KEYS) if (tls[k] !== undefined) own[k] = tls[k];
    const agent = secure ? new https.Agent({ ...own, keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.#agents.set(fingerprint, agent);
    return agent;
  }
}

const TLS_KEYS = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;

export function createRestClient(kubeConfig: KubeConfig, agents: SharedAgent): RestClient {
  const server = kubeConfig.getCurrentCluster()?.server ?? "";
  const base = new URL(server);
  const secure = base.protocol === "https:";
  const prefix = base.pathname.replace(/\/$/, "");
  // Credentials are re-read at most once a second: client-node builds a new
  // agent each time it applies them (3% of the controller's CPU when done per
  // request), and a token refreshed less than a second ago is still valid.
  let cached: { at: number; value: Promise<{ opts: https.RequestOptions; tls: Record<string, unknown> }> } | undefined;
  const credentials = () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= 1_000) {
      const value = (async () => {
        const opts: https.RequestOptions = {};
        await kubeConfig.applyToHTTPSOptions(opts);
        // applyToHTTPSOptions made a one-off agent for these options; ours is shared.
        if (opts.agent instanceof http.Agent) opts.agent.destroy();
        const tls: Record<string, unknown> = {};
        for (const k of TLS_KEYS) if ((opts as Record<string, unknown>)[k] !== undefined) tls[k] = (opts as Record<string, unknown>)[k];
        return { opts, tls };
      })();
      cached = { at: now, value };
      // A failure (an exec plugin that errored) is not kept.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
  return {
    async request<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
      const { opts, tls } = await credentials();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string> | undefined), Accept: "application/json" };
      if (payload !== undefined) {
        headers["Content-Type"] = contentType;
        headers["Content-Length"] = Buffer.byteLength(payload);
      }
      return new Promise<T>((resolve, reject) => {
        const req = (secure ? https : http).request(
          {
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port,
            path: prefix + path,
            method,
            headers,
            agent: agents.get(secure, tls),
            ...(opts.auth !== undefined ? { auth: opts.auth } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed: unknown = text;
              try {
                parsed = text === "" ? undefined : JSON.parse(text);
              } catch {
                // keep the text: a proxy's HTML error page, say
              }
              const code = res.statusCode ?? 0;
              if (code >= 200 && code < 300) resolve(parsed as T);
              else reject(new ApiException(code, `HTTP-Code: ${code}\nMessage: ${method} ${path} failed\nBody: ${text}`, parsed, res.headers as Record<string, string>));
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    },
  };
}
