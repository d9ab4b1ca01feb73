import { describe, expect, test } from "vitest";
import { parseIp, parsePrefix } from "@ironlb/core/ip";
import type { PathAttribute } from "../attributes/types.ts";
import { endOfRib } from "../end-of-rib.ts";
import type { UpdateMessage } from "../update.ts";
import { RibIn } from "./receive.ts";

const base: PathAttribute[] = [
  { type: "origin", origin: 0 },
  { type: "as-path", segments: [{ type: "sequence", asns: [64513] }] },
  { type: "next-hop", address: parseIp("10.0.0.2") },
];
const announce = (...p: string[]): UpdateMessage => ({ type: "update", withdrawn: [], attributes: base, nlri: p.map(parsePrefix) });
const v6 = (...p: string[]): UpdateMessage => ({
  type: "update",
  withdrawn: [],
  attributes: [{ type: "mp-reach", afi: 2, safi: 1, nextHop: parseIp("2001:db8::2"), nlri: p.map(parsePrefix) }, ...base.slice(0, 2)],
  nlri: [],
});

describe("RibIn (received routes, counted not used)", () => {
  test("announce, withdraw, End-of-RIB", () => {
    const rib = new RibIn();
    expect(rib.apply(announce("10.1.0.0/24", "10.2.0.0/24"), undefined, true)).toMatchObject({ announced: 2, remedy: undefined });
    rib.apply(v6("2001:db8:1::/48"), undefined, true);
    expect([rib.count("ipv4"), rib.count("ipv6")]).toEqual([2, 1]);
    rib.apply({ type: "update", withdrawn: [parsePrefix("10.1.0.0/24")], attributes: [], nlri: [] }, undefined, true);
    expect(rib.count("ipv4")).toBe(1);
    expect(rib.apply(endOfRib("ipv6"), undefined, true).endOfRib).toBe("ipv6");
  });

  test("treat-as-withdraw removes the UPDATE's prefixes instead of adding them (RFC 7606 §2)", () => {
    const rib = new RibIn();
    rib.apply(announce("10.1.0.0/24"), undefined, true);
    rib.apply(announce("10.1.0.0/24", "10.9.0.0/24"), "treat-as-withdraw", true);
    expect(rib.count("ipv4")).toBe(0);
  });

  test("afisafi-disable drops the family and ignores it from then on (RFC 4760 §7)", () => {
    const rib = new RibIn();
    rib.apply(v6("2001:db8:1::/48"), undefined, true);
    expect(rib.apply(v6("2001:db8:2::/48"), "afisafi-disable", true).disabled).toBe("ipv6");
    rib.apply(v6("2001:db8:3::/48"), undefined, true);
    expect(rib.count("ipv6")).toBe(0);
    expect(rib.disabled).toEqual(["ipv6"]);
  });

  test("peer-dependent rules: LOCAL_PREF from eBGP is discarded, confederation segments from eBGP withdraw (RFC 7606 §7.5, §7.2)", () => {
    const rib = new RibIn();
    const lp: UpdateMessage = { ...announce("10.1.0.0/24"), attributes: [...base, { type: "local-pref", value: 100 }] };
    expect(rib.apply(lp, undefined, true).remedy).toBe("attribute-discard");
    expect(rib.apply(lp, undefined, false).remedy).toBeUndefined();
    const confed: UpdateMessage = { ...announce("10.3.0.0/24"), attributes: [base[0] as PathAttribute, { type: "as-path", segments: [{ type: "confed-sequence", asns: [1] }] }, base[2] as PathAttribute] };
    expect(rib.apply(confed, undefined, true).remedy).toBe("treat-as-withdraw");
    expect(rib.count("ipv4")).toBe(1);
  });
});
