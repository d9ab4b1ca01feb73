// TCP sockets with the options BGP needs, created natively and handed to Node
// as a file descriptor: `new net.Socket({ fd }).connect(port, host)` or
// `net.createServer().listen({ fd })`. Options that must be in place before
// the SYN (client) or on the listener (server) cannot be set through net.
//
// Implements: RFC 2385 TCP MD5 signatures (TCP_MD5SIG, one key per peer
// address), RFC 5082 GTSM (IP_TTL/IPV6_UNICAST_HOPS on send, IP_MINTTL/
// IPV6_MINHOPCOUNT on receive), IP_FREEBIND, SO_BINDTODEVICE, SO_REUSEADDR.
//
// Deliberately not here: TCP-AO (RFC 5925), MD5 prefix/ifindex matching
// (TCP_MD5SIG_EXT), connecting or reading (that is net.Socket's job).
import { RawsockError } from "./errors.ts";
import { addon, sys, type NativeAddon } from "./native.ts";
import { intValue, parseAddress, readInt, sockaddrIn, tcpMd5sig, v4Mapped, type Family } from "./sockaddr.ts";
import { interfaceIndex } from "./interfaces.ts";

export interface TcpSocketOptions {
  readonly family: Family;
  /** bind() before connect/listen; port 0 = ephemeral. */
  readonly bind?: { readonly address: string; readonly port: number } | undefined;
  /** TCP_MD5SIG entries (RFC 2385), one per peer address; key <= 80 bytes. */
  readonly md5?: readonly { readonly address: string; readonly key: string }[] | undefined;
  /** IP_TTL / IPV6_UNICAST_HOPS for sent packets (ebgp-multihop, GTSM send side 255). */
  readonly ttl?: number | undefined;
  /** IP_MINTTL / IPV6_MINHOPCOUNT (RFC 5082 GTSM receive side, e.g. 254). */
  readonly minTtl?: number | undefined;
  /** IP_FREEBIND / IPV6_FREEBIND: bind to an address not (yet) configured. */
  readonly freebind?: boolean | undefined;
  /** SO_BINDTODEVICE. */
  readonly bindToDevice?: string | undefined;
  /** SO_REUSEADDR (listeners). */
  readonly reuseAddress?: boolean | undefined;
  /** IPV6_V6ONLY; by default the kernel's net.ipv6.bindv6only applies (dual-stack). */
  readonly ipv6Only?: boolean | undefined;
}

export interface OpenTcpSocketExtras {
  /** listen(backlog) after binding, for a listener. */
  readonly listen?: number | undefined;
}

// RFC 2385 §4.5 leaves the key length open; Linux caps it at TCP_MD5SIG_MAXKEYLEN.
const MD5_MAX_KEY = 80;

