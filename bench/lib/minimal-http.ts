// The cheapest HTTP/1.1 client we can write, as a bound for bench/controller.ts:
// a pool of keep-alive node:net sockets, one request in flight per socket, the
// request written in one call, the response read by Content-Length.
//
// What it answers: is the raw baseline limited by kube-sim or by node:http on
// the client side, and how far would a controller get if its HTTP stack cost
// nothing? node:http spends ~100 us of client CPU per request here; this path
// about half of that (see the bench's CPU columns).
//
// Deliberately not a client for real API servers: plain TCP only (no TLS), no
// chunked responses (kube-sim sends Content-Length on everything but watches),
// no redirects, no retries. A RestClient for the ideal loop wraps it.
import { connect, type Socket } from "node:net";
import { ApiException } from "@kubernetes/client-node";
import type { RestClient } from "@ironlb/kube";

interface Exchange {
  readonly text: string;
  readonly done: (err: Error | null, code: number, body: string) => void;
}

const HEAD_END = Buffer.from("\r\n\r\n");

class Connection {
  readonly #socket: Socket;
  readonly #pool: MinimalHttpPool;
  #chunks: Buffer[] = [];
  #length = 0;
  // Bytes the response needs in all (head + body), once the head has been read.
  #need = -1;
  #code = 0;
  #bodyStart = 0;
  #current: Exchange | null = null;

  constructor(pool: MinimalHttpPool, host: string, port: number) {
    this.#pool = pool;
    this.#socket = connect(port, host);
    this.#socket.setNoDelay(true);
    this.#socket.on("data", (d: Buffer) => this.#onData(d));
    this.#socket.on("error", (err) => this.#fail(err));
    this.#socket.on("close", () => this.#fail(new Error("connection closed")));
  }

  send(x: Exchange): void {
    this.#current = x;
    this.#socket.write(x.text);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #fail(err: Error): void {
    const x = this.#current;
    this.#current = null;
    this.#pool.drop(this);
    x?.done(err, 0, "");
  }

  #onData(d: Buffer): void {
    this.#chunks.push(d);
    this.#length += d.length;
    if (this.#need < 0) {
      const all = this.#chunks.length === 1 ? d : Buffer.concat(this.#chunks, this.#length);
      this.#chunks = [all];
      const end = all.indexOf(HEAD_END);
      if (end < 0) return;
      const head = all.toString("latin1", 0, end);
      this.#code = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (m === null) {
        // The error event fails the exchange; close then finds nothing left to fail.
        this.#socket.destroy(new Error("response without Content-Length"));
        return;
      }
      this.#bodyStart = end + HEAD_END.length;
      this.#need = this.#bodyStart + Number(m[1]);
    }
    if (this.#length < this.#need) return;
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#length);
    const body = all.toString("utf8", this.#bodyStart, this.#need);
    const rest = all.subarray(this.#need);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    this.#need = -1;
    const x = this.#current;
    this.#current = null;
    this.#pool.release(this);
    x?.done(null, this.#code, body);
  }
}

export class MinimalHttpPool {
  readonly #host: string;
  readonly #port: number;
  readonly #max: number;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: Exchange[] = [];

  constructor(url: string, maxSockets: number) {
    const u = new URL(url);
    if (u.protocol !== "http:") throw new Error(`the minimal client speaks plain http only, not ${u.protocol}`);
    this.#host = u.hostname;
    this.#port = Number(u.port || 80);
    this.#max = maxSockets;
  }

  /** Resolves to the status code and body of one request. */
  request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ readonly code: number; readonly body: string }> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    const headers = payload === "" ? "" : `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`;
    const text = `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\nAccept: application/json\r\n${headers}\r\n${payload}`;
    return new Promise((resolve, reject) => {
      const x: Exchange = { text, done: (err, code, b) => (err !== null ? reject(err) : resolve({ code, body: b })) };
      let c = this.#idle.pop();
      if (c === undefined && this.#all.size < this.#max) {
        c = new Connection(this, this.#host, this.#port);
        this.#all.add(c);
      }
      if (c !== undefined) c.send(x);
      else this.#waiting.push(x);
    });
  }

  release(c: Connection): void {
    const next = this.#waiting.shift();
    if (next !== undefined) c.send(next);
    else this.#idle.push(c);
  }

  drop(c: Connection): void {
    this.#all.delete(c);
    const i = this.#idle.indexOf(c);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  close(): void {
    for (const c of this.#all) c.destroy();
    this.#all.clear();
    this.#idle.length = 0;
  }
}

/** IronLB's RestClient interface over the minimal pool: parsed JSON, ApiException on a non-2xx. */
export function minimalRestClient(pool: MinimalHttpPool): RestClient {
  return {
    async request<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<T> {
      const r = await pool.request(method, path, body, contentType);
      let parsed: unknown = r.body;
      try {
        parsed = r.body === "" ? undefined : JSON.parse(r.body);
      } catch {
        // keep the text
      }
      if (r.code >= 200 && r.code < 300) return parsed as T;
      throw new ApiException(r.code, `HTTP-Code: ${r.code}\nMessage: ${method} ${path} failed\nBody: ${r.body}`, parsed, {});
    },
  };
}
