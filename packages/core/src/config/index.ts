// @ironlb/core/config: the ConfigMap's YAML (MetalLB legacy format plus
// IronLB's extensions) parsed strictly into a frozen, resolved Config.
export type * from "./types.ts";
export { matchesAnySelector, matchesSelector, type Labels } from "./selector.ts";