/** Creates a non-blocking TCP socket with the options applied and returns its fd. */
export function openTcpSocket(options: TcpSocketOptions, extras: OpenTcpSocketExtras = {}): number {
  const a = addon();
  const c = a.constants;
  checkFamily(options.family);
  // Validate everything before creating the fd, so bad input never leaks one.
  const bind = options.bind === undefined ? undefined : bindAddress(options.family, options.bind);
  const md5 = (options.md5 ?? []).map((e) => md5Entry(a, options.family, e.address, e.key));
  if (options.ttl !== undefined) checkTtl("ttl", options.ttl, 1);
  if (options.minTtl !== undefined) checkTtl("minTtl", options.minTtl, 0);
  if (extras.listen !== undefined && (!Number.isInteger(extras.listen) || extras.listen < 1)) {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `listen backlog must be a positive integer, not ${extras.listen}`);
  }
  if (options.bindToDevice !== undefined) interfaceIndex(options.bindToDevice); // RAWSOCK_ENODEV early

  const domain = options.family === "ipv4" ? c.AF_INET : c.AF_INET6;
  const fd = sys("open TCP socket", undefined, () => a.socket(domain, c.SOCK_STREAM, 0));
  try {
    if (options.ipv6Only !== undefined && options.family === "ipv6") {
      setInt(a, fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, options.ipv6Only ? 1 : 0, "IPV6_V6ONLY");
    }
    if (options.reuseAddress === true) setInt(a, fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1, "SO_REUSEADDR");
    if (options.bindToDevice !== undefined) {
      const name = new TextEncoder().encode(options.bindToDevice + "\0");
      sys(`SO_BINDTODEVICE ${options.bindToDevice}`, "CAP_NET_RAW", () => a.setsockopt(fd, c.SOL_SOCKET, c.SO_BINDTODEVICE, name));
    }
    if (options.freebind === true) {
      if (options.family === "ipv4") setInt(a, fd, c.IPPROTO_IP, c.IP_FREEBIND, 1, "IP_FREEBIND");
      else setInt(a, fd, c.IPPROTO_IPV6, c.IPV6_FREEBIND, 1, "IPV6_FREEBIND");
    }
    if (options.ttl !== undefined) applyTtl(a, fd, options.family, options.ttl);
    if (options.minTtl !== undefined) applyMinTtl(a, fd, options.family, options.minTtl);
    for (const entry of md5) sys("TCP_MD5SIG", undefined, () => a.setsockopt(fd, c.IPPROTO_TCP, c.TCP_MD5SIG, entry));
    if (bind !== undefined) {
      const privilege = options.bind !== undefined && options.bind.port < 1024 && options.bind.port !== 0 ? "CAP_NET_BIND_SERVICE" : undefined;
      sys(`bind ${options.bind?.address}:${options.bind?.port}`, privilege, () => a.bind(fd, bind));
    }
    if (extras.listen !== undefined) {
      const backlog = extras.listen;
      sys("listen", undefined, () => a.listen(fd, backlog));
    }
  } catch (err) {
    a.close(fd);
    throw err;
  }
  return fd;
}

/** listen(backlog) on a bound socket from openTcpSocket. */
export function listenFd(fd: number, backlog: number): void {
  const a = addon();
  sys("listen", undefined, () => a.listen(fd, backlog));
}

/**
 * Adds (key string) or removes (key null) the TCP_MD5SIG entry for one peer
 * on an existing socket, e.g. on a listener when the peer set changes. An IPv4
 * peer on an IPv6 socket is keyed by its v4-mapped address, which is how a
 * dual-stack listener sees it.
 */
export function setTcpMd5(fd: number, peerAddress: string, key: string | null): void {
  const a = addon();
  const family = socketFamily(a, fd);
  const entry = md5Entry(a, family, peerAddress, key);
  sys("TCP_MD5SIG", undefined, () => a.setsockopt(fd, a.constants.IPPROTO_TCP, a.constants.TCP_MD5SIG, entry));
}

/** IP_TTL / IPV6_UNICAST_HOPS on an existing socket. */
export function setTtl(fd: number, family: Family, ttl: number): void {
  checkFamily(family);
  checkTtl("ttl", ttl, 1);
  applyTtl(addon(), fd, family, ttl);
}

/** IP_MINTTL / IPV6_MINHOPCOUNT on an existing socket (0 turns the check off). */
export function setMinTtl(fd: number, family: Family, minTtl: number): void {
  checkFamily(family);
  checkTtl("minTtl", minTtl, 0);
  applyMinTtl(addon(), fd, family, minTtl);
}

/** Reads IP_TTL / IPV6_UNICAST_HOPS back (the kernel reports its default when unset). */
export function getTtl(fd: number, family: Family): number {
  const a = addon();
  const c = a.constants;
  checkFamily(family);
  return family === "ipv4" ? getInt(a, fd, c.IPPROTO_IP, c.IP_TTL, "IP_TTL") : getInt(a, fd, c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS");
}

/** Reads IP_MINTTL / IPV6_MINHOPCOUNT back. */
export function getMinTtl(fd: number, family: Family): number {
  const a = addon();
  const c = a.constants;
  checkFamily(family);
  return family === "ipv4" ? getInt(a, fd, c.IPPROTO_IP, c.IP_MINTTL, "IP_MINTTL") : getInt(a, fd, c.IPPROTO_IPV6, c.IPV6_MINHOPCOUNT, "IPV6_MINHOPCOUNT");
}

/** Closes a descriptor that was never handed to net.Socket / net.Server. */
export function closeFd(fd: number): void {
  const a = addon();
  sys("close", undefined, () => a.close(fd));
}

function checkFamily(family: Family): void {
  if (family !== "ipv4" && family !== "ipv6") {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `family must be "ipv4" or "ipv6", not ${JSON.stringify(family)}`);
  }
}

