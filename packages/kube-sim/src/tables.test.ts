import { describe, expect, it } from "vitest";
import type { KubeObject } from "./object.ts";
import { columnsFor, humanDuration, tableRow } from "./tables.ts";

describe("humanDuration (as kubectl prints ages)", () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  // [milliseconds, text]
  const cases: [number, string][] = [
    [-5 * s, "<invalid>"],
    [-1 * s, "0s"],
    [0, "0s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [2 * m + 5 * s, "2m5s"],
    [10 * m, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h, "8h"],
    [47 * h, "47h"],
    [2 * d, "2d"],
    [2 * d + 5 * h, "2d5h"],
    [8 * d, "8d"],
    [729 * d, "729d"],
    [2 * 365 * d, "2y"],
    [3 * 365 * d + 10 * d, "3y10d"],
    [9 * 365 * d, "9y"],
  ];
  it.each(cases)("%d ms -> %s", (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe("table rows", () => {
  const now = Date.parse("2025-01-01T01:00:00Z");
  const svc = (spec: object, status: object = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" },
    spec,
    status,
  });
  // [service, cells for NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR]
  const cases: [KubeObject, (string | number)[]][] = [
    [svc({ type: "ClusterIP", clusterIP: "10.96.0.10", ports: [{ port: 80, protocol: "TCP" }] }), ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "60m", "<none>"]],
    [
      svc({ type: "LoadBalancer", clusterIP: "10.96.0.11", selector: { b: "2", a: "1" }, ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }, { port: 53, nodePort: 30053, protocol: "UDP" }] }),
      ["web", "LoadBalancer", "10.96.0.11", "<pending>", "80:30080/TCP,53:30053/UDP", "60m", "a=1,b=2"],
    ],
    [
      svc({ type: "LoadBalancer", clusterIP: "10.96.0.12", ports: [] }, { loadBalancer: { ingress: [{ ip: "192.0.2.1" }, { hostname: "lb.example" }] } }),
      // Longer than 16 characters: cut to 13 and "...", as the apiserver prints it.
      ["web", "LoadBalancer", "10.96.0.12", "192.0.2.1,lb....", "<none>", "60m", "<none>"],
    ],
    [
      svc({ type: "LoadBalancer", clusterIP: "10.96.0.13", ports: [] }, { loadBalancer: { ingress: [{ ip: "2001:db8::1234:5678" }] } }),
      ["web", "LoadBalancer", "10.96.0.13", "2001:db8::123...", "<none>", "60m", "<none>"],
    ],
    [svc({ type: "ExternalName", externalName: "db.example.com" }), ["web", "ExternalName", "<none>", "db.example.com", "<none>", "60m", "<none>"]],
  ];
  it.each(cases)("service %#", (obj, cells) => {
    expect(tableRow(columnsFor("services"), obj, obj, "None", now).cells).toEqual(cells);
  });

  it("nodes: status from Ready, roles from labels", () => {
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", creationTimestamp: "2025-01-01T00:59:00Z", labels: { "node-role.kubernetes.io/control-plane": "" } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: "Ready", status: "True" }], nodeInfo: { kubeletVersion: "v1.32.0" } },
    };
    expect(tableRow(columnsFor("nodes"), node, node, "None", now).cells.slice(0, 5)).toEqual(["n1", "Ready,SchedulingDisabled", "control-plane", "60s", "v1.32.0"]);
  });

  it("rows carry metadata, the object, or nothing, as includeObject asks", () => {
    const obj = svc({ type: "ClusterIP", ports: [] });
    expect(tableRow(columnsFor("services"), obj, obj, "Metadata", now).object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata });
    expect(tableRow(columnsFor("services"), obj, obj, "Object", now).object).toBe(obj);
    expect(tableRow(columnsFor("services"), obj, obj, "None", now).object).toBeUndefined();
  });
});
