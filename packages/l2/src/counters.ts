// Per-IP counters as plain data (no metrics library in library packages):
// MetalLB's metallb_layer2_{requests_received,responses_sent,gratuitous_sent}
// plus what conflict detection adds. The speaker exports them as Prometheus
// counters; `ironlb l2 probe` prints them on exit.

export interface IpCounters {
  /** ARP requests / Neighbor Solicitations about this IP that reached the ownership check. */
  readonly requestsReceived: number;
  readonly responsesSent: number;
  /** Gratuitous ARP frames / unsolicited NAs sent (each frame counts). */
  readonly gratuitousSent: number;
  /** ARP probes / DAD probes sent before announcing. */
  readonly probesSent: number;
  /** Claims on this IP by another host (while probing or announcing). */
  readonly conflicts: number;
}

export type MutableCounters = { -readonly [K in keyof IpCounters]: number };

export function zeroCounters(): MutableCounters {
  return { requestsReceived: 0, responsesSent: 0, gratuitousSent: 0, probesSent: 0, conflicts: 0 };
}
