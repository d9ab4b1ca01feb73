// Golden BGP messages captured from real daemons: the bytes BIRD, GoBGP, FRR and
// ExaBGP put on the wire, for the codec's tests to decode (this file holds no decoder).
//
// Provenance: captured by scripts/regenerate-goldens.mjs from
//   BIRD 2.0.12, GoBGP 3.10.0, FRR 8.4.4, ExaBGP 4.2.21,
// each in its own network namespace on Debian 12 (x86_64), speaking to a capture peer built from
// hand-written raw bytes (AS 64999; OPEN with MP IPv4/IPv6 unicast, route refresh,
// graceful restart without address families, 4-octet AS). Messages are split by the
// length in the 19-byte header and kept verbatim; the first message of each kind per
// daemon is kept. `direction` is always daemon-to-speaker: these are what IronLB receives.
//
// Regenerate (as root, with the Debian packages of .ci/run):
//   npx tsc -b && node scripts/regenerate-goldens.mjs
// Generated file: edit the script, not this file.

export interface GoldenMessage {
  /** "<daemon>/<kind>", e.g. "bird/announce-ipv4", "frr/notification-6-2", "gobgp/open-2octet-as". */
  readonly name: string;
  /** The daemon and its exact version, e.g. "BIRD 2.0.12". */
  readonly from: string;
  readonly direction: "daemon-to-speaker";
  /** Message type from the header (byte 18), for selecting vectors. */
  readonly type: "open" | "update" | "notification" | "keepalive" | "route-refresh";
  /** What the message carries and the session it was captured on. */
  readonly description: string;
  /** The whole message, header included, lower-case hex. */
  readonly hex: string;
}

