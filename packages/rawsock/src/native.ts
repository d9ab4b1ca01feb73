// Loads the native addon (build/Release/rawsock.node) on first use and turns
// its thrown errors into RawsockError. This module is the only place that
// knows the addon's shape; everything above it builds and reads bytes in
// TypeScript.
//
// Deliberately lazy: importing @ironlb/rawsock (for its types, the in-memory
// connections or the interface facts) never requires the addon to be built.
import { createRequire } from "node:module";
import { RawsockError, syscallError } from "./errors.ts";

export interface NativeConstants {
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly AF_PACKET: number;
  readonly SOCK_STREAM: number;
  readonly SOCK_RAW: number;
  readonly SOCK_DGRAM: number;
  readonly SOL_SOCKET: number;
  readonly SO_REUSEADDR: number;
  readonly SO_BINDTODEVICE: number;
  readonly SO_ERROR: number;
  readonly SO_DOMAIN: number;
  readonly IPPROTO_IP: number;
  readonly IPPROTO_IPV6: number;
  readonly IPPROTO_TCP: number;
  readonly IP_TTL: number;
  readonly IP_MINTTL: number;
  readonly IP_FREEBIND: number;
  readonly IPV6_UNICAST_HOPS: number;
  readonly IPV6_MINHOPCOUNT: number;
  readonly IPV6_FREEBIND: number;
  readonly IPV6_V6ONLY: number;
  readonly IPV6_ADD_MEMBERSHIP: number;
  readonly IPV6_DROP_MEMBERSHIP: number;
  readonly TCP_MD5SIG: number;
  readonly TCP_MD5SIG_MAXKEYLEN: number;
  readonly SOL_PACKET: number;
  readonly PACKET_ADD_MEMBERSHIP: number;
  readonly PACKET_DROP_MEMBERSHIP: number;
  readonly PACKET_MR_MULTICAST: number;
  readonly PACKET_IGNORE_OUTGOING: number;
  readonly sizeof_tcp_md5sig: number;
  readonly sizeof_sockaddr_ll: number;
  readonly sizeof_packet_mreq: number;
  readonly sizeof_sockaddr_in: number;
  readonly sizeof_sockaddr_in6: number;
  readonly sizeof_ipv6_mreq: number;
}

/** Error object as thrown by the addon or passed to a Poller callback. */
export interface NativeError extends Error {
  readonly errno?: number;
  readonly syscall?: string;
  readonly fatal?: boolean;
}

export type PollerCallback = (err: NativeError | null, frames: Buffer[] | null, meta: Int32Array | null) => void;

export interface NativePoller {
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NativeAddon {
  readonly supported: true;
  readonly constants: NativeConstants;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Uint8Array): void;
  listen(fd: number, backlog: number): void;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  getsockopt(fd: number, level: number, name: number, maxLength: number): Buffer;
  attachFilter(fd: number, program: Uint8Array): void;
  send(fd: number, frame: Uint8Array): number;
  close(fd: number): void;
  /** The bpf(2) syscall; `pointers` holds [offset, buffer] pairs whose addresses go into `attr`. */
  bpf(cmd: number, attr: Uint8Array, pointers: (number | Uint8Array)[]): number;
  Poller: new (fd: number, callback: PollerCallback) => NativePoller;
}

let cached: NativeAddon | undefined;

/** The addon, loaded once. Throws RAWSOCK_ADDON_MISSING or RAWSOCK_UNSUPPORTED. */
export function addon(): NativeAddon {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  let loaded: { supported: boolean };
  try {
    // src/ and dist/ both sit one level below the package root.
    loaded = require("../build/Release/rawsock.node") as { supported: boolean };
  } catch (err) {
    throw new RawsockError(
      "RAWSOCK_ADDON_MISSING",
      `the rawsock native addon is not built (${(err as Error).message.split("\n")[0]}); run \`npm rebuild @ironlb/rawsock\``,
    );
  }
  if (!loaded.supported) {
    throw new RawsockError("RAWSOCK_UNSUPPORTED", `raw sockets are only supported on Linux, not ${process.platform}`);
  }
  cached = loaded as NativeAddon;
  return cached;
}

/** Runs one addon call, converting a thrown errno error into a RawsockError. */
export function sys<T>(what: string, privilege: string | undefined, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw toRawsockError(err, what, privilege);
  }
}

export function toRawsockError(err: unknown, what: string, privilege?: string): RawsockError {
  if (err instanceof RawsockError) return err;
  const e = err as NativeError;
  if (typeof e?.errno === "number") return syscallError(e.syscall ?? "syscall", e.errno, what, privilege);
  // A TypeError from the addon's own argument checks is a bug above it.
  throw err;
}
