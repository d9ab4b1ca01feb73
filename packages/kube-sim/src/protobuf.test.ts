import { describe, expect, it } from "vitest";
import type { KubeSimError } from "./errors.ts";
import { decodeKubernetesProtobuf } from "./protobuf.ts";

// Golden request bodies captured from kubectl v1.32.4 (the machine's kubectl)
// against a recording server, 2026-11: `kubectl create ns test1`,
// `create cm c9 --from-literal=a=b --from-literal=c=d`,
// `create secret generic s9 --from-literal=pw=x`,
// `create service loadbalancer web --tcp=80:8080 --tcp=443`,
// `create service clusterip hl --clusterip=None`.
const goldens: [string, string, unknown][] = [
  [
    "namespace",
    "6b3873000a0f0a02763112094e616d657370616365121d0a150a05746573743112001a0022002a0032003800420012001a020a001a002200",
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "test1" } },
  ],
  [
    "configmap",
    "6b3873000a0f0a0276311209436f6e6669674d617012240a120a02633912001a0022002a0032003800420012060a016112016212060a01631201641a002200",
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c9" }, data: { a: "b", c: "d" } },
  ],
  [
    "secret (data stays base64, as in JSON)",
    "6b3873000a0c0a0276311206536563726574121f0a120a02733912001a0022002a0032003800420012070a0270771201781a001a002200",
    { apiVersion: "v1", kind: "Secret", metadata: { name: "s9" }, data: { pw: "eA==" } },
  ],
  [
    "LoadBalancer service with two ports",
    "6b3873000a0d0a0276311207536572766963651286010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562125f0a1b0a0738302d38303830120354435018502207080010903f1a0028000a180a03343433120354435018bb032207080010bb031a002800120a0a0361707012037765621a00220c4c6f616442616c616e6365723a00420052005a00600068001a020a001a002200",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        ports: [
          { name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "443", protocol: "TCP", port: 443, targetPort: 443 },
        ],
        selector: { app: "web" },
        type: "LoadBalancer",
      },
    },
  ],
  [
    "headless service",
    "6b3873000a0d0a027631120753657276696365124d0a1d0a02686c12001a0022002a003200380042005a090a036170701202686c122812090a036170701202686c1a044e6f6e652209436c757374657249503a00420052005a00600068001a020a001a002200",
    { apiVersion: "v1", kind: "Service", metadata: { name: "hl", labels: { app: "hl" } }, spec: { selector: { app: "hl" }, clusterIP: "None", type: "ClusterIP" } },
  ],
];

describe("Kubernetes protobuf request bodies", () => {
  it.each(goldens)("%s", (_name, hex, want) => {
    expect(decodeKubernetesProtobuf(Buffer.from(hex, "hex"))).toEqual(want);
  });

  it("never crashes on truncated bodies: each decodes or fails with a 400 or 415", () => {
    const full = Buffer.from(goldens[3]?.[1] as string, "hex");
    for (let n = 4; n < full.length; n++) {
      try {
        decodeKubernetesProtobuf(full.subarray(0, n));
      } catch (e) {
        expect(["BadRequest", "UnsupportedMediaType"]).toContain((e as KubeSimError).code);
      }
    }
  });

  it("refuses bodies without the envelope, and kinds it does not model", () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from("7b7d", "hex"))).toThrow(/envelope/);
    // A Pod envelope: typeMeta {apiVersion v1, kind Pod}, no raw object.
    const pod = Buffer.from("6b3873000a090a02763112035061 64".replace(/ /g, ""), "hex");
    expect(() => decodeKubernetesProtobuf(pod)).toThrowError(expect.objectContaining({ code: "UnsupportedMediaType" }) as Error);
  });
});
