// OPEN (RFC 4271 §4.2) with its optional parameters: capabilities (RFC 5492
// §4, parameter type 2), possibly split over several parameters, and RFC 9072
// extended optional parameters length on receive and when needed on send.
//
// Decoding checks framing only (lengths, parameter boundaries). What an OPEN
// means for the session (version, peer AS, hold time, identifier, required
// capabilities: RFC 4271 §6.2) is judged in session/negotiate.ts, because it
// needs configuration the codec does not have.
import { Reader, type Writer } from "@ironlb/core/wire";
import { type Capability, decodeCapability, encodeCapability, sizeOfCapability } from "./capabilities.ts";
import { ErrorCode, OpenSubcode } from "./codes.ts";
import { BgpWireError } from "./errors.ts";
import { bgpReadErrors } from "./wire.ts";

export const OptionalParameterType = {
  Capabilities: 2,
  /** RFC 9072 §2: marks the extended optional parameters length encoding. */
  ExtendedLength: 255,
} as const;

export interface OptionalParameter {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface OpenMessage {
  readonly type: "open";
  readonly version: number;
  /** The 2-octet "My Autonomous System" field (AS_TRANS when the real AS needs 4 octets). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than capabilities, kept so the session can reject them (RFC 4271 §6.2). */
  readonly parameters: readonly OptionalParameter[];
}

const FIXED = 10; // version 1, my AS 2, hold time 2, BGP identifier 4, opt param len 1
const MAX_PARAM_VALUE = 255;

const openError = (what: string) =>
  new BgpWireError(`OPEN: ${what}`, { code: ErrorCode.OpenMessage, subcode: OpenSubcode.Unspecific });
const openErrors = bgpReadErrors(openError);

/** Groups capabilities into parameters whose values fit in one length byte. */
function paramChunks(capabilities: readonly Capability[]): Capability[][] {
  const chunks: Capability[][] = [];
  let current: Capability[] = [];
  let size = 0;
  for (const c of capabilities) {
    const s = sizeOfCapability(c);
    if (current.length > 0 && size + s > MAX_PARAM_VALUE) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(c);
    size += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

interface Layout {
  readonly extended: boolean;
  readonly chunks: Capability[][];
  readonly paramsLength: number;
}

function layout(m: OpenMessage): Layout {
  const chunks = paramChunks(m.capabilities);
  const capBytes = chunks.reduce((n, ch) => n + ch.reduce((k, c) => k + sizeOfCapability(c), 0), 0);
  const values = capBytes + m.parameters.reduce((n, p) => n + p.data.length, 0);
  const count = chunks.length + m.parameters.length;
  const bigParam = m.parameters.some((p) => p.data.length > MAX_PARAM_VALUE) || chunks.some((ch) => ch.reduce((k, c) => k + sizeOfCapability(c), 0) > MAX_PARAM_VALUE);
  const normal = values + 2 * count;
  // RFC 9072 §2: use the extended encoding only when the classic one cannot
  // express the parameters (length over 255, or a parameter over 255).
  if (normal <= 254 && !bigParam) return { extended: false, chunks, paramsLength: normal };
  return { extended: true, chunks, paramsLength: values + 3 * count };
}

export function sizeOfOpen(m: OpenMessage): number {
  const l = layout(m);
  return FIXED + (l.extended ? 3 : 0) + l.paramsLength;
}

export function encodeOpen(w: Writer, m: OpenMessage): void {
  const l = layout(m);
  w.u8(m.version);
  w.u16(m.myAs);
  w.u16(m.holdTime);
  w.u32(m.bgpId);
  if (l.extended) {
    w.u8(255);
    w.u8(OptionalParameterType.ExtendedLength);
    w.u16(l.paramsLength);
  } else {
    w.u8(l.paramsLength);
  }
  const paramHeader = (type: number, len: number) => {
    w.u8(type);
    if (l.extended) w.u16(len);
    else w.u8(len);
  };
  for (const chunk of l.chunks) {
    paramHeader(OptionalParameterType.Capabilities, chunk.reduce((k, c) => k + sizeOfCapability(c), 0));
    for (const c of chunk) encodeCapability(w, c);
  }
  for (const p of m.parameters) {
    paramHeader(p.type, p.data.length);
    w.put(p.data);
  }
}

/** Decodes an OPEN body (after the header). */
export function decodeOpen(r: Reader): OpenMessage {
  const version = r.u8("version");
  const myAs = r.u16("my autonomous system");
  const holdTime = r.u16("hold time");
  const bgpId = r.u32("bgp identifier");
  let paramsLen = r.u8("optional parameters length");
  let extended = false;
  // RFC 9072 §2: a first parameter type of 255 announces a 2-byte length.
  if (paramsLen > 0 && r.remaining > 0 && r.bytes[r.offset] === OptionalParameterType.ExtendedLength) {
    r.u8("extended marker");
    paramsLen = r.u16("extended optional parameters length");
    extended = true;
  }
  const params = r.sub(paramsLen, "optional parameters", openErrors);
  r.end("OPEN", openErrors);
  const capabilities: Capability[] = [];
  const parameters: OptionalParameter[] = [];
  while (params.remaining > 0) {
    const type = params.u8("parameter type");
    const len = extended ? params.u16("parameter length") : params.u8("parameter length");
    const value = params.sub(len, "parameter value");
    if (type === OptionalParameterType.Capabilities) {
      // RFC 5492 §4: one parameter may hold several capabilities, and
      // capabilities may be spread over several parameters.
      const caps = new Reader(value.bytes, openErrors, value.offset, value.limit);
      while (caps.remaining > 0) capabilities.push(decodeCapability(caps));
    } else {
      parameters.push({ type, data: value.rest() });
    }
  }
  return { type: "open", version, myAs, holdTime, bgpId, capabilities, parameters };
}
