// End-of-RIB markers (RFC 4724 §2): an UPDATE with nothing in it for IPv4
// unicast; an UPDATE whose only attribute is an empty MP_UNREACH_NLRI for any
// other AFI/SAFI. Sent after the initial advertisement of each family so a
// peer (and a graceful-restart helper) knows the table is complete.
import type { IpFamily } from "@ironlb/core/ip";
import { Afi, Safi } from "./codes.ts";
import type { UpdateMessage } from "./update.ts";

export function endOfRib(family: IpFamily): UpdateMessage {
  if (family === "ipv4") return { type: "update", withdrawn: [], attributes: [], nlri: [] };
  return { type: "update", withdrawn: [], attributes: [{ type: "mp-unreach", afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [] }], nlri: [] };
}

/** The family an UPDATE marks as complete, or undefined if it is not an End-of-RIB. */
export function endOfRibFamily(u: UpdateMessage): { readonly afi: number; readonly safi: number } | undefined {
  if (u.withdrawn.length > 0 || u.nlri.length > 0) return undefined;
  if (u.attributes.length === 0) return { afi: Afi.Ipv4, safi: Safi.Unicast };
  if (u.attributes.length !== 1) return undefined;
  const a = u.attributes[0];
  if (a?.type === "mp-unreach" && a.withdrawn.length === 0) return { afi: a.afi, safi: a.safi };
  if (a?.type === "mp-unreach-other" && a.data.length === 0) return { afi: a.afi, safi: a.safi };
  return undefined;
}
