// Our BGP speaker (the `ironlb bgp probe` CLI in its own network namespace)
// against a real BIRD 2 in another: see scenarios.ts for what is proved.
import { beforeAll } from "vitest";
import { bird } from "../lib/routers/index.ts";
import { describeLab } from "../lib/suite.ts";
import { ensureBuilt } from "./probe.ts";
import { interopScenarios } from "./scenarios.ts";

describeLab("BGP interop: BIRD 2", { root: true, binaries: [...bird.binaries, "tcpdump"] }, (lab) => {
  beforeAll(() => ensureBuilt(), 150_000);
  interopScenarios("bird", lab, (ns, config) => bird.start(ns, config));
});
