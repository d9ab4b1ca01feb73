// Test helpers other packages' tests use: a manual clock.
export { FakeClock } from "./fake-clock.ts";
