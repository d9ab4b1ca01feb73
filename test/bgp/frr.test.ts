// Our BGP speaker (the `ironlb bgp probe` CLI in its own network namespace)
// against a real FRR 8 in another: see scenarios.ts for what is proved.
import { beforeAll } from "vitest";
import { frr } from "../lib/routers/index.ts";
import { describeLab } from "../lib/suite.ts";
import { ensureBuilt } from "./probe.ts";
import { interopScenarios } from "./scenarios.ts";

describeLab("BGP interop: FRR 8", { root: true, binaries: [...frr.binaries, "tcpdump"] }, (lab) => {
  beforeAll(() => ensureBuilt(), 150_000);
  interopScenarios("frr", lab, (ns, config) => frr.start(ns, config));
});
