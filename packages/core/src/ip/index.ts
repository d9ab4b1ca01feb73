// @ironlb/core/ip: IPv4/IPv6 addresses as bigint-backed values, prefixes,
// ranges split into CIDRs, and an interval set of free addresses. Pure.
export { IpError, type IpErrorCode } from "./errors.ts";
export {
  compareIp,
  familyBits,
  familyMax,
  formatIp,
  ip,
  ipAdd,
  ipEquals,
  ipFromBytes,
  ipToBytes,
  isBuggyIp,
  parseIp,
  tryParseIp,
  IPV4_BITS,
  IPV6_BITS,
  type IpAddress,
  type IpFamily,
} from "./address.ts";
export {
  comparePrefix,
  formatPrefix,
  maskIp,
  parseCidr,
  parsePrefix,
  prefix,
  prefixContains,
  prefixEquals,
  prefixesOverlap,
  prefixFirst,
  prefixLast,
  prefixMask,
  prefixSize,
  type Prefix,
} from "./prefix.ts";
export { parseAddressEntry, rangeToPrefixes, type AddressEntry, type AddressRange } from "./range.ts";
export { IntervalSet } from "./interval-set.ts";
