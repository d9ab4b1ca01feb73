#!/usr/bin/env node
// Re-captures the golden BGP messages in packages/bgp/src/testdata/goldens.ts
// from the real daemons. A maintenance tool, not a test: run it as root on a
// machine with the Debian packages of .ci/run, after `npx tsc -b` (it uses the
// compiled lab harness, "#testlib/..."):
//
//   npx tsc -b && node scripts/regenerate-goldens.mjs [--out FILE] [--only bird,gobgp,frr,exabgp]
//
// For each daemon, two runs in fresh network namespaces:
//   1. daemon AS 4200000001 (so it must use AS_TRANS and the 4-octet AS
//      capability), originating an IPv4 route with communities, large
//      communities and MED and an IPv6 route: capture its OPEN, KEEPALIVE,
//      UPDATEs and both End-of-RIBs, then make it withdraw both routes, then
//      shut the session down administratively with an RFC 9003 message.
//   2. daemon AS 64512 (2-octet): capture its OPEN, then stop sending
//      KEEPALIVEs with a 3 s hold time until it sends Hold Timer Expired.
// The other side of each session is this script itself, run again inside the
// capture namespace with --peer: a few lines of raw bytes written here (not
// the project's codec) send an OPEN and KEEPALIVEs and record every byte the
// daemon sends, split into messages by the length in the 19-byte header. Only
// enough of each message is read to label it (type, attribute type codes).
import { writeFileSync } from "node:fs";
import net from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const ourAs = 64999;

// ---------------------------------------------------------------- capture peer

