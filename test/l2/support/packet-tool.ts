// A test driver for @ironlb/rawsock's packet connection, run inside a network
// namespace: `packet-tool IFNAME ETHERTYPE [--ndp-filter]` opens the
// connection and prints JSON lines ({"event":"ready"}, {"event":"frame",
// packetType, ifindex, hex}, {"event":"error", code, fatal}); it takes JSON
// commands on stdin: {"op":"send","hex"}, {"op":"join"|"leave","mac","group"?},
// {"op":"close"}. After "close" it releases stdin and does not call
// process.exit: the process ends only if close() really released the socket
// and its poll handle.
import { createInterface } from "node:readline";
import { NDP_FILTER } from "@ironlb/l2";
import type { RawsockError } from "@ironlb/rawsock";
import { openPacketConn } from "@ironlb/rawsock";

const [ifname = "", ethertypeText = "0x0806", ...flags] = process.argv.slice(2);
const print = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));

let conn;
try {
  conn = openPacketConn(ifname, Number(ethertypeText), { filter: flags.includes("--ndp-filter") ? NDP_FILTER : undefined });
} catch (err) {
  const e = err as RawsockError;
  print({ event: "error", code: e.code, message: e.message, fatal: true });
  process.exit(2);
}
const c = conn;
c.onFrame((f) => print({ event: "frame", packetType: f.packetType, ifindex: f.ifindex, hex: Buffer.from(f.data).toString("hex") }));
c.onError((e, fatal) => print({ event: "error", code: e.code, message: e.message, fatal }));
print({ event: "ready", ifindex: c.ifindex });

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = JSON.parse(line) as { op: string; hex?: string; mac?: string; group?: string };
  try {
    if (cmd.op === "send") c.send(bytes(cmd.hex ?? ""));
    else if (cmd.op === "join") c.addMembership(bytes(cmd.mac ?? ""), cmd.group === undefined ? undefined : bytes(cmd.group));
    else if (cmd.op === "leave") c.dropMembership(bytes(cmd.mac ?? ""), cmd.group === undefined ? undefined : bytes(cmd.group));
    else if (cmd.op === "close") {
      c.close();
      rl.close();
      process.stdin.destroy();
      print({ event: "closed", stats: c.stats() });
      return;
    }
    print({ event: "done", op: cmd.op });
  } catch (err) {
    const e = err as RawsockError;
    print({ event: "failed", op: cmd.op, code: e.code, message: e.message });
  }
});
