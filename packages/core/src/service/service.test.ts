import { describe, expect, test } from "vitest";
import { formatIp } from "../ip/index.ts";
import { readAnnotation, usesDeprecatedAnnotations } from "./annotations.ts";
import { clusterIpFamily, handlesClass, ingressIps, requestedIps, requestedPool, selectorString, toServiceRequest, type ServiceObject } from "./service.ts";

const svc = (over: { annotations?: Record<string, string>; spec?: NonNullable<ServiceObject["spec"]>; status?: ServiceObject["status"] } = {}): ServiceObject => ({
  metadata: { name: "web", namespace: "prod", labels: { app: "web" }, annotations: over.annotations ?? {} },
  spec: { type: "LoadBalancer", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ports: [{ port: 80 }], ...over.spec },
  ...(over.status ? { status: over.status } : {}),
});

describe("annotations", () => {
  test.each([
    [{ "ironlb.io/address-pool": "a", "metallb.io/address-pool": "b" }, "a", false],
    [{ "metallb.io/address-pool": "b", "metallb.universe.tf/address-pool": "c" }, "b", false],
    [{ "metallb.universe.tf/address-pool": "c" }, "c", true],
  ])("precedence ironlb.io > metallb.io > metallb.universe.tf: %o", (annotations, value, deprecated) => {
    expect(readAnnotation(annotations, "address-pool")).toMatchObject({ value, deprecated });
  });
  test("deprecated prefix detection", () => {
    expect(usesDeprecatedAnnotations({ "metallb.universe.tf/allow-shared-ip": "k" })).toBe(true);
    expect(usesDeprecatedAnnotations({ "metallb.io/allow-shared-ip": "k" })).toBe(false);
  });
});

describe("requestedIps (§2.2)", () => {
  test.each([
    ["none", {}, undefined, []],
    ["spec.loadBalancerIP", {}, "198.51.100.7", ["198.51.100.7"]],
    ["annotation, trimmed, both families", { "metallb.io/loadBalancerIPs": " 198.51.100.7 , 2001:db8::7" }, undefined, ["198.51.100.7", "2001:db8::7"]],
  ])("%s", (_d, annotations, lbip, want) => {
    const r = requestedIps(svc({ annotations, spec: lbip ? { loadBalancerIP: lbip } : {} }));
    expect(r.ok && r.value.map(formatIp)).toEqual(want);
  });
  test.each([
    ["both annotation and spec", { "ironlb.io/loadBalancerIPs": "198.51.100.7" }, "198.51.100.8"],
    ["two of one family", { "ironlb.io/loadBalancerIPs": "198.51.100.7,198.51.100.8" }, undefined],
    ["three", { "ironlb.io/loadBalancerIPs": "198.51.100.7,2001:db8::1,198.51.100.8" }, undefined],
    ["not an IP", { "ironlb.io/loadBalancerIPs": "web.example" }, undefined],
  ])("%s is INVALID_REQUEST", (_d, annotations, lbip) => {
    const r = requestedIps(svc({ annotations, spec: lbip ? { loadBalancerIP: lbip } : {} }));
    expect(r.ok ? "ok" : r.error.code).toBe("INVALID_REQUEST");
  });
});

describe("toServiceRequest", () => {
  test("family comes from clusterIPs, not ipFamilies (§2.1 step 3)", () => {
    expect(clusterIpFamily(svc({ spec: { clusterIPs: ["10.96.0.1", "fd00::1"], ipFamilies: ["IPv4"] } }))).toEqual({ ok: true, value: "dual" });
    expect(clusterIpFamily(svc({ spec: { clusterIP: "fd00::1", clusterIPs: [] } }))).toEqual({ ok: true, value: "ipv6" });
    const none = clusterIpFamily(svc({ spec: { clusterIP: "", clusterIPs: [] } }));
    expect(none.ok ? "ok" : none.error.code).toBe("NO_CLUSTER_IP");
  });
  test("backend key is the sorted selector for ETP Local and empty for Cluster; ports default TCP", () => {
    const local = toServiceRequest(svc({ spec: { externalTrafficPolicy: "Local", selector: { tier: "fe", app: "web" }, ports: [{ port: 53, protocol: "UDP" }, { port: 53 }] } }), { team: "a" });
    expect(local.ok && local.value).toMatchObject({
      key: "prod/web", backendKey: "app=web,tier=fe", namespaceLabels: { team: "a" },
      ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }], ipFamilyPolicy: "SingleStack", primaryFamily: "ipv4", sharingKey: null,
    });
    const cluster = toServiceRequest(svc({ annotations: { "metallb.universe.tf/allow-shared-ip": "dns" }, spec: { selector: { app: "web" } } }), {});
    expect(cluster.ok && cluster.value).toMatchObject({ backendKey: "", sharingKey: "dns" });
  });
  test("primary family follows ipFamilies[0] for dual-stack", () => {
    const r = toServiceRequest(svc({ spec: { clusterIPs: ["fd00::1", "10.96.0.1"], ipFamilies: ["IPv6", "IPv4"], ipFamilyPolicy: "PreferDualStack" } }), {});
    expect(r.ok && r.value).toMatchObject({ family: "dual", primaryFamily: "ipv6", ipFamilyPolicy: "PreferDualStack" });
  });
  test("selectorString matches client-go labels.Set.String()", () => {
    expect(selectorString({ b: "2", a: "1" })).toBe("a=1,b=2");
    expect(selectorString(undefined)).toBe("");
  });
});

test("ingress IPs skip hostname-only and unparsable entries", () => {
  const s = svc({ status: { loadBalancer: { ingress: [{ ip: "198.51.100.1" }, { hostname: "lb.example" }, { ip: "bogus" }, { ip: "2001:db8::1" }] } } });
  expect(ingressIps(s).map(formatIp)).toEqual(["198.51.100.1", "2001:db8::1"]);
});

test("requestedPool and loadBalancerClass rule (§2.8)", () => {
  expect(requestedPool(svc({ annotations: { "metallb.io/address-pool": "gold" } }))).toBe("gold");
  expect(requestedPool(svc())).toBeNull();
  expect(handlesClass(svc(), null)).toBe(true);
  expect(handlesClass(svc({ spec: { loadBalancerClass: "other" } }), null)).toBe(false);
  expect(handlesClass(svc({ spec: { loadBalancerClass: "ironlb.io/lb" } }), "ironlb.io/lb")).toBe(true);
  expect(handlesClass(svc(), "ironlb.io/lb")).toBe(false);
});
