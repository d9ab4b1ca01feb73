import { describe, expect, it } from "vitest";
import type { KubeSimError } from "./errors.ts";
import type { JsonObject } from "./object.ts";
import { ref } from "./schema.ts";
import { definitions } from "./schemas/definitions.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";

const SERVICE = ref("io.k8s.api.core.v1.Service");
const NODE = ref("io.k8s.api.core.v1.Node");
const POD = ref("io.k8s.api.core.v1.Pod");

// [name, type, original, patch, result]: what kubectl apply / kubectl patch send, and what the apiserver makes of it.
const cases: [string, ReturnType<typeof ref>, JsonObject, JsonObject, JsonObject][] = [
  [
    "service ports merge by port",
    SERVICE,
    { spec: { ports: [{ name: "http", port: 80, nodePort: 30080 }, { name: "https", port: 443 }] } },
    { spec: { ports: [{ port: 80, targetPort: 8080 }, { name: "dns", port: 53 }] } },
    { spec: { ports: [{ name: "http", port: 80, nodePort: 30080, targetPort: 8080 }, { name: "https", port: 443 }, { name: "dns", port: 53 }] } },
  ],
  [
    "$patch: delete removes a list element by merge key",
    SERVICE,
    { spec: { ports: [{ port: 80 }, { port: 443 }] } },
    { spec: { ports: [{ port: 80, $patch: "delete" }] } },
    { spec: { ports: [{ port: 443 }] } },
  ],
  [
    "$setElementOrder orders the merged list (kubectl apply)",
    SERVICE,
    { spec: { ports: [{ port: 80 }, { port: 443 }] } },
    { spec: { "$setElementOrder/ports": [{ port: 443 }, { port: 80 }], ports: [{ port: 443, name: "https" }] } },
    { spec: { ports: [{ port: 443, name: "https" }, { port: 80 }] } },
  ],
  [
    "a { $patch: replace } element replaces the whole list",
    SERVICE,
    { spec: { ports: [{ port: 80 }, { port: 443 }] } },
    { spec: { ports: [{ $patch: "replace" }, { port: 8080 }] } },
    { spec: { ports: [{ port: 8080 }] } },
  ],
  [
    "atomic lists (clusterIPs, ingress) are replaced",
    SERVICE,
    { spec: { clusterIPs: ["10.96.0.10", "fd00:10:96::a"] }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } },
    { spec: { clusterIPs: ["10.96.0.10"] }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.2" }] } } },
    { spec: { clusterIPs: ["10.96.0.10"] }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.2" }] } } },
  ],
  [
    "finalizers are a set (merge of primitives)",
    SERVICE,
    { metadata: { finalizers: ["a.io/x"] } },
    { metadata: { finalizers: ["b.io/y", "a.io/x"] } },
    { metadata: { finalizers: ["a.io/x", "b.io/y"] } },
  ],
  [
    "$deleteFromPrimitiveList removes from a set",
    SERVICE,
    { metadata: { finalizers: ["a.io/x", "b.io/y"] } },
    { metadata: { "$deleteFromPrimitiveList/finalizers": ["a.io/x"] } },
    { metadata: { finalizers: ["b.io/y"] } },
  ],
  [
    "null deletes a map key; maps merge",
    SERVICE,
    { metadata: { labels: { a: "1", b: "2" } } },
    { metadata: { labels: { a: null, c: "3" } } },
    { metadata: { labels: { b: "2", c: "3" } } },
  ],
  [
    "$patch: replace on a map replaces it",
    SERVICE,
    { spec: { selector: { a: "1", b: "2" } } },
    { spec: { selector: { $patch: "replace", c: "3" } } },
    { spec: { selector: { c: "3" } } },
  ],
  [
    "node conditions merge by type",
    NODE,
    { status: { conditions: [{ type: "Ready", status: "True" }, { type: "MemoryPressure", status: "False" }] } },
    { status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletDown" }] } },
    { status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletDown" }, { type: "MemoryPressure", status: "False" }] } },
  ],
  [
    "containers merge by name, their ports by containerPort",
    POD,
    { spec: { containers: [{ name: "speaker", image: "a:1", ports: [{ containerPort: 7946, protocol: "TCP" }] }] } },
    { spec: { containers: [{ name: "speaker", image: "a:2", ports: [{ containerPort: 7946, protocol: "UDP" }, { containerPort: 7472 }] }] } },
    { spec: { containers: [{ name: "speaker", image: "a:2", ports: [{ containerPort: 7946, protocol: "UDP" }, { containerPort: 7472 }] }] } },
  ],
  [
    "$retainKeys drops members not listed",
    POD,
    { spec: { volumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }] } },
    { spec: { volumes: [{ name: "v", $retainKeys: ["name", "emptyDir"] }] } },
    { spec: { volumes: [{ name: "v", emptyDir: {} }] } },
  ],
];

describe("strategic merge patch", () => {
  it.each(cases)("%s", (_name, type, original, patch, want) => {
    const before = JSON.stringify(original);
    expect(applyStrategicMergePatch(original, patch, type, definitions)).toEqual(want);
    expect(JSON.stringify(original)).toBe(before);
  });

  it.each([
    ["a list element without the merge key", { spec: { ports: [{ name: "x" }] } }],
    ["an unknown $patch directive", { spec: { $patch: "frobnicate" } }],
    ["$patch: delete of the whole object", { $patch: "delete" }],
  ] as [string, JsonObject][])("rejects %s with 400 BadRequest", (_name, patch) => {
    try {
      applyStrategicMergePatch({ spec: { ports: [{ port: 80 }] } }, patch, SERVICE, definitions);
      expect.unreachable();
    } catch (e) {
      expect((e as KubeSimError).code).toBe("BadRequest");
    }
  });
});