export const goldens: readonly GoldenMessage[] = [
  {
    name: "bird/open-4octet-as",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff004301045ba000090a6336012602240104000100010104000200010200400a00" +
      "7800010100000201004104fa56ea0146004700",
  },
  {
    name: "bird/keepalive",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "keepalive",
    description: "KEEPALIVE; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001304",
  },
  {
    name: "bird/announce-ipv4",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 198.51.100.10/32 with ORIGIN, AS_PATH, NEXT_HOP, MED 50, COMMUNITIES 64999:100 65535:666, LARGE_COMMUNITY 4200000001:1:2; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00510200000035400101004002060201fa56ea014003040a6336018004040000" +
      "0032c00808fde70064ffff029ac0200cfa56ea01000000010000000220c633640a",
  },
  {
    name: "bird/eor-ipv4",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv4 unicast (empty UPDATE, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff00170200000000",
  },
  {
    name: "bird/announce-ipv6",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 2001:db8::10/128 in MP_REACH_NLRI (IPv6 next hop: global, plus link-local when the daemon sends it); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff005e0200000047900e003600020120fd000099000000360000000000000001fe" +
      "8000000000000054d7f6fffece5101008020010db8000000000000000000000010400101004002060201fa56ea01",
  },
  {
    name: "bird/eor-ipv6",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv6 unicast (UPDATE with an empty MP_UNREACH_NLRI, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001d0200000006800f03000201",
  },
  {
    name: "bird/withdraw-ipv4",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 198.51.100.10/32 (withdrawn routes field); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001c02000520c633640a0000",
  },
  {
    name: "bird/withdraw-ipv6",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 2001:db8::10/128 (MP_UNREACH_NLRI); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff002f0200000018900f00140002018020010db8000000000000000000000010",
  },
  {
    name: "bird/notification-6-2",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Cease / Administrative Shutdown (RFC 4486), 47 bytes of data (RFC 9003 shutdown communication, asked for \"IronLB golden capture: administrative shutdown\"); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00440306022e49726f6e4c4220676f6c64656e20636170747572653a2061646d" +
      "696e6973747261746976652073687574646f776e",
  },
  {
    name: "bird/open-2octet-as",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex:
      "ffffffffffffffffffffffffffffffff00430104fc0000090a6337012602240104000100010104000200010200400a00" +
      "78000101000002010041040000fc0046004700",
  },
  {
    name: "bird/notification-4-0",
    from: "BIRD 2.0.12",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Hold Timer Expired (RFC 4271 §6.5), no data; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex: "ffffffffffffffffffffffffffffffff0015030400",
  },
  {
    name: "gobgp/open-4octet-as",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff004d01045ba000090a63380130022e0200490402766d00010400010001010400" +
      "0200014104fa56ea01400a007800010100000201000506000100010002",
  },
  {
    name: "gobgp/keepalive",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "keepalive",
    description: "KEEPALIVE; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001304",
  },
  {
    name: "gobgp/announce-ipv4",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 198.51.100.10/32 with ORIGIN, AS_PATH, NEXT_HOP, MED 50, COMMUNITIES 64999:100 65535:666, LARGE_COMMUNITY 4200000001:1:2; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00510200000035400101024002060201fa56ea014003040a6338018004040000" +
      "0032c00808fde70064ffff029ac0200cfa56ea01000000010000000220c633640a",
  },
  {
    name: "gobgp/eor-ipv4",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv4 unicast (empty UPDATE, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff00170200000000",
  },
  {
    name: "gobgp/announce-ipv6",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 2001:db8::10/128 in MP_REACH_NLRI (IPv6 next hop: global, plus link-local when the daemon sends it); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff004d0200000036400101024002060201fa56ea01800e2600020110fd00009900" +
      "0000380000000000000001008020010db8000000000000000000000010",
  },
  {
    name: "gobgp/eor-ipv6",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv6 unicast (UPDATE with an empty MP_UNREACH_NLRI, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001d0200000006800f03000201",
  },
  {
    name: "gobgp/withdraw-ipv4",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 198.51.100.10/32 (withdrawn routes field); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001c02000520c633640a0000",
  },
  {
    name: "gobgp/withdraw-ipv6",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 2001:db8::10/128 (MP_UNREACH_NLRI); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff002e0200000017800f140002018020010db8000000000000000000000010",
  },
  {
    name: "gobgp/notification-6-2",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Cease / Administrative Shutdown (RFC 4486), 47 bytes of data (RFC 9003 shutdown communication, asked for \"IronLB golden capture: administrative shutdown\"); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00440306022e49726f6e4c4220676f6c64656e20636170747572653a2061646d" +
      "696e6973747261746976652073687574646f776e",
  },
  {
    name: "gobgp/open-2octet-as",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex:
      "ffffffffffffffffffffffffffffffff004d0104fc0000090a63390130022e0200490402766d00010400010001010400" +
      "02000141040000fc00400a007800010100000201000506000100010002",
  },
  {
    name: "gobgp/notification-4-0",
    from: "GoBGP 3.10.0",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Hold Timer Expired (RFC 4271 §6.5), no data; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex: "ffffffffffffffffffffffffffffffff0015030400",
  },
  {
    name: "frr/open-4octet-as",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff008501045ba000090a633a016802060104000100010206010400020001020280" +
      "00020202000202460002064104fa56ea0102020600020a45080001010100020101021249100e69726f6e6c622d6c6162" +
      "2d66727200020c400ac07800010100000201000210470e0001018000000000020180000000",
  },
  {
    name: "frr/keepalive",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "keepalive",
    description: "KEEPALIVE; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001304",
  },
  {
    name: "frr/announce-ipv4",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 198.51.100.10/32 with ORIGIN, AS_PATH, NEXT_HOP, MED 50, COMMUNITIES 64999:100 65535:666, LARGE_COMMUNITY 4200000001:1:2; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff0052020000003640010100500200060201fa56ea014003040a633a0180040400" +
      "000032c00808fde70064ffff029ac0200cfa56ea01000000010000000220c633640a",
  },
  {
    name: "frr/announce-ipv6",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 2001:db8::10/128 in MP_REACH_NLRI (IPv6 next hop: global, plus link-local when the daemon sends it); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff0066020000004f900e003600020120fd0000990000003a0000000000000001fe" +
      "80000000000000f8bfb3fffed1814f008020010db800000000000000000000001040010100500200060201fa56ea0180" +
      "040400000000",
  },
  {
    name: "frr/eor-ipv4",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv4 unicast (empty UPDATE, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff00170200000000",
  },
  {
    name: "frr/eor-ipv6",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv6 unicast (UPDATE with an empty MP_UNREACH_NLRI, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001d0200000006800f03000201",
  },
  {
    name: "frr/withdraw-ipv4",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 198.51.100.10/32 (withdrawn routes field); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001c02000520c633640a0000",
  },
  {
    name: "frr/withdraw-ipv6",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 2001:db8::10/128 (MP_UNREACH_NLRI); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff002f0200000018900f00140002018020010db8000000000000000000000010",
  },
  {
    name: "frr/notification-6-2",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Cease / Administrative Shutdown (RFC 4486), 47 bytes of data (RFC 9003 shutdown communication, asked for \"IronLB golden capture: administrative shutdown\"); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart on, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00440306022e49726f6e4c4220676f6c64656e20636170747572653a2061646d" +
      "696e6973747261746976652073687574646f776e",
  },
  {
    name: "frr/open-2octet-as",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex:
      "ffffffffffffffffffffffffffffffff00850104fc0000090a633b016802060104000100010206010400020001020280" +
      "000202020002024600020641040000fc0002020600020a45080001010100020101021249100e69726f6e6c622d6c6162" +
      "2d66727200020c400ac07800010100000201000210470e0001018000000000020180000000",
  },
  {
    name: "frr/notification-4-0",
    from: "FRR 8.4.4",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Hold Timer Expired (RFC 4271 §6.5), no data; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex: "ffffffffffffffffffffffffffffffff0015030400",
  },
  {
    name: "exabgp/open-4octet-as",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff004101045ba000090a633c012402060104000100010206010400020001020641" +
      "04fa56ea01020202000202460002020600",
  },
  {
    name: "exabgp/keepalive",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "keepalive",
    description: "KEEPALIVE; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001304",
  },
  {
    name: "exabgp/announce-ipv4",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 198.51.100.10/32 with ORIGIN, AS_PATH, NEXT_HOP, MED 50, COMMUNITIES 64999:100 65535:666, LARGE_COMMUNITY 4200000001:1:2; session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff00510200000035400101004002060201fa56ea014003040a633c018004040000" +
      "0032c00808fde70064ffff029ac0200cfa56ea01000000010000000220c633640a",
  },
  {
    name: "exabgp/announce-ipv6",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE announcing 2001:db8::10/128 in MP_REACH_NLRI (IPv6 next hop: global, plus link-local when the daemon sends it); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff004d0200000036400101004002060201fa56ea01800e2600020110fd00009900" +
      "00003c0000000000000001008020010db8000000000000000000000010",
  },
  {
    name: "exabgp/eor-ipv4",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv4 unicast (empty UPDATE, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff00170200000000",
  },
  {
    name: "exabgp/eor-ipv6",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "End-of-RIB for IPv6 unicast (UPDATE with an empty MP_UNREACH_NLRI, RFC 4724 §2); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001e0200000007900f0003000201",
  },
  {
    name: "exabgp/withdraw-ipv4",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 198.51.100.10/32 (withdrawn routes field); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff001c02000520c633640a0000",
  },
  {
    name: "exabgp/withdraw-ipv6",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "update",
    description: "UPDATE withdrawing 2001:db8::10/128 (MP_UNREACH_NLRI); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex:
      "ffffffffffffffffffffffffffffffff003b0200000024400101004002060201fa56ea01800f140002018020010db800" +
      "0000000000000000000010",
  },
  {
    name: "exabgp/notification-6-2",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Cease / Administrative Shutdown (RFC 4486), 24 bytes of data (RFC 9003 shutdown communication, ExaBGP's own text); session: 4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart off, passive, hold 9",
    hex: "ffffffffffffffffffffffffffffffff002d0306021741646d696e6973747261746976652053687574646f776e",
  },
  {
    name: "exabgp/open-2octet-as",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "open",
    description: "OPEN; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex:
      "ffffffffffffffffffffffffffffffff00410104fc0000090a633d012402060104000100010206010400020001020641" +
      "040000fc00020202000202460002020600",
  },
  {
    name: "exabgp/notification-4-0",
    from: "ExaBGP 4.2.21",
    direction: "daemon-to-speaker",
    type: "notification",
    description: "NOTIFICATION Hold Timer Expired (RFC 4271 §6.5), no data; session: 2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE",
    hex: "ffffffffffffffffffffffffffffffff0015030400",
  },
];
