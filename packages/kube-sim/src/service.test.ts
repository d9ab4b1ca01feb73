import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "./object.ts";
import { errorOf, testRegistry } from "./registry.fixtures.ts";

const spec = (o: KubeObject): JsonObject => o["spec"] as JsonObject;
const svc = (name: string, s: JsonObject): object => ({ metadata: { name }, spec: { ports: [{ port: 80 }], ...s } });

function inRange(ip: unknown, prefix: string): boolean {
  return typeof ip === "string" && ip.startsWith(prefix);
}

describe("Service defaulting", () => {
  // [name, spec sent, fields expected after create]
  const cases: [string, JsonObject, JsonObject][] = [
    [
      "ClusterIP by default, single stack IPv4",
      {},
      { type: "ClusterIP", sessionAffinity: "None", internalTrafficPolicy: "Cluster", ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv4"] },
    ],
    [
      "LoadBalancer gets externalTrafficPolicy, allocateLoadBalancerNodePorts",
      { type: "LoadBalancer" },
      { type: "LoadBalancer", externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true, internalTrafficPolicy: "Cluster" },
    ],
    ["SingleStack IPv6 when asked", { ipFamilies: ["IPv6"] }, { ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv6"] }],
    ["PreferDualStack takes both families, primary first", { ipFamilyPolicy: "PreferDualStack" }, { ipFamilies: ["IPv4", "IPv6"] }],
    ["RequireDualStack honours the first family asked", { ipFamilyPolicy: "RequireDualStack", ipFamilies: ["IPv6"] }, { ipFamilies: ["IPv6", "IPv4"] }],
    ["two families imply RequireDualStack", { ipFamilies: ["IPv4", "IPv6"] }, { ipFamilyPolicy: "RequireDualStack" }],
    ["headless keeps None", { clusterIP: "None", selector: { app: "x" } }, { clusterIP: "None", clusterIPs: ["None"], ipFamilyPolicy: "SingleStack" }],
    ["headless without selector is dual-stack", { clusterIP: "None" }, { clusterIPs: ["None"], ipFamilyPolicy: "RequireDualStack", ipFamilies: ["IPv4", "IPv6"] }],
    ["ClientIP affinity gets its timeout", { sessionAffinity: "ClientIP" }, { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }],
  ];
  it.each(cases)("%s", (_name, sent, want) => {
    const t = testRegistry();
    const s = spec(t.create("services", svc("s", sent)));
    expect(s).toMatchObject(want);
    const families = s["ipFamilies"] as string[];
    const ips = s["clusterIPs"] as string[];
    if (s["clusterIP"] !== "None") {
      expect(ips).toHaveLength(families.length);
      families.forEach((f, i) => expect(inRange(ips[i], f === "IPv4" ? "10." : "fd00:10:96::")).toBe(true));
      expect(s["clusterIP"]).toBe(ips[0]);
    }
  });

  it("ports get protocol TCP and targetPort = port", () => {
    const t = testRegistry();
    const s = spec(t.create("services", { metadata: { name: "s" }, spec: { ports: [{ name: "a", port: 80 }, { name: "b", port: 53, protocol: "UDP", targetPort: "dns" }] } }));
    expect(s["ports"]).toEqual([
      { name: "a", port: 80, protocol: "TCP", targetPort: 80 },
      { name: "b", port: 53, protocol: "UDP", targetPort: "dns" },
    ]);
  });

  it("status sent on create is dropped; an LB ingress IP written later gets ipMode VIP", () => {
    const t = testRegistry();
    const created = t.create("services", { ...svc("lb", { type: "LoadBalancer" }), status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } });
    expect(created["status"]).toEqual({ loadBalancer: {} });
    const r = t.reg.patch(t.rt("services"), "default", "lb", "merge", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } }, { subresource: "status" });
    expect(r.obj["status"]).toEqual({ loadBalancer: { ingress: [{ ip: "192.0.2.1", ipMode: "VIP" }] } });
  });
});

