// Test helpers for code that consumes the membership (the speaker's tests):
// an in-memory network with faults, and a seeded random generator.
export { FakeNetwork, seededRandom, type Datagram, type Delay, type FakeNetworkOptions } from "./fake-network.ts";
