// Facts about network interfaces, read from /sys/class/net and
// os.networkInterfaces() (no syscalls needed): index, MAC, flags, master and
// IPv6 link-local address. This is what MetalLB's announcer looks at to pick
// the interfaces it answers on (reference §3.1).
//
// /sys/class/net shows the network namespace sysfs was mounted in; `ip netns
// exec` remounts it, so a process started that way sees its namespace.
//
// Deliberately not here: netlink, change notifications (callers rescan),
// addresses other than the IPv6 link-local one.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { basename } from "node:path";
import { RawsockError } from "./errors.ts";

const SYS_NET = "/sys/class/net";

// include/uapi/linux/if.h: these bits are ABI and the same on every architecture.
export const InterfaceFlag = {
  Up: 0x1,
  Broadcast: 0x2,
  Loopback: 0x8,
  PointToPoint: 0x10,
  NoArp: 0x80,
  Multicast: 0x1000,
} as const;

export interface InterfaceFlags {
  readonly up: boolean;
  readonly broadcast: boolean;
  readonly loopback: boolean;
  readonly pointToPoint: boolean;
  readonly noArp: boolean;
  readonly multicast: boolean;
  /** IFF_RUNNING as `ip link` shows it: administratively up with operstate up or unknown. */
  readonly running: boolean;
}

export interface InterfaceFacts {
  readonly name: string;
  readonly index: number;
  /** Lower-case "aa:bb:cc:dd:ee:ff"; undefined when the link has no 6-byte address. */
  readonly mac: string | undefined;
  readonly flags: InterfaceFlags;
  readonly mtu: number;
  /** The bridge or bond this interface is enslaved to. */
  readonly master: string | undefined;
  /** The first fe80::/10 address, if any (without zone). */
  readonly ipv6LinkLocal: string | undefined;
}

/** Validates an interface name (IFNAMSIZ - 1, no path separators). */
export function checkInterfaceName(name: string): void {
  if (typeof name !== "string" || !/^[^/\s\0:]{1,15}$/.test(name) || name === "." || name === "..") {
    throw new RawsockError("RAWSOCK_INVALID_ARGUMENT", `"${String(name)}" is not a valid interface name`);
  }
}

/** The interface's ifindex; RAWSOCK_ENODEV when it does not exist. */
export function interfaceIndex(name: string): number {
  checkInterfaceName(name);
  const text = readSys(name, "ifindex");
  if (text === undefined) throw new RawsockError("RAWSOCK_ENODEV", `no such interface "${name}"`);
  return Number(text);
}

/** Facts for one interface; RAWSOCK_ENODEV when it does not exist. */
export function interfaceFacts(name: string): InterfaceFacts {
  checkInterfaceName(name);
  const facts = read(name, linkLocals());
  if (facts === undefined) throw new RawsockError("RAWSOCK_ENODEV", `no such interface "${name}"`);
  return facts;
}

/** Facts for every interface in this network namespace, by name. */
export function listInterfaces(): InterfaceFacts[] {
  const ll = linkLocals();
  const out: InterfaceFacts[] = [];
  for (const name of readdirSync(SYS_NET).sort()) {
    const facts = read(name, ll);
    if (facts !== undefined) out.push(facts);
  }
  return out;
}

function read(name: string, ll: Map<string, string>): InterfaceFacts | undefined {
  const ifindex = readSys(name, "ifindex");
  const flagsText = readSys(name, "flags");
  // Entries such as bonding_masters are files, not interfaces; an interface
  // can also vanish between readdir and read.
  if (ifindex === undefined || flagsText === undefined) return undefined;
  const bits = parseInt(flagsText, 16);
  const operstate = readSys(name, "operstate") ?? "unknown";
  const up = (bits & InterfaceFlag.Up) !== 0;
  const address = readSys(name, "address");
  let master: string | undefined;
  try {
    master = basename(readlinkSync(`${SYS_NET}/${name}/master`));
  } catch {
    master = undefined;
  }
  return {
    name,
    index: Number(ifindex),
    mac: address !== undefined && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(address) ? address : undefined,
    flags: {
      up,
      broadcast: (bits & InterfaceFlag.Broadcast) !== 0,
      loopback: (bits & InterfaceFlag.Loopback) !== 0,
      pointToPoint: (bits & InterfaceFlag.PointToPoint) !== 0,
      noArp: (bits & InterfaceFlag.NoArp) !== 0,
      multicast: (bits & InterfaceFlag.Multicast) !== 0,
      // dev_get_flags(): IFF_RUNNING follows netif_oper_up(), i.e. operstate up or unknown.
      running: up && (operstate === "up" || operstate === "unknown"),
    },
    mtu: Number(readSys(name, "mtu") ?? 0),
    master,
    ipv6LinkLocal: ll.get(name),
  };
}

function readSys(name: string, attr: string): string | undefined {
  try {
    return readFileSync(`${SYS_NET}/${name}/${attr}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

function linkLocals(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      // os.networkInterfaces reports family as "IPv6" (Node >= 18.4).
      if (a.family === "IPv6" && /^fe[89ab][0-9a-f]:/i.test(a.address) && !out.has(name)) {
        out.set(name, a.address.split("%")[0] as string);
      }
    }
  }
  return out;
}
