// IronLB's Service annotations and their MetalLB aliases.
//
// Read order: `ironlb.io/NAME`, then `metallb.io/NAME`, then the deprecated
// `metallb.universe.tf/NAME` (moved to metallb.io in MetalLB v0.14.9), so a
// Service written for MetalLB works unchanged. IronLB writes only
// `ironlb.io/ip-allocated-from-pool`.

export const ANNOTATION_PREFIX = "ironlb.io/";
const ALIAS_PREFIXES = ["ironlb.io/", "metallb.io/", "metallb.universe.tf/"] as const;
export const DEPRECATED_PREFIX = "metallb.universe.tf/";

export const AnnotationName = {
  AddressPool: "address-pool",
  LoadBalancerIPs: "loadBalancerIPs",
  AllowSharedIp: "allow-shared-ip",
  IpAllocatedFromPool: "ip-allocated-from-pool",
} as const;
export type AnnotationName = (typeof AnnotationName)[keyof typeof AnnotationName];

/** The annotation IronLB writes to say which pool an IP came from. */
export const POOL_ANNOTATION = `${ANNOTATION_PREFIX}${AnnotationName.IpAllocatedFromPool}`;

export interface AnnotationValue {
  readonly value: string;
  /** The full key it was read from, e.g. "metallb.universe.tf/address-pool". */
  readonly key: string;
  readonly deprecated: boolean;
}

export function readAnnotation(annotations: Readonly<Record<string, string>> | undefined, name: AnnotationName): AnnotationValue | undefined {
  if (annotations === undefined) return undefined;
  for (const prefix of ALIAS_PREFIXES) {
    const key = prefix + name;
    const value = annotations[key];
    if (value !== undefined) return { value, key, deprecated: prefix === DEPRECATED_PREFIX };
  }
  return undefined;
}

/** True when the Service uses any `metallb.universe.tf/` annotation (MetalLB's `deprecatedAnnotation` event). */
export function usesDeprecatedAnnotations(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations !== undefined && Object.keys(annotations).some((k) => k.startsWith(DEPRECATED_PREFIX));
}
