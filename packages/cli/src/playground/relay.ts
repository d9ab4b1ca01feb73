// How processes inside the node namespaces reach the API server, and how the
// playground reaches their monitoring ports, without touching the host's
// network: kube-sim listens on the host's 127.0.0.1; a unix socket in the
// run directory fronts it (unix sockets are files, visible from every network
// namespace); a small forwarder inside each node namespace listens on that
// namespace's 127.0.0.1:6443 and relays to the socket, and relays a second
// socket back to the speaker's 127.0.0.1:7472.
//
// Deliberately not here: TLS or authentication (kube-sim has neither).
import net from "node:net";
import { unlinkSync } from "node:fs";

export const API_PORT = 6443;
export const MONITORING_PORT = 7472;

/** Relays TCP <-> unix sockets: "tcp:HOST:PORT=unix:PATH" listens on TCP, "unix:PATH=tcp:HOST:PORT" on the socket. */
export const FORWARDER = `
const net = require("net"), fs = require("fs");
const ep = (s) => s.startsWith("unix:") ? { path: s.slice(5) } : { host: s.split(":")[1], port: Number(s.split(":")[2]) };
for (const spec of process.argv.slice(1)) {
  const [from, to] = spec.split("=");
  const server = net.createServer((c) => {
    const u = net.connect(ep(to));
    const end = () => { c.destroy(); u.destroy(); };
    c.on("error", end); u.on("error", end); c.on("close", end); u.on("close", end);
    c.pipe(u); u.pipe(c);
  });
  const f = ep(from);
  if (f.path !== undefined) { try { fs.unlinkSync(f.path); } catch {} server.listen(f.path); } else server.listen(f.port, f.host);
}
process.on("SIGTERM", () => process.exit(0));
console.log("forwarding");
`;

/** A unix socket at `socketPath` that relays every connection to host:port. */
export async function relayUnixToTcp(socketPath: string, host: string, port: number): Promise<{ close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const u = net.connect(port, host);
    open.add(c);
    open.add(u);
    const end = () => {
      c.destroy();
      u.destroy();
      open.delete(c);
      open.delete(u);
    };
    c.on("error", end);
    u.on("error", end);
    c.on("close", end);
    u.on("close", end);
    c.pipe(u);
    u.pipe(c);
  });
  try {
    unlinkSync(socketPath);
  } catch {
    // not there
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
