// One membership member in its own process, for the SIGKILL test: started by
// udp-cluster.test.ts with `--name N --secret HEX --seeds a:p,b:p`, it binds
// 127.0.0.1 on a free port, prints one JSON line {"ready": port} and then one
// line per membership event. SIGTERM means a graceful stop: leave, then exit
// (what the speaker does); SIGKILL is the crash under test.
import { parseArgs } from "node:util";
import type { Clock } from "@ironlb/kube";
import { createMembership } from "../../packages/speaker/src/membership/index.ts";

const { values } = parseArgs({ options: { name: { type: "string" }, secret: { type: "string" }, seeds: { type: "string", default: "" } } });
if (values.name === undefined || values.secret === undefined) throw new Error("usage: member-child --name N --secret HEX [--seeds a:p,b:p]");

const clock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

const ml = createMembership({ name: values.name, bind: { address: "127.0.0.1", port: 0 }, keys: [Buffer.from(values.secret, "hex")], clock });
for (const type of ["memberJoined", "memberAlive", "memberSuspect", "memberDead", "memberLeft", "packetRejected"] as const) {
  ml.on(type, (e) => console.log(JSON.stringify({ event: e })));
}
await ml.start();
console.log(JSON.stringify({ ready: ml.advertised?.port }));
if (values.seeds !== "") ml.join(values.seeds.split(","));
process.on("SIGTERM", () => {
  void ml
    .leave()
    .then(() => ml.stop())
    .then(() => process.exit(0));
});
