// @ironlb/core/service: reading a Kubernetes Service the way MetalLB does
// (annotations with their aliases, requested IPs, clusterIP family, backend
// key) without depending on a Kubernetes client. Pure.
export {
  ANNOTATION_PREFIX,
  AnnotationName,
  POOL_ANNOTATION,
  readAnnotation,
  usesDeprecatedAnnotations,
  type AnnotationValue,
} from "./annotations.ts";
export {
  clusterIpFamily,
  handlesClass,
  ingressIps,
  isLoadBalancer,
  requestedIps,
  requestedPool,
  selectorString,
  serviceKey,
  sharingKey,
  toServiceRequest,
  type ServiceInput,
  type ServiceInputError,
  type ServiceInputErrorCode,
  type ServiceObject,
} from "./service.ts";
