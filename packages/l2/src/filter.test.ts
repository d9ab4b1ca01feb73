// The NDP socket filter, run through the same classic BPF interpreter the
// in-memory connections use, over real frames.
import { runBpf } from "@ironlb/rawsock/testing";
import { describe, expect, it } from "vitest";
import { unhex } from "./codec-laws.fixtures.ts";
import { NDP_FILTER } from "./filter.ts";
import * as G from "./goldens.fixtures.ts";

describe("NDP_FILTER", () => {
  it.each([
    ["the kernel's NS", G.NS_KERNEL, true],
    ["the kernel's NA", G.NA_KERNEL, true],
    ["a DAD NS", G.NS_DAD_KERNEL, true],
    ["an ICMPv6 echo request", G.ECHO_REQUEST_KERNEL, false],
    ["an ARP request", G.ARP_REQUEST_ARPING, false],
    // MLD report: IPv6 with a hop-by-hop header first (next header 0).
    [
      "an MLDv2 report behind a hop-by-hop header",
      "333300000016 02000000bb02 86dd 60000000 0024 00 01 fe80000000000000000000ff0000bb02 ff020000000000000000000000000016 3a00050200000100 8f00",
      false,
    ],
    ["a truncated frame", G.NS_KERNEL.replace(/\s/g, "").slice(0, 100), false],
  ])("%s -> %s", (_n, hexFrame, accepted) => {
    expect(runBpf(NDP_FILTER, unhex(hexFrame)) > 0).toBe(accepted);
  });
});
