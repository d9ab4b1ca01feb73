// Accounting for what the peer sends us (Adj-RIB-In, RFC 4271 §3.2): this
// speaker only originates routes, so received routes are parsed, checked and
// counted, never used. RFC 7606 remedies apply here: treat-as-withdraw
// removes the UPDATE's prefixes, afisafi-disable ignores the family from then
// on (RFC 4760 §7), attribute-discard changes nothing we keep.
//
// Peer-dependent checks the codec cannot make: LOCAL_PREF from an external
// peer is discarded (RFC 7606 §7.5); confederation segments from an external
// peer make the path malformed (RFC 7606 §7.2, RFC 5065) -> treat-as-withdraw.
import { type IpFamily, type Prefix } from "@ironlb/core/ip";
import { unicastFamily } from "../attributes/mp-reach.ts";
import { endOfRibFamily } from "../end-of-rib.ts";
import { type Remedy, strongerRemedy } from "../errors.ts";
import type { UpdateMessage } from "../update.ts";

export interface ReceiveOutcome {
  readonly remedy: Remedy | undefined;
  readonly endOfRib: IpFamily | undefined;
  readonly disabled: IpFamily | undefined;
  readonly announced: number;
  readonly withdrawn: number;
}

const keyOf = (p: Prefix) => `${p.network}/${p.length}`;

export class RibIn {
  readonly #routes: Record<IpFamily, Set<string>> = { ipv4: new Set(), ipv6: new Set() };
  readonly #disabled = new Set<IpFamily>();

  count(family: IpFamily): number {
    return this.#routes[family].size;
  }

  get disabled(): readonly IpFamily[] {
    return [...this.#disabled];
  }

  clear(): void {
    this.#routes.ipv4.clear();
    this.#routes.ipv6.clear();
    this.#disabled.clear();
  }

  apply(u: UpdateMessage, codecRemedy: Remedy | undefined, external: boolean): ReceiveOutcome {
    let remedy = codecRemedy;
    if (external) {
      for (const a of u.attributes) {
        if (a.type === "local-pref") remedy = strongerRemedy(remedy, "attribute-discard");
        if (a.type === "as-path" && a.segments.some((s) => s.type === "confed-sequence" || s.type === "confed-set")) {
          remedy = strongerRemedy(remedy, "treat-as-withdraw");
        }
      }
    }
    const eor = endOfRibFamily(u);
    const endOfRib = eor === undefined ? undefined : unicastFamily(eor.afi, eor.safi);
    let disabled: IpFamily | undefined;
    let announced = 0;
    let withdrawn = 0;
    const add = (family: IpFamily, ps: readonly Prefix[]) => {
      if (this.#disabled.has(family)) return;
      for (const p of ps) this.#routes[family].add(keyOf(p));
      announced += ps.length;
    };
    const del = (family: IpFamily, ps: readonly Prefix[]) => {
      for (const p of ps) this.#routes[family].delete(keyOf(p));
      withdrawn += ps.length;
    };
    del("ipv4", u.withdrawn);
    for (const a of u.attributes) {
      if (a.type === "mp-unreach") {
        const f = unicastFamily(a.afi, a.safi);
        if (f !== undefined) del(f, a.withdrawn);
      }
    }
    const reach: [IpFamily, readonly Prefix[]][] = [["ipv4", u.nlri]];
    for (const a of u.attributes) {
      if (a.type !== "mp-reach") continue;
      const f = unicastFamily(a.afi, a.safi);
      if (f !== undefined) reach.push([f, a.nlri]);
    }
    if (remedy === "afisafi-disable") {
      // RFC 4760 §7 / RFC 7606 §5.3: the family whose MP attribute was malformed.
      const mp = u.attributes.find((a) => a.type === "mp-reach" || a.type === "mp-unreach");
      disabled = mp === undefined ? "ipv6" : (unicastFamily(mp.afi, mp.safi) ?? "ipv6");
      this.#disabled.add(disabled);
      this.#routes[disabled].clear();
    }
    for (const [family, ps] of reach) {
      // RFC 7606 §2: treat-as-withdraw handles the UPDATE's routes as withdrawn.
      if (remedy === "treat-as-withdraw" || remedy === "afisafi-disable") del(family, ps);
      else add(family, ps);
    }
    return { remedy, endOfRib, disabled, announced, withdrawn };
  }
}
