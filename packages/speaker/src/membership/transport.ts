// The datagram transport the membership runs over: the real one is UDP
// (udp.ts), tests use an in-memory network (fake-network.ts). Unreliable by
// contract: a send may be lost, duplicated or reordered, and the protocol is
// built for that. Sends never throw; failures go to `onError`.
import type { Endpoint } from "./endpoint.ts";

export interface Transport {
  /** The address and port this transport actually receives on. */
  readonly local: Endpoint;
  /** Queues one datagram. Never throws. */
  send(to: Endpoint, bytes: Uint8Array): void;
  /** Sets the one receiver of incoming datagrams (a later call replaces it). */
  onPacket(cb: (bytes: Uint8Array, from: Endpoint) => void): void;
  /** Sets the one receiver of send and socket errors (a later call replaces it). */
  onError(cb: (err: Error) => void): void;
  close(): Promise<void>;
}
