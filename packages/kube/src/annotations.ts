// Sets (or removes, with null) annotations on a Pod with one JSON merge patch
// (RFC 7386): no read first, no resourceVersion, so it never conflicts and
// leaves every other annotation alone. The speaker publishes its state this
// way on its own pod.
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

export async function patchPodAnnotations(api: CoreV1Api, pod: PodRef, annotations: Readonly<Record<string, string | null>>): Promise<V1Pod> {
  return api.patchNamespacedPod({ name: pod.name, namespace: pod.namespace, body: { metadata: { annotations } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}
