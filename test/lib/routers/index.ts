// The lab's real BGP daemons, one namespace object each:
// `bird.start(ns, config)`, `gobgp.start(...)`, `frr.start(...)`, `exabgp.start(...)`,
// plus `<daemon>.binaries` for prerequisite checks and `<daemon>.version()`.
export * as bird from "./bird.ts";
export * as exabgp from "./exabgp.ts";
export * as frr from "./frr.ts";
export * as gobgp from "./gobgp.ts";
export type { Router } from "./router.ts";
export type * from "./types.ts";
