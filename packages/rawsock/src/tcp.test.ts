// openTcpSocket and friends against the real kernel on loopback: MD5
// signatures accept a keyed peer and silently drop an unkeyed or wrongly keyed
// one (the kernel's TcpExt counters say why), GTSM drops a SYN below the
// minimum TTL, FREEBIND, BINDTODEVICE, readback, and error codes.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RawsockError } from "./errors.ts";
import { closeFd, getMinTtl, getTtl, openTcpSocket, setMinTtl, setTcpMd5, setTtl, type TcpSocketOptions } from "./tcp.ts";
import { missingPrivilege, tcpExt, waitFor } from "./wait.fixtures.ts";

// SO_BINDTODEVICE needs CAP_NET_RAW: skip loudly without it, but under CI run
// anyway, so the missing privilege fails the test instead of hiding it.
const noPrivilege = missingPrivilege();
const skipPrivileged = noPrivilege !== undefined && (process.env["CI"] ?? "") === "";
if (skipPrivileged) console.warn(`\n!!! SKIPPING the SO_BINDTODEVICE test: ${noPrivilege} (set CI=1 to make this a failure)\n`);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof RawsockError) return err.code;
    throw err;
  }
  return undefined;
}

/** A listener built from openTcpSocket; resolves with its port once listening. */
async function listener(options: TcpSocketOptions): Promise<{ server: net.Server; port: number; fd: number; accepted: net.Socket[] }> {
  const fd = openTcpSocket(options, { listen: 16 });
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => {
    accepted.push(s);
    s.on("error", () => undefined);
    s.end("ok");
  });
  cleanups.push(() => server.close());
  cleanups.push(() => accepted.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen({ fd }, resolve));
  return { server, port: (server.address() as net.AddressInfo).port, fd, accepted };
}

function client(options: TcpSocketOptions, port: number, host: string): { socket: net.Socket; connected: Promise<string> } {
  const socket = new net.Socket({ fd: openTcpSocket(options) });
  cleanups.push(() => socket.destroy());
  socket.on("error", () => undefined);
  const connected = new Promise<string>((resolve) => {
    socket.connect(port, host);
    let data = "";
    socket.on("data", (d) => (data += String(d)));
    socket.on("end", () => resolve(data));
  });
  return { socket, connected };
}

describe("TCP_MD5SIG (RFC 2385) on loopback", () => {
  for (const [family, host] of [
    ["ipv4", "127.0.0.1"],
    ["ipv6", "::1"],
  ] as const) {
    it(`${family}: a keyed client connects to a keyed listener`, async () => {
      const l = await listener({ family, bind: { address: host, port: 0 }, md5: [{ address: host, key: "s3cret" }] });
      const c = client({ family, md5: [{ address: host, key: "s3cret" }] }, l.port, host);
      expect(await c.connected).toBe("ok");
    });

    it(`${family}: a client without a key never completes the handshake`, async () => {
      const l = await listener({ family, bind: { address: host, port: 0 }, md5: [{ address: host, key: "s3cret" }] });
      const before = tcpExt("TCPMD5NotFound");
      const c = client({ family }, l.port, host);
      // The kernel counts each unsigned SYN it drops for a keyed peer.
      await waitFor("the listener to drop an unsigned SYN", () => tcpExt("TCPMD5NotFound") > before);
      expect(c.socket.connecting).toBe(true);
      expect(l.accepted).toHaveLength(0);
    });

    it(`${family}: a client with the wrong key never completes the handshake`, async () => {
      const l = await listener({ family, bind: { address: host, port: 0 }, md5: [{ address: host, key: "s3cret" }] });
      const before = tcpExt("TCPMD5Failure");
      const c = client({ family, md5: [{ address: host, key: "wrong" }] }, l.port, host);
      await waitFor("the listener to drop a badly signed SYN", () => tcpExt("TCPMD5Failure") > before);
      expect(c.socket.connecting).toBe(true);
      expect(l.accepted).toHaveLength(0);
    });
  }

  it("setTcpMd5 adds and removes a key on a live listener", async () => {
    const l = await listener({ family: "ipv4", bind: { address: "127.0.0.1", port: 0 } });
    setTcpMd5(l.fd, "127.0.0.1", "later");
    const keyed = client({ family: "ipv4", md5: [{ address: "127.0.0.1", key: "later" }] }, l.port, "127.0.0.1");
    expect(await keyed.connected).toBe("ok");
    setTcpMd5(l.fd, "127.0.0.1", null);
    const plain = client({ family: "ipv4" }, l.port, "127.0.0.1");
    expect(await plain.connected).toBe("ok");
  });

  it("keys an IPv4 peer on a dual-stack IPv6 listener by its v4-mapped address", async () => {
    const l = await listener({ family: "ipv6", bind: { address: "::", port: 0 }, md5: [{ address: "127.0.0.1", key: "mapped" }] });
    const keyed = client({ family: "ipv4", md5: [{ address: "127.0.0.1", key: "mapped" }] }, l.port, "127.0.0.1");
    expect(await keyed.connected).toBe("ok");
  });
});

