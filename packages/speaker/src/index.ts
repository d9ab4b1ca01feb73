// @ironlb/speaker: see package.json "description". Public entry; internals stay unexported.
export * from "./membership/index.ts";
