// The PacketConn contract: one interface, one ethertype, whole Ethernet
// frames in and out. The responder and announcer in @ironlb/l2 are written
// against this interface only, so tests run them over the in-memory
// implementation (@ironlb/rawsock/testing) and production over AF_PACKET.
//
// Also the shared plumbing both implementations use (FrameHub): listeners,
// async iteration with a bounded queue, close semantics.
//
// Deliberately not here: any knowledge of what is inside a frame.
import { RawsockError } from "./errors.ts";

/** sll_pkttype: how the frame reached us (linux/if_packet.h PACKET_*). */
export type PacketType = "host" | "broadcast" | "multicast" | "otherhost" | "outgoing" | "other";

const packetTypes: readonly PacketType[] = ["host", "broadcast", "multicast", "otherhost", "outgoing"];

export function packetTypeName(code: number): PacketType {
  return packetTypes[code] ?? "other";
}

export interface ReceivedFrame {
  /** The whole Ethernet frame, from the destination MAC on (no FCS). */
  readonly data: Uint8Array;
  readonly packetType: PacketType;
  /** The interface the frame arrived on. */
  readonly ifindex: number;
}

export interface PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  readonly ethertype: number;
  readonly closed: boolean;
  /** Sends one whole Ethernet frame. Throws RawsockError (RAWSOCK_CLOSED, RAWSOCK_ENETDOWN, ...). */
  send(frame: Uint8Array): void;
  /** Calls `listener` for every frame received; returns the unsubscribe function. */
  onFrame(listener: (frame: ReceivedFrame) => void): () => void;
  /**
   * Receive errors. A `fatal` one (the interface was deleted) means no more
   * frames will arrive; ENETDOWN is not fatal: frames resume when the link does.
   */
  onError(listener: (error: RawsockError, fatal: boolean) => void): () => void;
  /** Frames as an async iterator; ends on close(), throws on a fatal error. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedFrame>;
  /**
   * Joins a link-layer multicast group (e.g. 33:33:ff:xx:xx:xx) on this
   * interface, so the NIC stops filtering it out. With `ipv6Group` (the
   * 16-byte group address, e.g. ff02::1:ffxx:xxxx) the host also joins at the
   * IPv6 level, so the kernel sends MLD reports and switches that snoop MLD
   * forward the group to this port. Joins are counted: the group is left when
   * every join has been matched by a drop.
   */
  addMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void;
  dropMembership(mac: Uint8Array, ipv6Group?: Uint8Array): void;
  /** Releases the socket; idempotent. */
  close(): void;
}

export interface PacketConnStats {
  readonly framesReceived: number;
  readonly framesSent: number;
  /** Frames dropped because an async iterator's queue was full. */
  readonly framesDropped: number;
}

/** Frames an async iterator buffers before dropping the oldest. */
export const ITERATOR_QUEUE_LIMIT = 4096;

interface Waiter {
  resolve(r: IteratorResult<ReceivedFrame>): void;
  reject(e: unknown): void;
}

/** Shared listener/iterator/close plumbing for PacketConn implementations. */
export abstract class FrameHub {
  #frameListeners = new Set<(frame: ReceivedFrame) => void>();
  #errorListeners = new Set<(error: RawsockError, fatal: boolean) => void>();
  #iterators = new Set<{ queue: ReceivedFrame[]; waiter: Waiter | undefined; end: () => void; fail: (e: RawsockError) => void }>();
  #closed = false;
  #fatal: RawsockError | undefined;
  protected received = 0;
  protected sent = 0;
  protected dropped = 0;

  get closed(): boolean {
    return this.#closed;
  }

  /** The fatal receive error, if one happened. */
  get error(): RawsockError | undefined {
    return this.#fatal;
  }

  stats(): PacketConnStats {
    return { framesReceived: this.received, framesSent: this.sent, framesDropped: this.dropped };
  }

  onFrame(listener: (frame: ReceivedFrame) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  onError(listener: (error: RawsockError, fatal: boolean) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<ReceivedFrame> {
    const it = {
      queue: [] as ReceivedFrame[],
      waiter: undefined as Waiter | undefined,
      end: () => {
        const w = it.waiter;
        it.waiter = undefined;
        w?.resolve({ done: true, value: undefined });
      },
      fail: (e: RawsockError) => {
        const w = it.waiter;
        it.waiter = undefined;
        w?.reject(e);
      },
    };
    this.#iterators.add(it);
    return {
      next: () => {
        const frame = it.queue.shift();
        if (frame !== undefined) return Promise.resolve({ done: false, value: frame });
        if (this.#fatal !== undefined) return Promise.reject(this.#fatal);
        if (this.#closed || !this.#iterators.has(it)) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => {
          it.waiter = { resolve, reject };
        });
      },
      return: () => {
        this.#iterators.delete(it);
        it.end();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  protected deliver(frame: ReceivedFrame): void {
    this.received++;
    for (const listener of this.#frameListeners) listener(frame);
    for (const it of this.#iterators) {
      if (it.waiter !== undefined) {
        const w = it.waiter;
        it.waiter = undefined;
        w.resolve({ done: false, value: frame });
      } else {
        if (it.queue.length >= ITERATOR_QUEUE_LIMIT) {
          it.queue.shift();
          this.dropped++;
        }
        it.queue.push(frame);
      }
    }
  }

  protected fail(error: RawsockError, fatal: boolean): void {
    if (fatal) this.#fatal = error;
    for (const listener of this.#errorListeners) listener(error, fatal);
    if (fatal) for (const it of this.#iterators) it.fail(error);
  }

  protected assertOpen(what: string): void {
    if (this.#closed) throw new RawsockError("RAWSOCK_CLOSED", `${what}: the packet connection is closed`);
  }

  /** Marks closed and ends every iterator; returns false if already closed. */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const it of this.#iterators) it.end();
    this.#iterators.clear();
    this.#frameListeners.clear();
    this.#errorListeners.clear();
    return true;
  }
}
