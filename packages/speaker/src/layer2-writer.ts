// The layer 2 writer: takes the whole desired set {ip -> interfaces} each
// time (house style 19) and makes the host answer for exactly those IPs.
//
// - announcerWriter: @ironlb/l2's announcer over AF_PACKET sockets (needs
//   CAP_NET_RAW); it answers ARP/NDP, sends the takeover announcements and
//   reports conflicts through the event sink the daemon gave it.
// - dryRunWriter: no sockets at all (`ironlb speaker --no-raw-sockets`, the
//   playground without root): it reports the same "announcing"/"withdrawn"
//   events, so logs, metrics and the published status show what would be
//   announced.
import type { Announcement, L2Announcer, L2Event } from "@ironlb/l2";
import { formatIp } from "@ironlb/core/ip";

export interface Layer2Writer {
  announce(set: readonly Announcement[]): void;
  /** Reports what the kernel fast path answered since the last call (as "kernel-answered" events), if there is one. */
  poll?(): void;
  close(): Promise<void>;
}

export function announcerWriter(announcer: L2Announcer): Layer2Writer {
  return {
    announce: (set) => announcer.announce(set),
    poll: () => announcer.reportKernelAnswers(),
    close: async () => {
      announcer.announce([]);
      announcer.close();
    },
  };
}

export function dryRunWriter(onEvent: (e: L2Event) => void): Layer2Writer {
  // formatted IP -> interfaces text, what would be answered now
  let current = new Map<string, string>();
  return {
    announce(set) {
      const next = new Map<string, string>();
      for (const a of set) next.set(formatIp(a.ip), a.interfaces === undefined ? "*" : [...a.interfaces].sort().join(","));
      for (const ip of current.keys()) if (!next.has(ip)) onEvent({ type: "withdrawn", ip });
      for (const [ip, ifs] of next) {
        if (current.get(ip) !== ifs) onEvent({ type: "announcing", ip, interfaces: ifs === "*" ? [] : ifs.split(","), probed: false });
      }
      current = next;
    },
    close: async () => {
      for (const ip of current.keys()) onEvent({ type: "withdrawn", ip });
      current = new Map();
    },
  };
}
