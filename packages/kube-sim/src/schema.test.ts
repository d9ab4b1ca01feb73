import { describe, expect, it } from "vitest";
import type { KubeSimError } from "./errors.ts";
import type { JsonObject } from "./object.ts";
import { decode, formatMicroTime, parseRfc3339 } from "./schema.ts";
import { definitions } from "./schemas/definitions.ts";

const SERVICE = "io.k8s.api.core.v1.Service";

describe("decode", () => {
  it("drops unknown members and nulls, and names the unknown fields as the apiserver does", () => {
    const svc: JsonObject = {
      metadata: { name: "a", labels: { x: "y" }, bogus: 1 },
      spec: { type: "LoadBalancer", ports: [{ port: 80, extra: true }], clusterIP: null, frob: {} },
      top: 1,
    };
    const { unknownFields } = decode(svc, SERVICE, definitions);
    expect(unknownFields).toEqual(["metadata.bogus", "spec.ports[0].extra", "spec.frob", "top"]);
    expect(svc).toEqual({ metadata: { name: "a", labels: { x: "y" } }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } });
  });

  it("keeps what open (unmodelled) sections contain", () => {
    const pod: JsonObject = { spec: { containers: [{ name: "c", image: "i" }], affinity: { nodeAffinity: { anything: [1] } } } };
    expect(decode(pod, "io.k8s.api.core.v1.Pod", definitions).unknownFields).toEqual([]);
    expect((pod["spec"] as JsonObject)["affinity"]).toEqual({ nodeAffinity: { anything: [1] } });
  });

  // [value at spec.ports[0].port or similar, message fragment]
  const typeErrors: [JsonObject, string][] = [
    [{ spec: { ports: [{ port: "80" }] } }, "cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"],
    [{ spec: { ports: [{ port: 1.5 }] } }, "of type int32"],
    [{ spec: { ports: [{ port: 2 ** 31 }] } }, "of type int32"],
    [{ spec: { ports: { port: 80 } } }, "cannot unmarshal object"],
    [{ spec: { selector: { a: 1 } } }, "of type string"],
    [{ spec: { publishNotReadyAddresses: "yes" } }, "of type bool"],
    [{ metadata: { creationTimestamp: "yesterday" } }, 'parsing time "yesterday"'],
    [{ spec: { ports: [{ port: 80, targetPort: true }] } }, "intstr.IntOrString"],
  ];
  it.each(typeErrors)("%j is a 400: %s", (obj, fragment) => {
    try {
      decode(obj, SERVICE, definitions);
      expect.unreachable();
    } catch (e) {
      expect((e as KubeSimError).code).toBe("BadRequest");
      expect((e as KubeSimError).message).toContain(fragment);
    }
  });

  it("normalises metav1.Time to seconds and MicroTime to microseconds", () => {
    const svc: JsonObject = { metadata: { creationTimestamp: "2024-05-01T10:00:00.987+02:00" } };
    decode(svc, SERVICE, definitions);
    expect((svc["metadata"] as JsonObject)["creationTimestamp"]).toBe("2024-05-01T08:00:00Z");
    const lease: JsonObject = { spec: { renewTime: "2024-05-01T10:00:00.5Z", acquireTime: "2024-05-01T10:00:00.123456789Z" } };
    decode(lease, "io.k8s.api.coordination.v1.Lease", definitions);
    expect(lease["spec"]).toEqual({ renewTime: "2024-05-01T10:00:00.500000Z", acquireTime: "2024-05-01T10:00:00.123456Z" });
  });

  it("checks base64 in Secret data and canonicalises numeric quantities", () => {
    expect(() => decode({ data: { k: "not base64!" } }, "io.k8s.api.core.v1.Secret", definitions)).toThrow(/illegal base64 data/);
    const node: JsonObject = { status: { capacity: { cpu: 4, memory: "8Gi" } } };
    decode(node, "io.k8s.api.core.v1.Node", definitions);
    expect(node["status"]).toEqual({ capacity: { cpu: "4", memory: "8Gi" } });
  });

  it("parses RFC 3339 with offsets and keeps fraction digits", () => {
    expect(parseRfc3339("1970-01-01T01:00:00+01:00")).toEqual({ epochSeconds: 0, fraction: "" });
    expect(parseRfc3339("1970-01-01T00:00:01.000001Z")).toEqual({ epochSeconds: 1, fraction: "000001" });
    expect(parseRfc3339("1970-01-01 00:00:00Z")).toBeUndefined();
    expect(formatMicroTime(1, "5")).toBe("1970-01-01T00:00:01.500000Z");
  });
});
