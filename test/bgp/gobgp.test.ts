// Our BGP speaker (the `ironlb bgp probe` CLI in its own network namespace)
// against a real GoBGP 3 in another: see scenarios.ts for what is proved.
import { beforeAll } from "vitest";
import { gobgp } from "../lib/routers/index.ts";
import { describeLab } from "../lib/suite.ts";
import { ensureBuilt } from "./probe.ts";
import { interopScenarios } from "./scenarios.ts";

describeLab("BGP interop: GoBGP 3", { root: true, binaries: [...gobgp.binaries, "tcpdump"] }, (lab) => {
  beforeAll(() => ensureBuilt(), 150_000);
  interopScenarios("gobgp", lab, (ns, config) => gobgp.start(ns, config));
});
