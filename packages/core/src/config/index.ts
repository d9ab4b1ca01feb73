// @ironlb/core/config: the ConfigMap's YAML (MetalLB legacy format plus
// IronLB's extensions) parsed strictly into a frozen, resolved Config.
export type * from "./types.ts";
export { matchesAnySelector, matchesSelector, type Labels } from "./selector.ts";
export { parseConfig, type ParseOptions, type ParseResult, type PositionMap } from "./parse.ts";
export { extractConfig, parseConfigFile, type ConfigMapSelector, type ConfigSource, type Extraction, type FileParseResult } from "./manifest.ts";
export { formatIssue, sortIssues, type ConfigIssue, type ConfigIssueCode, type Severity } from "./issues.ts";
export { formatCommunity, parseCommunity, type CommunityParse } from "./community.ts";
export { formatSelector } from "./selector-parse.ts";
export { parseGoDuration, formatGoDuration, type DurationResult } from "./duration.ts";
export { defaultPeerName, DEFAULT_BGP_PORT, DEFAULT_HOLD_TIME_SECONDS } from "./peers.ts";
export { summarizeConfig, type ConfigSummary, type PoolSummary, type PeerSummary, type AdvertisementSummary, type FamilySizes } from "./summary.ts";
