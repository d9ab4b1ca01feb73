// @ironlb/core: the pure domain. Each module is also its own entry
// (@ironlb/core/ip, /config, /allocator, /election, /service, /wire); packages
// that may only use some of them (bgp and l2 may use ip and wire) import those
// entries.
export * as ip from "./ip/index.ts";
export * as config from "./config/index.ts";
export * as allocator from "./allocator/index.ts";
export * as election from "./election/index.ts";
export * as service from "./service/index.ts";
export * as wire from "./wire/index.ts";