describe("Service node ports and cluster IPs", () => {
  it("NodePort and LoadBalancer get node ports in range; ports with one number share one", () => {
    const t = testRegistry({ nodePorts: "30000-30100" });
    const s = spec(t.create("services", { metadata: { name: "s" }, spec: { type: "NodePort", ports: [{ name: "tcp", port: 53 }, { name: "udp", port: 53, protocol: "UDP" }, { name: "h", port: 80 }] } }));
    const nps = (s["ports"] as JsonObject[]).map((p) => p["nodePort"] as number);
    for (const np of nps) expect(np >= 30000 && np <= 30100).toBe(true);
    expect(nps[0]).toBe(nps[1]);
    expect(nps[2]).not.toBe(nps[0]);
  });

  it("allocateLoadBalancerNodePorts: false allocates none", () => {
    const t = testRegistry();
    const s = spec(t.create("services", svc("s", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false })));
    expect((s["ports"] as JsonObject[])[0]?.["nodePort"]).toBeUndefined();
  });

  it("a LoadBalancer with externalTrafficPolicy Local gets a health check node port", () => {
    const t = testRegistry();
    const s = spec(t.create("services", svc("s", { type: "LoadBalancer", externalTrafficPolicy: "Local" })));
    expect(typeof s["healthCheckNodePort"]).toBe("number");
  });

  it("changing the type to ClusterIP releases node ports for reuse", () => {
    const t = testRegistry({ nodePorts: "30000-30000" });
    const lb = spec(t.create("services", svc("a", { type: "LoadBalancer" })));
    expect((lb["ports"] as JsonObject[])[0]?.["nodePort"]).toBe(30000);
    expect(errorOf(() => t.create("services", svc("b", { type: "NodePort" }))).code).toBe("InternalError"); // range full
    const changed = t.reg.patch(t.rt("services"), "default", "a", "merge", { spec: { type: "ClusterIP" } });
    const cs = spec(changed.obj);
    expect((cs["ports"] as JsonObject[])[0]?.["nodePort"]).toBeUndefined();
    expect(cs["externalTrafficPolicy"]).toBeUndefined();
    expect(cs["allocateLoadBalancerNodePorts"]).toBeUndefined();
    expect(cs["clusterIP"]).toBe(lb["clusterIP"]);
    const b = spec(t.create("services", svc("b", { type: "NodePort" })));
    expect((b["ports"] as JsonObject[])[0]?.["nodePort"]).toBe(30000);
  });

  it("deletion releases the cluster IP", () => {
    const t = testRegistry({ ranges: ["10.96.0.0/30"] });
    const a = spec(t.create("services", svc("a", {})));
    const b = spec(t.create("services", svc("b", {})));
    expect(new Set([a["clusterIP"], b["clusterIP"]])).toEqual(new Set(["10.96.0.1", "10.96.0.2"]));
    t.reg.delete(t.rt("services"), "default", "a");
    expect(spec(t.create("services", svc("c", {})))["clusterIP"]).toBe(a["clusterIP"]);
  });

  it("an update that omits allocated values keeps them", () => {
    const t = testRegistry();
    const created = t.create("services", svc("s", { type: "NodePort" }));
    const body = { metadata: { name: "s" }, spec: { type: "NodePort", ports: [{ port: 80 }] } };
    const s = spec(t.reg.update(t.rt("services"), "default", "s", body).obj);
    expect(s["clusterIP"]).toBe(spec(created)["clusterIP"]);
    expect((s["ports"] as JsonObject[])[0]?.["nodePort"]).toBe((spec(created)["ports"] as JsonObject[])[0]?.["nodePort"]);
  });

  it("upgrading to PreferDualStack adds the second family; SingleStack drops it again", () => {
    const t = testRegistry();
    t.create("services", svc("s", {}));
    const up = spec(t.reg.patch(t.rt("services"), "default", "s", "merge", { spec: { ipFamilyPolicy: "PreferDualStack" } }).obj);
    expect(up["ipFamilies"]).toEqual(["IPv4", "IPv6"]);
    expect(up["clusterIPs"]).toHaveLength(2);
    const down = spec(t.reg.patch(t.rt("services"), "default", "s", "merge", { spec: { ipFamilyPolicy: "SingleStack" } }).obj);
    expect(down["ipFamilies"]).toEqual(["IPv4"]);
    expect(down["clusterIPs"]).toEqual([up["clusterIP"]]);
    expect(t.allocators.ips[1]?.usedCount).toBe(0); // the IPv6 address went back to the pool
  });
});

