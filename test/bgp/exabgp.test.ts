// Our BGP speaker (the `ironlb bgp probe` CLI in its own network namespace)
// against a real ExaBGP 4 in another: see scenarios.ts for what is proved.
import { beforeAll } from "vitest";
import { exabgp } from "../lib/routers/index.ts";
import { describeLab } from "../lib/suite.ts";
import { ensureBuilt } from "./probe.ts";
import { interopScenarios } from "./scenarios.ts";

describeLab("BGP interop: ExaBGP 4", { root: true, binaries: [...exabgp.binaries, "tcpdump"] }, (lab) => {
  beforeAll(() => ensureBuilt(), 150_000);
  interopScenarios("exabgp", lab, (ns, config) => exabgp.start(ns, config));
});
