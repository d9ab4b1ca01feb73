// Golden frames captured with `tcpdump -xx -e` on a veth between two network
// namespaces on Debian 12 (Linux 6.x, iputils-arping 20221126, iputils-ping),
// 2026-11-25. MACs were set to 02:00:00:00:aa:01 (A) and 02:00:00:00:bb:02 (B);
// A held 10.99.250.1 and fd00:99:0:fa::1, B 10.99.250.2 and fd00:99:0:fa::2.
// Regenerate by repeating the commands named on each entry.

/** `arping -I B 10.99.250.1` from B: ARP request, not padded (veth). */
export const ARP_REQUEST_ARPING = "ffffffffffff 02000000bb02 0806 0001 0800 06 04 0001 02000000bb02 0a63fa02 ffffffffffff 0a63fa01";

/** The kernel of A answering it: ARP reply, unicast to B. */
export const ARP_REPLY_KERNEL = "02000000bb02 02000000aa01 0806 0001 0800 06 04 0002 02000000aa01 0a63fa01 02000000bb02 0a63fa02";

/** `arping -U` from B: gratuitous ARP request, sender = target = 10.99.250.2, target MAC broadcast. */
export const ARP_GRATUITOUS_REQUEST_ARPING = "ffffffffffff 02000000bb02 0806 0001 0800 06 04 0001 02000000bb02 0a63fa02 ffffffffffff 0a63fa02";

/** `arping -A` from B: gratuitous ARP reply, broadcast. */
export const ARP_GRATUITOUS_REPLY_ARPING = "ffffffffffff 02000000bb02 0806 0001 0800 06 04 0002 02000000bb02 0a63fa02 02000000bb02 0a63fa02";

/** `arping -D` from B: ARP probe (RFC 5227), sender IP 0.0.0.0. */
export const ARP_PROBE_ARPING = "ffffffffffff 02000000bb02 0806 0001 0800 06 04 0001 02000000bb02 00000000 ffffffffffff 0a63fa09";

/** `ping -6 fd00:99:0:fa::1` from B: the kernel's multicast NS with a source link-layer option. */
export const NS_KERNEL =
  "3333ff000001 02000000bb02 86dd" +
  "6000 0000 0020 3a ff fd000099000000fa0000000000000002 ff0200000000000000000001ff000001" +
  "87 00 bf70 00000000 fd000099000000fa0000000000000001 01 01 02000000bb02";

/** A's kernel answering it: solicited NA, S=1 O=1, target link-layer option. */
export const NA_KERNEL =
  "02000000bb02 02000000aa01 86dd" +
  "6000 0000 0020 3a ff fd000099000000fa0000000000000001 fd000099000000fa0000000000000002" +
  "88 00 6de2 60000000 fd000099000000fa0000000000000001 02 01 02000000aa01";

/** `ip addr add fd00:99:0:fa::2/64` on B with DAD on: DAD NS from ::, with a Nonce option (RFC 7527, type 14). */
export const NS_DAD_KERNEL =
  "3333ff000002 02000000bb02 86dd" +
  "6000 0000 0020 3a ff 00000000000000000000000000000000 ff0200000000000000000001ff000002" +
  "87 00 0ad7 00000000 fd000099000000fa0000000000000002 0e 01 73120b37e4e6";

/** The ICMPv6 echo request of that ping: not NDP, and a non-zero flow label. */
export const ECHO_REQUEST_KERNEL =
  "02000000aa01 02000000bb02 86dd" +
  "600f810c 0040 3a 40 fd000099000000fa0000000000000002 fd000099000000fa0000000000000001" +
  "8000791c170a0001a2af066b000000008a450000000000001011121314151617" +
  "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
