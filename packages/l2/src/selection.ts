// Which interfaces layer 2 answers on, as MetalLB's announcer decides
// (reference §3.1, internal/layer2/announcer.go): skip interfaces matching the
// exclude patterns, down, enslaved to a bridge or bond, or flagged NOARP; answer
// ARP on interfaces with the BROADCAST flag and NDP on interfaces that have an
// IPv6 link-local address. Pure: the facts come from @ironlb/rawsock's
// listInterfaces() through the caller.
//
// Deliberately not here: per-IP interface lists (the announcer intersects
// them with this selection), rescheduling.
import type { InterfaceFacts } from "@ironlb/rawsock";

/** MetalLB's default `metallb-excludel2` ConfigMap, `announcedInterfacesToExclude`. */
export const DEFAULT_EXCLUDED_INTERFACES: readonly RegExp[] = [
  /^docker.*/,
  /^cbr.*/,
  /^dummy.*/,
  /^virbr.*/,
  /^lxcbr.*/,
  /^veth.*/,
  /^lo$/,
  /^cali.*/,
  /^tunl.*/,
  /^flannel.*/,
  /^kube-ipvs.*/,
  /^cni.*/,
  /^nodelocaldns.*/,
  /^lxc.*/,
];

export type SkipReason = "excluded" | "down" | "enslaved" | "no-arp" | "no-mac";

export interface InterfaceSelection {
  readonly name: string;
  readonly index: number;
  readonly mac: string | undefined;
  /** Answer ARP here (BROADCAST flag). */
  readonly arp: boolean;
  /** Answer NDP here (has an IPv6 link-local address). */
  readonly ndp: boolean;
  readonly linkLocal: string | undefined;
  /** Why neither protocol runs here, when that is the case because of a rule. */
  readonly skipped: SkipReason | undefined;
}

export function selectInterfaces(facts: readonly InterfaceFacts[], exclude: readonly RegExp[] = DEFAULT_EXCLUDED_INTERFACES): InterfaceSelection[] {
  return facts.map((f) => {
    const skipped = skipReason(f, exclude);
    const usable = skipped === undefined;
    return {
      name: f.name,
      index: f.index,
      mac: f.mac,
      arp: usable && f.flags.broadcast,
      ndp: usable && f.ipv6LinkLocal !== undefined,
      linkLocal: f.ipv6LinkLocal,
      skipped,
    };
  });
}

function skipReason(f: InterfaceFacts, exclude: readonly RegExp[]): SkipReason | undefined {
  if (exclude.some((re) => re.test(f.name))) return "excluded";
  if (!f.flags.up) return "down";
  if (f.master !== undefined) return "enslaved";
  if (f.flags.noArp) return "no-arp";
  // Frames need a source MAC; tunnels and the like have none.
  if (f.mac === undefined) return "no-mac";
  return undefined;
}
