// Cuts a TCP byte stream into whole BGP messages. Knows nothing about message
// semantics beyond the header (RFC 4271 §4.1).
//
// The header is validated (marker, 19 <= length <= limit) as soon as its 19
// bytes are present, before any of the body is buffered, so a hostile peer
// cannot make us hold more than one maximal message. The marker is even
// checked byte by byte as it arrives. What we accept is decided by what WE
// advertised: RFC 8654 §4 lets a speaker that advertised the extended message
// capability receive messages up to 65535 octets (UPDATE, NOTIFICATION,
// ROUTE-REFRESH only); one that did not must reject anything over 4096.
//
// After an error the framer is dead: the stream is desynchronised and the
// session must close. Returned messages are views into the pushed chunks
// where possible; a message split across chunks is copied once.
import { ErrorCode, HeaderSubcode } from "./codes.ts";
import { BgpAssertionError, BgpWireError } from "./errors.ts";
import { decodeHeader, HEADER_LENGTH, MARKER_LENGTH } from "./header.ts";

export interface FramerOptions {
  /** True when we advertised RFC 8654 extended messages. */
  readonly extendedMessage: boolean;
}

export interface Framer {
  /** Appends a chunk; returns every message it completes (header included). */
  push(chunk: Uint8Array): Uint8Array[];
  /** Bytes held for an incomplete message. */
  readonly buffered: number;
}

export function createFramer(options: FramerOptions): Framer {
  let pending: Uint8Array = new Uint8Array(0);
  let failed = false;

  function fail(err: BgpWireError): never {
    failed = true;
    pending = new Uint8Array(0);
    throw err;
  }

  return {
    get buffered() {
      return pending.length;
    },
    push(chunk: Uint8Array): Uint8Array[] {
      if (failed) throw new BgpAssertionError("framer used after a framing error; the session must close");
      let buf: Uint8Array;
      if (pending.length === 0) buf = chunk;
      else {
        buf = new Uint8Array(pending.length + chunk.length);
        buf.set(pending, 0);
        buf.set(chunk, pending.length);
      }
      const out: Uint8Array[] = [];
      let off = 0;
      while (buf.length - off >= HEADER_LENGTH) {
        let header;
        try {
          header = decodeHeader(buf, off, options.extendedMessage);
        } catch (err) {
          return fail(err as BgpWireError);
        }
        if (buf.length - off < header.length) break;
        out.push(buf.subarray(off, off + header.length));
        off += header.length;
      }
      // RFC 4271 §6.1: fail on a bad marker byte as soon as it arrives.
      const partial = Math.min(buf.length - off, MARKER_LENGTH);
      for (let i = 0; i < partial; i++) {
        if (buf[off + i] !== 0xff) {
          fail(new BgpWireError("message header: marker is not all ones", {
            code: ErrorCode.MessageHeader,
            subcode: HeaderSubcode.ConnectionNotSynchronized,
          }));
        }
      }
      // Copy the tail: the caller may reuse its chunk after push returns.
      pending = off === buf.length ? new Uint8Array(0) : buf.slice(off);
      return out;
    },
  };
}
