// The one error the BGP codec raises: a decode failure that already knows the
// NOTIFICATION it maps to (code, subcode, data) and the RFC 7606 remedy.
//
// Remedies are ordered (RFC 7606 §2 and §3): an UPDATE decoder that meets
// several problems keeps going and reports the strongest one, so the session
// acts once. "session-reset" is the RFC 4271 behaviour (send NOTIFICATION and
// close); the weaker ones let the session live. Every other error in this
// package (configuration, API misuse) carries a stable string `code` instead.
//
// Deliberately not here: turning an error into a NOTIFICATION message and
// closing the session; the FSM does that in exactly one place (fsm/errors.ts).

export type Remedy = "attribute-discard" | "treat-as-withdraw" | "afisafi-disable" | "session-reset";

const strength: Record<Remedy, number> = {
  "attribute-discard": 1,
  "treat-as-withdraw": 2,
  "afisafi-disable": 3,
  "session-reset": 4,
};

/** The stronger of two remedies; `undefined` means "nothing wrong". */
export function strongerRemedy(a: Remedy | undefined, b: Remedy | undefined): Remedy | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return strength[a] >= strength[b] ? a : b;
}

export interface BgpWireErrorOptions {
  readonly code: number;
  readonly subcode: number;
  readonly data?: Uint8Array | undefined;
  readonly remedy?: Remedy | undefined;
  /** The path attribute type code the problem belongs to, when there is one. */
  readonly attribute?: number | undefined;
}

export class BgpWireError extends Error {
  /** NOTIFICATION error code (RFC 4271 §4.5). */
  readonly code: number;
  /** NOTIFICATION error subcode. */
  readonly subcode: number;
  /** NOTIFICATION data field, as the RFC prescribes for this error. */
  readonly data: Uint8Array;
  readonly remedy: Remedy;
  readonly attribute: number | undefined;
  constructor(message: string, options: BgpWireErrorOptions) {
    super(message);
    this.name = "BgpWireError";
    this.code = options.code;
    this.subcode = options.subcode;
    this.data = options.data ?? new Uint8Array(0);
    this.remedy = options.remedy ?? "session-reset";
    this.attribute = options.attribute;
  }
}

/**
 * A programming error inside this package (an encoder asked to write what it
 * measured differently, a value out of its type's range). Never caused by
 * bytes from the network.
 */
export class BgpAssertionError extends Error {
  readonly code = "BGP_ASSERTION";
  constructor(message: string) {
    super(message);
    this.name = "BgpAssertionError";
  }
}
