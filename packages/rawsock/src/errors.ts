// The one error type of @ironlb/rawsock. `code` is stable and is what callers
// and tests branch on: "RAWSOCK_<ERRNO>" for a failed syscall (RAWSOCK_EPERM,
// RAWSOCK_ENODEV, RAWSOCK_EADDRNOTAVAIL, ...) and a few named codes for
// failures that are not an errno. Messages are for people only.
import { constants as osConstants } from "node:os";

export type RawsockErrorCode =
  | `RAWSOCK_E${string}`
  /** An argument was rejected before any syscall was made. */
  | "RAWSOCK_INVALID_ARGUMENT"
  /** An address of one family was used with a socket of the other. */
  | "RAWSOCK_FAMILY_MISMATCH"
  /** Not available on this platform or kernel. */
  | "RAWSOCK_UNSUPPORTED"
  /** The native addon was not built (npm install runs node-gyp). */
  | "RAWSOCK_ADDON_MISSING"
  /** The socket or connection was already closed. */
  | "RAWSOCK_CLOSED";

export class RawsockError extends Error {
  readonly code: RawsockErrorCode;
  /** The positive errno for syscall failures, otherwise undefined. */
  readonly errno: number | undefined;
  /** The failing syscall, when there was one. */
  readonly syscall: string | undefined;

  constructor(code: RawsockErrorCode, message: string, details: { errno?: number; syscall?: string } = {}) {
    super(message);
    this.name = "RawsockError";
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(osConstants.errno)) {
  // os.constants.errno has aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK);
  // the first spelling listed is the usual one.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `ERRNO${errno}`;
}

/**
 * Builds the RawsockError for a failed syscall. `privilege` names the
 * capability the operation needs, so that EPERM/EACCES say what to grant.
 */
export function syscallError(syscall: string, errno: number, what: string, privilege?: string): RawsockError {
  const name = errnoName(errno);
  let message = `${what}: ${syscall} failed with ${name}`;
  if ((name === "EPERM" || name === "EACCES") && privilege !== undefined) {
    message += ` (needs ${privilege}: run as root or grant the capability, e.g. NET_RAW in the container's securityContext)`;
  }
  return new RawsockError(`RAWSOCK_${name}` as RawsockErrorCode, message, { errno, syscall });
}
