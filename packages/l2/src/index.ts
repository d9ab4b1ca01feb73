// @ironlb/l2: see package.json "description". Public entry; internals stay unexported.
export {};
