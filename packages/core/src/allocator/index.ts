// @ironlb/core/allocator: MetalLB-compatible address allocation (reference
// §2.2-§2.7) as a pure in-memory data structure. See allocator.ts.
export {
  Allocator,
  type Assignment,
  type ExplainReport,
  type ExplainRequest,
  type FamilyCounters,
  type IpOwners,
  type PoolCounters,
  type ReleasedService,
  type ReleaseReason,
  type SetPoolsReport,
} from "./allocator.ts";
export type { AllocError, AllocErrorCode, AllocResult } from "./errors.ts";
export type { AssignOptions, PoolVerdict, VerdictReason } from "./planner.ts";
export type { IpFamilyPolicy, PortProtocol, ServiceFamily, ServicePort, ServiceRequest } from "./request.ts";
