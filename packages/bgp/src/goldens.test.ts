// Decodes every golden message captured from BIRD, GoBGP, FRR and ExaBGP
// (testdata/goldens.ts, with their provenance) and checks what each carries;
// every golden also obeys the re-encode law. The corpus must not be empty and
// must cover all four daemons: a glob that matches nothing proves nothing.
import { describe, expect, test } from "vitest";
import { codecContext } from "./context.ts";
import { endOfRibFamily } from "./end-of-rib.ts";
import { decodeMessage, encodeMessage } from "./message.ts";
import { goldens } from "./testdata/goldens.ts";
import type { UpdateMessage } from "./update.ts";

const four = codecContext({ fourOctetAs: true, extendedMessage: false });
const two = codecContext({ fourOctetAs: false, extendedMessage: false });
const ctxFor = (description: string) => (/session: 2-octet/.test(description) ? two : four);

describe("golden messages from real daemons", () => {
  test("the corpus is not empty and covers BIRD, GoBGP, FRR and ExaBGP", () => {
    expect(goldens.length).toBeGreaterThan(20);
    const daemons = new Set(goldens.map((g) => g.name.split("/")[0]));
    expect([...daemons].sort()).toEqual(["bird", "exabgp", "frr", "gobgp"]);
    for (const g of goldens) expect(g.from).toMatch(/^(BIRD|GoBGP|FRR|ExaBGP) \d/);
  });

  test.each(goldens.map((g) => [g.name, g] as const))("%s decodes cleanly and round-trips", (name, g) => {
    const ctx = ctxFor(g.description);
    const bytes = new Uint8Array(Buffer.from(g.hex, "hex"));
    const d = decodeMessage(bytes, ctx);
    expect(d.remedy, d.errors.map((e) => e.message).join("; ")).toBeUndefined();
    expect(d.message.type).toBe(g.type);
    expect(decodeMessage(encodeMessage(d.message, ctx), ctx).message).toEqual(d.message);
    const kind = name.split("/")[1] as string;
    const m = d.message;
    if (m.type === "open") {
      expect(m.version).toBe(4);
      expect(m.capabilities.some((c) => c.type === "multiprotocol")).toBe(true);
      if (kind === "open-4octet-as") {
        expect(m.myAs).toBe(23456); // AS_TRANS (RFC 6793)
        expect(m.capabilities.find((c) => c.type === "four-octet-as")).toMatchObject({ as: expect.any(Number) });
      }
    } else if (m.type === "notification") {
      const [code, subcode] = kind.replace("notification-", "").split("-").map(Number);
      expect([m.code, m.subcode]).toEqual([code, subcode]);
    } else if (m.type === "update") {
      checkUpdate(kind, m);
    }
  });
});

function checkUpdate(kind: string, u: UpdateMessage): void {
  const types = u.attributes.map((a) => a.type);
  switch (kind) {
    case "announce-ipv4":
      expect(u.nlri.length).toBeGreaterThan(0);
      expect(types).toEqual(expect.arrayContaining(["origin", "as-path", "next-hop"]));
      return;
    case "announce-ipv6": {
      const mp = u.attributes.find((a) => a.type === "mp-reach");
      expect(mp?.type === "mp-reach" && mp.afi === 2 && mp.nlri.length > 0).toBe(true);
      expect(types).toEqual(expect.arrayContaining(["origin", "as-path"]));
      return;
    }
    case "withdraw-ipv4":
      expect(u.withdrawn.length).toBeGreaterThan(0);
      return;
    case "withdraw-ipv6": {
      const mp = u.attributes.find((a) => a.type === "mp-unreach");
      expect(mp?.type === "mp-unreach" && mp.withdrawn.length > 0).toBe(true);
      return;
    }
    case "eor-ipv4":
      expect(endOfRibFamily(u)).toEqual({ afi: 1, safi: 1 });
      return;
    case "eor-ipv6":
      expect(endOfRibFamily(u)).toEqual({ afi: 2, safi: 1 });
      return;
    default:
      throw new Error(`golden kind ${kind} has no check; add one`);
  }
}
