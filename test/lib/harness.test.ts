// The harness's pure parts: names, address plan, waitFor, prerequisite
// checks and the output parsers, without root.
import { describe, expect, it } from "vitest";
import { bulkPrefixes, formatV6, serviceV4, serviceV6, subnet } from "./addresses.ts";
import { LabError } from "./errors.ts";
import { interfaceName, namespaceName, ownerOf } from "./names.ts";
import { checkPrerequisites, findBinary } from "./prereq.ts";
import { parseArping } from "./probes.ts";
import { parseTcpdump } from "./tcpdump.ts";
import { waitFor } from "./wait-for.ts";

function codeOf(error: unknown): string | undefined {
  return error instanceof LabError ? error.code : undefined;
}

describe("names", () => {
  it("embed the pid and a counter, and never repeat", () => {
    const a = namespaceName("router");
    const b = namespaceName("router");
    expect(a).toMatch(new RegExp(`^ilb-${process.pid}-\\d+-router$`));
    expect(a).not.toBe(b);
    expect(ownerOf(a)).toBe(process.pid);
  });

  it("keep interface names within IFNAMSIZ", () => {
    const names = Array.from({ length: 50 }, () => interfaceName());
    for (const n of names) expect(n.length).toBeLessThanOrEqual(15);
    expect(new Set(names).size).toBe(names.length);
  });

  it("claim only names of the harness's pattern", () => {
    expect(ownerOf("ilb-123-4-bgp")).toBe(123);
    expect(ownerOf("ilb-123-4")).toBe(123);
    for (const other of ["ilb-x-4", "blue", "ilb123-4", "cni-1234-5678", "ilb-12-3 4"]) expect(ownerOf(other)).toBeUndefined();
  });

  it("reject tags that could escape the pattern", () => {
    expect(() => namespaceName("a b")).toThrow(LabError);
    expect(() => namespaceName("../x")).toThrow(/LAB_BAD_ARGUMENT/);
  });
});

describe("address plan", () => {
  it("formats subnets and hosts in both families, IPv6 in RFC 5952 form", () => {
    const s = subnet(7);
    expect(s.v4).toBe("10.99.7.0/24");
    expect(s.v6).toBe("fd00:99:0:7::/64");
    expect(s.host(2)).toEqual({ v4: "10.99.7.2", v6: "fd00:99:0:7::2", v4Cidr: "10.99.7.2/24", v6Cidr: "fd00:99:0:7::2/64" });
    expect(subnet(0).v6).toBe("fd00:99::/64");
    expect(subnet(127).host(254).v6).toBe("fd00:99:0:7f::fe");
  });

  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "2001:db8::1"],
    [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], "2001:db8:0:1::1"],
    [[0x2001, 0, 0, 1, 0, 0, 0, 0], "2001:0:0:1::"],
    [[1, 0, 1, 0, 1, 0, 1, 0], "1:0:1:0:1:0:1:0"],
  ])("formats %j as %s", (groups, text) => {
    expect(formatV6(groups)).toBe(text);
  });

  it("keeps service IPs inside the documentation ranges", () => {
    expect(serviceV4(0)).toBe("198.51.100.0");
    expect(serviceV4(255)).toBe("198.51.100.255");
    expect(serviceV4(256)).toBe("203.0.113.0");
    expect(serviceV6(0)).toBe("2001:db8::");
    expect(serviceV6(0x10001)).toBe("2001:db8::1:1");
    for (const bad of [-1, 512, 1.5]) expect(codeOf(catchIt(() => serviceV4(bad)))).toBe("LAB_ADDRESS_EXHAUSTED");
  });

  it("gives distinct bulk prefixes inside the bulk blocks", () => {
    const v4 = bulkPrefixes("ipv4", 10_000);
    const v6 = bulkPrefixes("ipv6", 10_000);
    expect(new Set(v4).size).toBe(10_000);
    expect(new Set(v6).size).toBe(10_000);
    expect(v4[0]).toBe("10.99.128.0/32");
    expect(v4[9_999]).toBe("10.99.167.15/32");
    expect(v6[1]).toBe("2001:db8:ffff::1/128");
    for (const p of v4) expect(p).toMatch(/^10\.99\.(1[2-9]\d|2[0-5]\d)\.\d+\/32$/);
    expect(codeOf(catchIt(() => bulkPrefixes("ipv4", 40_000)))).toBe("LAB_ADDRESS_EXHAUSTED");
  });
});

describe("waitFor", () => {
  it("returns the first truthy value", async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { what: "three calls", interval: 1 })).resolves.toBe(3);
  });

  it("times out with LAB_TIMEOUT naming what it waited for and the last value", async () => {
    const error = await waitFor(() => false, { what: "a state that never comes", timeout: 30, interval: 5 }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("LAB_TIMEOUT");
    expect((error as Error).message).toContain("a state that never comes");
    expect((error as Error).message).toContain("last: false");
  });

  it("propagates errors unless told to ignore them", async () => {
    await expect(waitFor(() => { throw new Error("boom"); }, { what: "x", timeout: 50 })).rejects.toThrow("boom");
    let n = 0;
    const v = await waitFor(
      () => {
        if (++n < 3) throw new Error("not yet");
        return "up";
      },
      { what: "a socket", ignoreErrors: true, interval: 1 },
    );
    expect(v).toBe("up");
  });
});

describe("prerequisites", () => {
  it("report each missing binary", () => {
    const r = checkPrerequisites({ binaries: ["ls", "ironlb-no-such-binary"] });
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual(["binary ironlb-no-such-binary"]);
    expect(r.reason).toContain("ironlb-no-such-binary");
  });

  it("find binaries on PATH and by absolute path", () => {
    expect(findBinary("sh")).toMatch(/\/sh$/);
    expect(findBinary("/bin/sh")).toBe("/bin/sh");
    expect(findBinary("/nonexistent/x")).toBeUndefined();
  });
});

describe("parsers", () => {
  it("read arping replies", () => {
    const out = [
      "ARPING 10.99.7.2 from 10.99.7.1 ilb77-1",
      "Unicast reply from 10.99.7.2 [02:AA:BB:CC:DD:01]  0.613ms",
      "Unicast reply from 10.99.7.2 [02:AA:BB:CC:DD:02]  0.700ms",
      "Unicast reply from 10.99.7.2 [02:AA:BB:CC:DD:01]  0.550ms",
      "Sent 2 probes (1 broadcast(s))",
      "Received 3 response(s)",
    ].join("\n");
    const r = parseArping(out);
    expect(r.replies).toHaveLength(3);
    expect(r.macs).toEqual(["02:aa:bb:cc:dd:01", "02:aa:bb:cc:dd:02"]);
    expect(parseArping("Sent 2 probes\nReceived 0 response(s)\n").replies).toEqual([]);
  });

  it("fold tcpdump continuation lines into their packet", () => {
    const out = "1700000000.000001 02:aa > ff:ff, ARP, Request who-has 10.99.7.2\n1700000000.500000 IP6 (hlim 255) fe80::1 > ff02::1: ICMP6\n\t  target fd00::1\n";
    expect(parseTcpdump(out)).toEqual([
      { time: 1700000000.000001, text: "02:aa > ff:ff, ARP, Request who-has 10.99.7.2" },
      { time: 1700000000.5, text: "IP6 (hlim 255) fe80::1 > ff02::1: ICMP6\n\t  target fd00::1" },
    ]);
  });
});

function catchIt(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