function checkTtl(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 255) {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `${name} must be an integer ${min}..255, not ${value}`);
  }
}

function bindAddress(family: Family, bind: { readonly address: string; readonly port: number }): Uint8Array {
  const c = addon().constants;
  if (!Number.isInteger(bind.port) || bind.port < 0 || bind.port > 65535) {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `port must be 0..65535, not ${bind.port}`);
  }
  const parsed = parseAddress(bind.address);
  if (parsed.family !== family) {
    throw new RawsockError("RAWSOCK_FAMILY_MISMATCH", `cannot bind an ${family} socket to ${bind.address}`);
  }
  const scope = parsed.zone === undefined ? 0 : interfaceIndex(parsed.zone);
  return sockaddrIn(family, family === "ipv4" ? c.AF_INET : c.AF_INET6, parsed.bytes, bind.port, scope);
}

function md5Entry(a: NativeAddon, family: Family, address: string, key: string | null): Uint8Array {
  const c = a.constants;
  const parsed = parseAddress(address);
  const keyBytes = key === null ? new Uint8Array(0) : new TextEncoder().encode(key);
  if (key !== null && (keyBytes.length === 0 || keyBytes.length > MD5_MAX_KEY)) {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `an MD5 key is 1..${MD5_MAX_KEY} bytes, not ${keyBytes.length} (use null to remove a key)`);
  }
  if (family === "ipv4") {
    if (parsed.family !== "ipv4") throw new RawsockError("RAWSOCK_FAMILY_MISMATCH", `an IPv4 socket cannot have an MD5 key for ${address}`);
    return tcpMd5sig(c.AF_INET, "ipv4", parsed.bytes, keyBytes);
  }
  const bytes = parsed.family === "ipv4" ? v4Mapped(parsed.bytes) : parsed.bytes;
  return tcpMd5sig(c.AF_INET6, "ipv6", bytes, keyBytes);
}

function socketFamily(a: NativeAddon, fd: number): Family {
  const domain = getInt(a, fd, a.constants.SOL_SOCKET, a.constants.SO_DOMAIN, "SO_DOMAIN");
  if (domain === a.constants.AF_INET) return "ipv4";
  if (domain === a.constants.AF_INET6) return "ipv6";
  throw new RawsockError("RAWSOCK_FAMILY_MISMATCH", `fd ${fd} is not an IPv4 or IPv6 socket`);
}

function applyTtl(a: NativeAddon, fd: number, family: Family, ttl: number): void {
  const c = a.constants;
  if (family === "ipv4") setInt(a, fd, c.IPPROTO_IP, c.IP_TTL, ttl, "IP_TTL");
  else setInt(a, fd, c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
}

function applyMinTtl(a: NativeAddon, fd: number, family: Family, minTtl: number): void {
  const c = a.constants;
  if (family === "ipv4") setInt(a, fd, c.IPPROTO_IP, c.IP_MINTTL, minTtl, "IP_MINTTL");
  else setInt(a, fd, c.IPPROTO_IPV6, c.IPV6_MINHOPCOUNT, minTtl, "IPV6_MINHOPCOUNT");
}

function setInt(a: NativeAddon, fd: number, level: number, name: number, value: number, what: string): void {
  sys(what, undefined, () => a.setsockopt(fd, level, name, intValue(value)));
}

function getInt(a: NativeAddon, fd: number, level: number, name: number, what: string): number {
  return readInt(sys(what, undefined, () => a.getsockopt(fd, level, name, 4)));
}