/** Runs inside the capture namespace: connect, OPEN, KEEPALIVEs, print every received message as a JSON line. */
async function peer([remote, local, holdText, keepaliveMode]) {
  const hold = Number(holdText);
  const socket = net.createConnection({ host: remote, port: 179, localAddress: local });
  let buf = Buffer.alloc(0);
  let timer;
  socket.on("connect", () => socket.write(openMessage(local, hold)));
  socket.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 19) {
      const len = buf.readUInt16BE(16);
      if (len < 19 || buf.length < len) break;
      const msg = buf.subarray(0, len);
      buf = buf.subarray(len);
      process.stdout.write(`${JSON.stringify({ type: msg[18], hex: msg.toString("hex") })}\n`);
      if (msg[18] === 1) {
        socket.write(keepaliveMessage());
        // "none": answer the OPEN and then fall silent, so the daemon's hold timer expires.
        if (keepaliveMode !== "none") timer = setInterval(() => socket.write(keepaliveMessage()), 1000);
      }
    }
  });
  socket.on("error", (e) => process.stderr.write(`peer: ${e.message}\n`));
  socket.on("close", () => {
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ closed: true })}\n`);
  });
  createInterface({ input: process.stdin }).on("close", () => {
    socket.destroy();
    process.exit(0);
  });
}

function header(type, body) {
  const out = Buffer.alloc(19 + body.length, 0xff);
  out.writeUInt16BE(19 + body.length, 16);
  out[18] = type;
  body.copy(out, 19);
  return out;
}

function keepaliveMessage() {
  return header(4, Buffer.alloc(0));
}

function openMessage(bgpId, hold) {
  const caps = Buffer.from([
    // Multiprotocol IPv4 unicast and IPv6 unicast (RFC 4760)
    0x01, 0x04, 0x00, 0x01, 0x00, 0x01,
    0x01, 0x04, 0x00, 0x02, 0x00, 0x01,
    // Route refresh (RFC 2918)
    0x02, 0x00,
    // Graceful restart, restart time 120, no address families (RFC 4724): daemons then send End-of-RIB
    0x40, 0x02, 0x00, 0x78,
    // 4-octet AS (RFC 6793)
    0x41, 0x04, (ourAs >>> 24) & 0xff, (ourAs >>> 16) & 0xff, (ourAs >>> 8) & 0xff, ourAs & 0xff,
  ]);
  const body = Buffer.alloc(10 + 2 + caps.length);
  body[0] = 4; // version
  body.writeUInt16BE(ourAs, 1);
  body.writeUInt16BE(hold, 3);
  Buffer.from(bgpId.split(".").map(Number)).copy(body, 5);
  body[9] = 2 + caps.length; // optional parameters length
  body[10] = 2; // parameter type: capabilities
  body[11] = caps.length;
  caps.copy(body, 12);
  return header(1, body);
}

// ---------------------------------------------------------------- labelling

/** Reads just enough of an UPDATE to name it: withdrawn bytes, attribute type codes, NLRI bytes. */
function scanUpdate(msg) {
  const withdrawnLen = msg.readUInt16BE(19);
  const attrsAt = 21 + withdrawnLen;
  const attrsLen = msg.readUInt16BE(attrsAt);
  const attrs = new Map();
  for (let i = attrsAt + 2; i < attrsAt + 2 + attrsLen; ) {
    const flags = msg[i];
    const type = msg[i + 1];
    const extended = (flags & 0x10) !== 0;
    const len = extended ? msg.readUInt16BE(i + 2) : msg[i + 2];
    attrs.set(type, len);
    i += (extended ? 4 : 3) + len;
  }
  return { withdrawnLen, attrs, nlriLen: msg.length - attrsAt - 2 - attrsLen };
}

function label(hex) {
  const msg = Buffer.from(hex, "hex");
  const type = msg[18];
  if (type === 1) return { type: "open" };
  if (type === 4) return { type: "keepalive" };
  if (type === 5) return { type: "route-refresh" };
  if (type === 3) return { type: "notification", code: msg[19], subcode: msg[20] };
  const u = scanUpdate(msg);
  if (u.withdrawnLen === 0 && u.attrs.size === 0 && u.nlriLen === 0) return { type: "update", kind: "eor-ipv4" };
  if (u.attrs.size === 1 && u.attrs.get(15) === 3) return { type: "update", kind: "eor-ipv6" };
  if (u.attrs.has(15)) return { type: "update", kind: "withdraw-ipv6" };
  if (u.withdrawnLen > 0) return { type: "update", kind: "withdraw-ipv4" };
  if (u.attrs.has(14)) return { type: "update", kind: "announce-ipv6" };
  return { type: "update", kind: "announce-ipv4" };
}

// ---------------------------------------------------------------- orchestration

async function main(argv) {
  const { Lab } = await import("#testlib/netns");
  const { checkPrerequisites } = await import("#testlib/prereq");
  const { waitFor } = await import("#testlib/wait-for");
  const routers = await import("#testlib/routers/index");
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const out = opt("--out", fileURLToPath(new URL("../packages/bgp/src/testdata/goldens.ts", import.meta.url)));
  const only = opt("--only", "bird,gobgp,frr,exabgp").split(",");
  const binaries = only.flatMap((d) => [...routers[d].binaries]);
  const pre = checkPrerequisites({ root: true, binaries: ["ip", ...binaries] });
  if (!pre.ok) {
    console.error(`regenerate-goldens: ${pre.reason}`);
    process.exit(1);
  }

  const entries = [];
  for (const daemon of only) {
    for (const run of [fourOctetRun, twoOctetRun]) {
      const lab = new Lab({ tag: "goldens" });
      try {
        const got = await run(daemon, lab, routers, waitFor);
        entries.push(...got);
        console.error(`${daemon} ${run.name}: ${got.map((e) => e.name).join(", ")}`);
      } finally {
        await lab.cleanup();
      }
    }
  }
  writeFileSync(out, render(entries));
  console.error(`wrote ${entries.length} messages to ${out}`);
}

const routeV4 = { prefix: "198.51.100.10/32", communities: ["64999:100", "65535:666"], largeCommunities: ["4200000001:1:2"], med: 50 };
const routeV6 = { prefix: "2001:db8::10/128" };
const message = "IronLB golden capture: administrative shutdown";

async function setup(daemon, lab, routers, asn, routes) {
  const [dns, cns] = [await lab.namespace(daemon), await lab.namespace("capture")];
  const link = await lab.veth(dns, cns);
  const [d, c] = [link.a.host, link.b.host];
  // GoBGP and ExaBGP need an explicit IPv6 next hop on an IPv4 session; BIRD and FRR pick their own.
  const v6 = daemon === "gobgp" || daemon === "exabgp" ? { ...routeV6, nextHop: d.v6 } : routeV6;
  const config = {
    asn,
    routerId: d.v4,
    listen: { address: d.v4 },
    // Graceful restart on: BIRD, GoBGP and FRR send End-of-RIB only when it is negotiated.
    // Not for ExaBGP: with it negotiated, ExaBGP ends a session silently instead of with a Cease.
    neighbors: [{ address: c.v4, asn: ourAs, localAddress: d.v4, passive: true, holdTime: 9, gracefulRestart: daemon !== "exabgp" }],
    routes: routes ? [routeV4, v6] : [],
  };
  // FRR runs with zebra so it knows its interface addresses (its IPv6 next hop).
  const router = await routers[daemon].start(dns, config, ...(daemon === "frr" ? [{ zebra: true }] : []));
  return { router, cns, d, c };
}

function startPeer(cns, d, c, hold, keepalives) {
  const proc = cns.spawn(process.execPath, [self, "--peer", d.v4, c.v4, String(hold), keepalives], { stdin: true });
  const messages = () =>
    proc
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .filter((m) => m.hex !== undefined)
      .map((m) => ({ hex: m.hex, ...label(m.hex) }));
  return { proc, messages };
}

async function fourOctetRun(daemon, lab, routers, waitFor) {
  const { router, cns, d, c } = await setup(daemon, lab, routers, 4200000001, true);
  const from = await router.version();
  const { proc, messages } = startPeer(cns, d, c, 9, "every-second");
  const has = (kind) => messages().some((m) => m.kind === kind);
  try {
    return await captureFour(daemon, router, d, c, from, proc, messages, has, waitFor);
  } catch (error) {
    console.error(`${daemon}: seen ${messages().map((m) => m.kind ?? m.type).join(", ")}\npeer: ${proc.stderr()}\ndaemon log:\n${router.logs().slice(-3000)}`);
    throw error;
  }
}

async function captureFour(daemon, router, d, c, from, proc, messages, has, waitFor) {
  await waitFor(() => has("eor-ipv6") && has("eor-ipv4") && has("announce-ipv4") && has("announce-ipv6"), { what: `${daemon}: both routes and both End-of-RIBs`, timeout: 30_000 });
  await withdraw(daemon, router, d);
  await waitFor(() => has("withdraw-ipv4") && has("withdraw-ipv6"), { what: `${daemon}: both withdrawals`, timeout: 30_000 });
  await shutdown(daemon, router, c);
  await waitFor(() => messages().some((m) => m.type === "notification"), { what: `${daemon}: a Cease NOTIFICATION`, timeout: 30_000 });
  await proc.stop();
  return pick(daemon, from, messages(), `4-octet AS 4200000001, IPv4+IPv6 unicast, graceful restart ${daemon === "exabgp" ? "off" : "on"}, passive, hold 9`);
}

async function twoOctetRun(daemon, lab, routers, waitFor) {
  const { router, cns, d, c } = await setup(daemon, lab, routers, 64512, false);
  const from = await router.version();
  const { proc, messages } = startPeer(cns, d, c, 3, "none");
  await waitFor(() => messages().some((m) => m.type === "notification"), { what: `${daemon}: Hold Timer Expired`, timeout: 30_000 });
  await proc.stop();
  return pick(daemon, from, messages(), "2-octet AS 64512, our OPEN holds 3 s and we never send a second KEEPALIVE").filter((e) => e.name.includes("open") || e.name.includes("notification"));
}

async function withdraw(daemon, router, d) {
  if (daemon === "bird") {
    await router.request("disable origin4");
    await router.request("disable origin6");
  } else if (daemon === "gobgp") {
    await router.deleteRoute(routeV4.prefix);
    await router.deleteRoute(routeV6.prefix);
  } else if (daemon === "frr") {
    await router.vtysh("configure terminal", `router bgp ${router.config.asn}`, "address-family ipv4 unicast", `no network ${routeV4.prefix} route-map NET0`, "exit-address-family", "address-family ipv6 unicast", `no network ${routeV6.prefix} route-map NET1`);
  } else {
    await router.command(`withdraw route ${routeV4.prefix} next-hop self`);
    await router.command(`withdraw route ${routeV6.prefix} next-hop ${d.v6}`);
  }
}

async function shutdown(daemon, router, c) {
  if (daemon === "bird") await router.request(`disable peer1 "${message}"`);
  else if (daemon === "gobgp") await router.cli(["neighbor", c.v4, "shutdown", "--reason", message]);
  else if (daemon === "frr") await router.vtysh("configure terminal", `router bgp ${router.config.asn}`, `neighbor ${c.v4} shutdown message ${message}`);
  else await router.command(`neighbor ${c.v4} teardown 2`);
}

const descriptions = {
  open: "OPEN",
  keepalive: "KEEPALIVE",
  "announce-ipv4": "UPDATE announcing 198.51.100.10/32 with ORIGIN, AS_PATH, NEXT_HOP, MED 50, COMMUNITIES 64999:100 65535:666, LARGE_COMMUNITY 4200000001:1:2",
  "announce-ipv6": "UPDATE announcing 2001:db8::10/128 in MP_REACH_NLRI (IPv6 next hop: global, plus link-local when the daemon sends it)",
  "eor-ipv4": "End-of-RIB for IPv4 unicast (empty UPDATE, RFC 4724 §2)",
  "eor-ipv6": "End-of-RIB for IPv6 unicast (UPDATE with an empty MP_UNREACH_NLRI, RFC 4724 §2)",
  "withdraw-ipv4": "UPDATE withdrawing 198.51.100.10/32 (withdrawn routes field)",
  "withdraw-ipv6": "UPDATE withdrawing 2001:db8::10/128 (MP_UNREACH_NLRI)",
};

/** The first message of each label, named "<daemon>/<label>[-<session flavour>]". */
function pick(daemon, from, messages, session) {
  const seen = new Set();
  const out = [];
  const flavour = session.startsWith("2-octet") ? "-2octet-as" : "-4octet-as";
  for (const m of messages) {
    const key = m.type === "update" ? m.kind : m.type === "notification" ? `notification-${m.code}-${m.subcode}` : m.type;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = m.type === "notification" ? notificationText(daemon, m.code, m.subcode, m.hex.length / 2 - 21) : descriptions[key] ?? key;
    out.push({ name: `${daemon}/${key}${m.type === "open" ? flavour : ""}`, from, direction: "daemon-to-speaker", type: m.type, description: `${what}; session: ${session}`, hex: m.hex });
  }
  return out;
}

function notificationText(daemon, code, subcode, dataLength) {
  const data = dataLength === 0 ? "no data" : `${dataLength} bytes of data`;
  // ExaBGP's teardown command takes no text; it sends its own.
  const asked = daemon === "exabgp" ? "ExaBGP's own text" : `asked for "${message}"`;
  if (code === 6 && subcode === 2) return `NOTIFICATION Cease / Administrative Shutdown (RFC 4486), ${data}${dataLength > 0 ? ` (RFC 9003 shutdown communication, ${asked})` : ""}`;
  if (code === 4) return `NOTIFICATION Hold Timer Expired (RFC 4271 §6.5), ${data}`;
  return `NOTIFICATION code ${code} subcode ${subcode}, ${data}`;
}

function render(entries) {
  const versions = [...new Set(entries.map((e) => e.from))].join(", ");
  const lines = [
    "// Golden BGP messages captured from real daemons: the bytes BIRD, GoBGP, FRR and",
    "// ExaBGP put on the wire, for the codec's tests to decode (this file holds no decoder).",
    "//",
    "// Provenance: captured by scripts/regenerate-goldens.mjs from",
    `//   ${versions},`,
    "// each in its own network namespace on Debian 12 (x86_64), speaking to a capture peer built from",
    "// hand-written raw bytes (AS 64999; OPEN with MP IPv4/IPv6 unicast, route refresh,",
    "// graceful restart without address families, 4-octet AS). Messages are split by the",
    "// length in the 19-byte header and kept verbatim; the first message of each kind per",
    "// daemon is kept. `direction` is always daemon-to-speaker: these are what IronLB receives.",
    "//",
    "// Regenerate (as root, with the Debian packages of .ci/run):",
    "//   npx tsc -b && node scripts/regenerate-goldens.mjs",
    "// Generated file: edit the script, not this file.",
    "",
    "export interface GoldenMessage {",
    '  /** "<daemon>/<kind>", e.g. "bird/announce-ipv4", "frr/notification-6-2", "gobgp/open-2octet-as". */',
    "  readonly name: string;",
    '  /** The daemon and its exact version, e.g. "BIRD 2.0.12". */',
    "  readonly from: string;",
    '  readonly direction: "daemon-to-speaker";',
    "  /** Message type from the header (byte 18), for selecting vectors. */",
    '  readonly type: "open" | "update" | "notification" | "keepalive" | "route-refresh";',
    "  /** What the message carries and the session it was captured on. */",
    "  readonly description: string;",
    "  /** The whole message, header included, lower-case hex. */",
    "  readonly hex: string;",
    "}",
    "",
    "export const goldens: readonly GoldenMessage[] = [",
  ];
  for (const e of entries) {
    lines.push("  {");
    for (const k of ["name", "from", "direction", "type", "description"]) lines.push(`    ${k}: ${JSON.stringify(e[k])},`);
    // Long vectors are split into concatenated literals so no line runs past ~110 columns.
    const chunks = e.hex.match(/.{1,96}/g) ?? [""];
    lines.push(`    hex:${chunks.length === 1 ? ` "${chunks[0]}",` : `\n${chunks.map((h, i) => `      "${h}"${i === chunks.length - 1 ? "," : " +"}`).join("\n")}`}`);
    lines.push("  },");
  }
  lines.push("];", "");
  return lines.join("\n");
}

// Last, so every constant above is initialised before either role runs.
if (process.argv[2] === "--peer") await peer(process.argv.slice(3));
else await main(process.argv.slice(2));