describe("TTL and GTSM (RFC 5082)", () => {
  it("reads back TTL and minimum TTL for both families", () => {
    for (const family of ["ipv4", "ipv6"] as const) {
      const fd = openTcpSocket({ family, ttl: 255, minTtl: 254 });
      cleanups.push(() => closeFd(fd));
      expect(getTtl(fd, family)).toBe(255);
      expect(getMinTtl(fd, family)).toBe(254);
      setTtl(fd, family, 1);
      setMinTtl(fd, family, 0);
      expect(getTtl(fd, family)).toBe(1);
      expect(getMinTtl(fd, family)).toBe(0);
    }
  });

  it("a listener with minTtl 255 drops a SYN sent with TTL 254 and accepts TTL 255", async () => {
    const l = await listener({ family: "ipv4", bind: { address: "127.0.0.1", port: 0 }, minTtl: 255 });
    const before = tcpExt("TCPMinTTLDrop");
    const low = client({ family: "ipv4", ttl: 254 }, l.port, "127.0.0.1");
    await waitFor("the listener to drop a low-TTL SYN", () => tcpExt("TCPMinTTLDrop") > before);
    expect(low.socket.connecting).toBe(true);
    const ok = client({ family: "ipv4", ttl: 255 }, l.port, "127.0.0.1");
    expect(await ok.connected).toBe("ok");
  });
});

describe("bind options", () => {
  it("binds an address that is not configured only with freebind", () => {
    // 203.0.113.0/24 (TEST-NET-3) is on no interface; nothing is ever sent.
    expect(codeOf(() => openTcpSocket({ family: "ipv4", bind: { address: "203.0.113.7", port: 0 } }))).toBe("RAWSOCK_EADDRNOTAVAIL");
    const fd = openTcpSocket({ family: "ipv4", freebind: true, bind: { address: "203.0.113.7", port: 0 } });
    closeFd(fd);
    expect(codeOf(() => openTcpSocket({ family: "ipv6", bind: { address: "2001:db8::7", port: 0 } }))).toBe("RAWSOCK_EADDRNOTAVAIL");
    closeFd(openTcpSocket({ family: "ipv6", freebind: true, bind: { address: "2001:db8::7", port: 0 } }));
  });

  it("reuseAddress lets a second listener bind a port in TIME_WAIT-free reuse", async () => {
    const l = await listener({ family: "ipv4", reuseAddress: true, bind: { address: "127.0.0.1", port: 0 } });
    l.server.close();
    await new Promise((r) => l.server.once("close", r));
    const fd = openTcpSocket({ family: "ipv4", reuseAddress: true, bind: { address: "127.0.0.1", port: l.port } }, { listen: 1 });
    closeFd(fd);
  });

  it.skipIf(skipPrivileged)("bindToDevice accepts lo and rejects a missing interface with RAWSOCK_ENODEV", () => {
    closeFd(openTcpSocket({ family: "ipv4", bindToDevice: "lo" }));
    expect(codeOf(() => openTcpSocket({ family: "ipv4", bindToDevice: "nosuchif0" }))).toBe("RAWSOCK_ENODEV");
  });
});

describe("argument errors carry codes and leak no descriptor", () => {
  const rows: [string, () => unknown, string][] = [
    ["bad family", () => openTcpSocket({ family: "ipx" as "ipv4" }), "RAWSOCK_INVALID_ARGUMENT"],
    ["ttl 0", () => openTcpSocket({ family: "ipv4", ttl: 0 }), "RAWSOCK_INVALID_ARGUMENT"],
    ["ttl 256", () => openTcpSocket({ family: "ipv4", ttl: 256 }), "RAWSOCK_INVALID_ARGUMENT"],
    ["minTtl -1", () => openTcpSocket({ family: "ipv4", minTtl: -1 }), "RAWSOCK_INVALID_ARGUMENT"],
    ["key of 81 bytes", () => openTcpSocket({ family: "ipv4", md5: [{ address: "127.0.0.1", key: "k".repeat(81) }] }), "RAWSOCK_INVALID_ARGUMENT"],
    ["empty key", () => openTcpSocket({ family: "ipv4", md5: [{ address: "127.0.0.1", key: "" }] }), "RAWSOCK_INVALID_ARGUMENT"],
    ["IPv6 key on IPv4 socket", () => openTcpSocket({ family: "ipv4", md5: [{ address: "::1", key: "k" }] }), "RAWSOCK_FAMILY_MISMATCH"],
    ["IPv6 bind on IPv4 socket", () => openTcpSocket({ family: "ipv4", bind: { address: "::1", port: 0 } }), "RAWSOCK_FAMILY_MISMATCH"],
    ["not an address", () => openTcpSocket({ family: "ipv4", bind: { address: "localhost", port: 0 } }), "RAWSOCK_INVALID_ARGUMENT"],
    ["port 65536", () => openTcpSocket({ family: "ipv4", bind: { address: "127.0.0.1", port: 65536 } }), "RAWSOCK_INVALID_ARGUMENT"],
    ["bad interface name", () => openTcpSocket({ family: "ipv4", bindToDevice: "../x" }), "RAWSOCK_INVALID_ARGUMENT"],
    ["setTtl on a closed fd", () => setTtl(987_654, "ipv4", 64), "RAWSOCK_EBADF"],
    ["setTcpMd5 on a closed fd", () => setTcpMd5(987_654, "127.0.0.1", "k"), "RAWSOCK_EBADF"],
  ];
  it.each(rows)("%s", (_name, f, code) => {
    expect(codeOf(f)).toBe(code);
  });

  it("a failing option closes the descriptor it created", () => {
    // The next socket() reuses the lowest free fd: if the failed call leaked
    // one, the fd numbers would keep growing.
    const first = openTcpSocket({ family: "ipv4" });
    closeFd(first);
    expect(codeOf(() => openTcpSocket({ family: "ipv4", bind: { address: "203.0.113.9", port: 0 } }))).toBe("RAWSOCK_EADDRNOTAVAIL");
    const again = openTcpSocket({ family: "ipv4" });
    closeFd(again);
    expect(again).toBe(first);
  });
});
