import { describe, expect, test } from "vitest";
import { parseIp } from "@ironlb/core/ip";
import { diffDecisions, type AnnouncementChange } from "./announcements.ts";
import type { ServiceDecision } from "./decide.ts";
import type { WithdrawReason } from "./reasons.ts";

type State = { readonly l2?: boolean | WithdrawReason; readonly bgp?: boolean | WithdrawReason; readonly ips?: string[] };

function decision(s: State): ServiceDecision {
  const l2 = s.l2 === true ? { announce: true as const, interfaces: undefined, owner: "me" } : { announce: false as const, reason: (s.l2 || "notOwner") as WithdrawReason, owner: undefined };
  const bgp = s.bgp === true ? { announce: true as const, routes: [] } : { announce: false as const, reason: (s.bgp || "notOwner") as WithdrawReason };
  const ips = s.ips ?? ["198.51.100.1"];
  return { key: "ns/web", ips: ips.map(parseIp), pool: ips.length === 0 ? undefined : "p", layer2: l2, bgp };
}

const rows: readonly { desc: string; prev: State | undefined; next: State; want: AnnouncementChange[] }[] = [
  { desc: "first decision, not announced", prev: undefined, next: {}, want: [] },
  { desc: "first decision, announced", prev: undefined, next: { l2: true }, want: [{ type: "assigned", service: "ns/web", protocol: "layer2", ips: ["198.51.100.1"] }] },
  { desc: "resync with no change: no event", prev: { l2: true }, next: { l2: true }, want: [] },
  { desc: "resync of a withdrawn Service: no event", prev: { l2: "notOwner" }, next: { l2: "notOwner" }, want: [] },
  { desc: "ownership lost", prev: { l2: true }, next: { l2: "notOwner" }, want: [{ type: "withdrawn", service: "ns/web", protocol: "layer2", ips: ["198.51.100.1"], reason: "notOwner" }] },
  { desc: "ownership gained (takeover)", prev: { l2: "notOwner" }, next: { l2: true }, want: [{ type: "assigned", service: "ns/web", protocol: "layer2", ips: ["198.51.100.1"] }] },
  {
    desc: "IPs changed while announced: old withdrawn as loadBalancerIPChanged, new assigned",
    prev: { bgp: true, ips: ["203.0.113.1"] },
    next: { bgp: true, ips: ["203.0.113.2"] },
    want: [
      { type: "withdrawn", service: "ns/web", protocol: "bgp", ips: ["203.0.113.1"], reason: "loadBalancerIPChanged" },
      { type: "assigned", service: "ns/web", protocol: "bgp", ips: ["203.0.113.2"] },
    ],
  },
  {
    desc: "IPs changed and another node owns the new one: still loadBalancerIPChanged",
    prev: { l2: true, ips: ["198.51.100.1"] },
    next: { l2: "notOwner", ips: ["198.51.100.2"] },
    want: [{ type: "withdrawn", service: "ns/web", protocol: "layer2", ips: ["198.51.100.1"], reason: "loadBalancerIPChanged" }],
  },
  { desc: "IP order changed: the same set, no event", prev: { bgp: true, ips: ["203.0.113.1", "2001:db8::1"] }, next: { bgp: true, ips: ["2001:db8::1", "203.0.113.1"] }, want: [] },
  {
    desc: "Service deleted while announced on both protocols",
    prev: { l2: true, bgp: true },
    next: { l2: "serviceDeleted", bgp: "serviceDeleted", ips: [] },
    want: [
      { type: "withdrawn", service: "ns/web", protocol: "layer2", ips: ["198.51.100.1"], reason: "serviceDeleted" },
      { type: "withdrawn", service: "ns/web", protocol: "bgp", ips: ["198.51.100.1"], reason: "serviceDeleted" },
    ],
  },
];

describe("diffDecisions", () => {
  test.each(rows)("$desc", ({ prev, next, want }) => {
    expect(diffDecisions(prev === undefined ? undefined : decision(prev), decision(next))).toEqual(want);
  });
});
