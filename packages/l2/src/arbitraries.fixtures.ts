// fast-check generators for the codec values, shared by the law and fuzz tests.
import { ip, type IpAddress } from "@ironlb/core/ip";
import fc from "fast-check";
import type { ArpPacket } from "./arp.ts";
import type { EthernetFrame } from "./ethernet.ts";
import type { Ipv6Packet } from "./ipv6.ts";
import { macFromBytes, type Mac } from "./mac.ts";
import type { Icmpv6Message, NdpOption } from "./ndp.ts";

export const arbMac: fc.Arbitrary<Mac> = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));
export const arbV4: fc.Arbitrary<IpAddress> = fc.bigInt({ min: 0n, max: 0xffff_ffffn }).map((v) => ip("ipv4", v));
export const arbV6: fc.Arbitrary<IpAddress> = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => ip("ipv6", v));
const arbBytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

export const arbEthernet: fc.Arbitrary<EthernetFrame> = fc.record(
  {
    destination: arbMac,
    source: arbMac,
    vlan: fc.option(fc.record({ priority: fc.integer({ min: 0, max: 7 }), dropEligible: fc.boolean(), id: fc.integer({ min: 0, max: 4095 }) }), { nil: undefined }),
    // 0x8100 as the (inner) EtherType would be read back as a second tag.
    etherType: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== 0x8100),
    payload: arbBytes(80),
  },
  { requiredKeys: ["destination", "source", "etherType", "payload"] },
);

export const arbArp: fc.Arbitrary<ArpPacket> = fc.record({
  operation: fc.integer({ min: 0, max: 0xffff }),
  senderMac: arbMac,
  senderIp: arbV4,
  targetMac: arbMac,
  targetIp: arbV4,
});

export const arbIpv6: fc.Arbitrary<Ipv6Packet> = fc.record({
  trafficClass: fc.integer({ min: 0, max: 0xff }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: fc.integer({ min: 0, max: 0xff }),
  hopLimit: fc.integer({ min: 0, max: 0xff }),
  source: arbV6,
  destination: arbV6,
  payload: arbBytes(120),
});

export const arbOption: fc.Arbitrary<NdpOption> = fc.oneof(
  fc.record({ type: fc.constant("source-lla" as const), mac: arbMac }),
  fc.record({ type: fc.constant("target-lla" as const), mac: arbMac }),
  fc
    .record({ optionType: fc.integer({ min: 0, max: 0xff }), units: fc.integer({ min: 1, max: 4 }) })
    .chain(({ optionType, units }) =>
      fc.uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 }).map((data) => ({ type: "unknown" as const, optionType, data })),
    )
    // A 6-byte link-layer option decodes as the typed variant, not as unknown.
    .filter((o) => !((o.optionType === 1 || o.optionType === 2) && o.data.length === 6)),
);

export const arbIcmpv6: fc.Arbitrary<Icmpv6Message> = fc.oneof(
  fc.record({ type: fc.constant("neighbor-solicitation" as const), target: arbV6, options: fc.array(arbOption, { maxLength: 4 }) }),
  fc.record({
    type: fc.constant("neighbor-advertisement" as const),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    target: arbV6,
    options: fc.array(arbOption, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant("unknown" as const),
    icmpType: fc.integer({ min: 0, max: 0xff }).filter((t) => t !== 135 && t !== 136),
    code: fc.integer({ min: 0, max: 0xff }),
    body: arbBytes(64),
  }),
);
