// The dissemination queue: membership news (alive, suspect, dead) waiting to
// be piggybacked on outgoing datagrams, as SWIM's infection-style
// dissemination (Das et al., DSN 2002, §4.1) and memberlist's
// TransmitLimitedQueue do it.
//
// - One entry per member name: news about a member replaces older news about
//   it (a refuting "alive" cancels the "suspect" still queued).
// - A datagram takes the entries sent least often first, newest first among
//   equals, as long as they fit its remaining bytes.
// - An entry is dropped after `limit` sends (retransmitMult x log n,
//   config.ts): by then it has reached everyone with high probability, and
//   push-pull repairs the rest.
//
// Deliberately not here: what the bytes mean; entries are pre-encoded messages.

interface Entry {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly id: number;
  transmits: number;
}

export class BroadcastQueue {
  readonly #entries = new Map<string, Entry>();
  #nextId = 0;

  get size(): number {
    return this.#entries.size;
  }

  /** Queues `bytes` (one encoded message) as the news about `key`, replacing older news about it. */
  enqueue(key: string, bytes: Uint8Array): void {
    this.#entries.delete(key);
    this.#entries.set(key, { key, bytes, id: this.#nextId++, transmits: 0 });
  }

  /** Messages for one datagram with `budget` free bytes; each counts as sent once. */
  take(budget: number, limit: number): Uint8Array[] {
    if (this.#entries.size === 0 || budget <= 0) return [];
    const ordered = [...this.#entries.values()].sort((a, b) => a.transmits - b.transmits || b.id - a.id);
    const out: Uint8Array[] = [];
    let left = budget;
    for (const e of ordered) {
      if (e.bytes.length > left) continue;
      out.push(e.bytes);
      left -= e.bytes.length;
      e.transmits++;
      if (e.transmits >= limit) this.#entries.delete(e.key);
    }
    return out;
  }

  clear(): void {
    this.#entries.clear();
  }
}
