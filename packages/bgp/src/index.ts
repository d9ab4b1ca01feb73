// @ironlb/bgp: see package.json "description". Public entry; internals stay unexported.
export {};
