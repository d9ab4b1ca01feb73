// @ironlb/core/wire: the bounds-checked Reader and size-checked Writer that
// every binary codec (BGP, ARP/NDP, membership) reads and writes through, each
// raising its own protocol's errors. Pure. See reader.ts and writer.ts.
export { Reader, type ReaderErrors } from "./reader.ts";
export { Writer, type WriterErrors } from "./writer.ts";