describe("Service validation", () => {
  // [name, spec, fields named in the 422]
  const invalid: [string, JsonObject, string[]][] = [
    ["duplicate port", { ports: [{ name: "a", port: 80 }, { name: "b", port: 80 }] }, ["spec.ports[1]"]],
    // targetPort defaults to the port, so it is out of range too.
    ["port out of range", { ports: [{ port: 70000 }] }, ["spec.ports[0].port", "spec.ports[0].targetPort"]],
    ["two ports without names", { ports: [{ port: 80 }, { port: 81 }] }, ["spec.ports[0].name", "spec.ports[1].name"]],
    ["unknown protocol", { ports: [{ port: 80, protocol: "ICMP" }] }, ["spec.ports[0].protocol"]],
    ["no ports", { ports: [] }, ["spec.ports"]],
    ["unknown type", { type: "Magic" }, ["spec.type"]],
    ["invalid clusterIP", { clusterIP: "10.96.0.300" }, ["spec.clusterIPs[0]"]],
    ["clusterIP outside the service range", { clusterIP: "192.0.2.1" }, ["spec.clusterIPs"]],
    ["nodePort on ClusterIP", { ports: [{ port: 80, nodePort: 30001 }] }, ["spec.ports[0].nodePort"]],
    ["nodePort out of range", { type: "NodePort", ports: [{ port: 80, nodePort: 1 }] }, ["spec.ports[0].nodePort"]],
    ["loadBalancerClass on ClusterIP", { loadBalancerClass: "ironlb.io/lb" }, ["spec.loadBalancerClass"]],
    ["invalid loadBalancerClass", { type: "LoadBalancer", loadBalancerClass: "not a name" }, ["spec.loadBalancerClass"]],
    ["externalTrafficPolicy on ClusterIP", { externalTrafficPolicy: "Local" }, ["spec.externalTrafficPolicy"]],
    ["SingleStack with two families", { ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv4", "IPv6"] }, ["spec.ipFamilyPolicy"]],
    ["invalid loadBalancerIP", { type: "LoadBalancer", loadBalancerIP: "x" }, ["spec.loadBalancerIP"]],
    ["loadBalancerSourceRanges on NodePort", { type: "NodePort", loadBalancerSourceRanges: ["10.0.0.0/8"] }, ["spec.loadBalancerSourceRanges"]],
  ];
  it.each(invalid)("%s is 422 Invalid", (_name, s, fields) => {
    const t = testRegistry();
    const err = errorOf(() => t.create("services", svc("s", s)));
    expect(err).toMatchObject({ code: "Invalid", httpStatus: 422 });
    expect(err.fields).toEqual(fields);
    // Nothing was allocated for a rejected Service.
    expect(t.allocators.ips[0]?.usedCount).toBe(0);
  });

  it("a requested cluster IP already in use is 422", () => {
    const t = testRegistry();
    t.create("services", svc("a", { clusterIP: "10.96.0.10" }));
    const err = errorOf(() => t.create("services", svc("b", { clusterIP: "10.96.0.10" })));
    expect(err.code).toBe("Invalid");
    expect(err.message).toContain("provided IP is already allocated");
  });

  it("an invalid name is 422 (Service names are DNS-1035 labels)", () => {
    const t = testRegistry();
    expect(errorOf(() => t.create("services", svc("1abc", {}))).fields).toEqual(["metadata.name"]);
  });

  it("loadBalancerClass is immutable once set, and the cluster IP too", () => {
    const t = testRegistry();
    t.create("services", svc("s", { type: "LoadBalancer", loadBalancerClass: "ironlb.io/lb" }));
    const services = t.rt("services");
    expect(errorOf(() => t.reg.patch(services, "default", "s", "merge", { spec: { loadBalancerClass: "other.io/lb" } })).fields).toEqual(["spec.loadBalancerClass"]);
    expect(errorOf(() => t.reg.patch(services, "default", "s", "merge", { spec: { loadBalancerClass: null } })).fields).toEqual(["spec.loadBalancerClass"]);
    expect(errorOf(() => t.reg.patch(services, "default", "s", "merge", { spec: { clusterIP: "10.96.0.99", clusterIPs: ["10.96.0.99"] } })).fields).toEqual(["spec.clusterIPs[0]"]);
    // Leaving LoadBalancer drops the class with the type.
    expect(spec(t.reg.patch(services, "default", "s", "merge", { spec: { type: "ClusterIP" } }).obj)["loadBalancerClass"]).toBeUndefined();
  });

  // [status, field named in the 422]
  const badStatus: [JsonObject, string][] = [
    [{ loadBalancer: { ingress: [{ ip: "foo" }] } }, "status.loadBalancer.ingress[0].ip"],
    [{ loadBalancer: { ingress: [{ ip: "192.0.2.1" }, { ip: "2001:db8::zz" }] } }, "status.loadBalancer.ingress[1].ip"],
    [{ loadBalancer: { ingress: [{ hostname: "192.0.2.1" }] } }, "status.loadBalancer.ingress[0].hostname"],
    [{ loadBalancer: { ingress: [{ ip: "192.0.2.1", ipMode: "Bridge" }] } }, "status.loadBalancer.ingress[0].ipMode"],
    [{ conditions: [{ type: "ironlb.io/Allocated", status: "True", lastTransitionTime: "2025-01-01T00:00:00Z", reason: "", message: "" }] }, "status.conditions[0].reason"],
    [{ conditions: [{ type: "ironlb.io/Allocated", status: "Maybe", lastTransitionTime: "2025-01-01T00:00:00Z", reason: "Ok", message: "" }] }, "status.conditions[0].status"],
  ];
  it.each(badStatus)("status %j is 422 naming %s", (status, field) => {
    const t = testRegistry();
    t.create("services", svc("s", { type: "LoadBalancer" }));
    const err = errorOf(() => t.reg.patch(t.rt("services"), "default", "s", "merge", { status }, { subresource: "status" }));
    expect(err.code).toBe("Invalid");
    expect(err.fields).toEqual([field]);
  });
});
