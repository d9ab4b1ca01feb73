import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "@ironlb/core/config";
import { formatIp } from "@ironlb/core/ip";
import { configMapFrom } from "./seed.ts";

const dir = mkdtempSync(path.join(tmpdir(), "pg-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = new URL("../../../../config/example.yaml", import.meta.url).pathname;

describe("playground seed", () => {
  it("takes the example ConfigMap as it is when the router is real", () => {
    const cm = configMapFrom(example);
    expect(cm.metadata).toMatchObject({ name: "config", namespace: "ironlb-system" });
    const r = parseConfig(cm.data?.["config"] ?? "");
    expect(r.ok && r.config.peers.map((p) => formatIp(p.peerAddress))).toEqual(["10.99.0.1", "10.99.0.2"]);
  });

  it("points every BGP peer at a closed loopback port in a dry run, keeping names, ASNs and everything else", () => {
    const before = parseConfig(configMapFrom(example).data?.["config"] ?? "");
    const after = parseConfig(configMapFrom(example, { address: "127.0.0.1", port: 40999 }).data?.["config"] ?? "");
    if (!before.ok || !after.ok) throw new Error("the example config must parse");
    expect(after.config.peers.map((p) => [p.name, formatIp(p.peerAddress), p.peerPort, p.peerAsn, p.myAsn])).toEqual([
      ["tor-a", "127.0.0.1", 40999, 64513, 64512],
      ["rr", "127.0.0.1", 40999, 64512, 64512],
    ]);
    expect(after.config.pools).toEqual(before.config.pools);
  });

  it("refuses a file without a ConfigMap, naming the code", () => {
    const f = path.join(dir, "no-cm.yaml");
    writeFileSync(f, "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n");
    expect(() => configMapFrom(f)).toThrow(expect.objectContaining({ code: "PLAYGROUND_MISSING_FILE" }) as Error);
  });
});
