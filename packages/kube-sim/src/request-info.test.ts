import { describe, expect, it } from "vitest";
import { parseRequestInfo } from "./request-info.ts";

describe("parseRequestInfo", () => {
  // [method, path+query, expected summary "verb group/version ns resource name sub" or "nonresource verb path"]
  const cases: [string, string, string][] = [
    ["GET", "/api/v1/namespaces/default/services", "list /v1 default services  "],
    ["GET", "/api/v1/namespaces/default/services?watch=true", "watch /v1 default services  "],
    ["GET", "/api/v1/watch/namespaces/default/services", "watch /v1 default services  "],
    ["GET", "/api/v1/namespaces/default/services/web", "get /v1 default services web "],
    ["GET", "/api/v1/namespaces/default/services?watch=1&fieldSelector=metadata.name%3Dweb", "watch /v1 default services web "],
    ["GET", "/api/v1/namespaces/x/secrets?fieldSelector=type%3DOpaque,metadata.name%3D%3Dkey", "list /v1 x secrets key "],
    ["GET", "/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%21%3Dkey", "list /v1 x secrets  "],
    ["PUT", "/api/v1/namespaces/default/services/web/status", "update /v1 default services web status"],
    ["PATCH", "/api/v1/nodes/n1/status", "patch /v1  nodes n1 status"],
    ["POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", "create coordination.k8s.io/v1 kube-system leases  "],
    ["DELETE", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/x", "delete discovery.k8s.io/v1 default endpointslices x "],
    ["DELETE", "/api/v1/namespaces/default/configmaps", "deletecollection /v1 default configmaps  "],
    ["GET", "/api/v1/namespaces", "list /v1  namespaces  "],
    ["GET", "/api/v1/namespaces/team", "get /v1 team namespaces team "],
    ["PUT", "/api/v1/namespaces/team/status", "update /v1 team namespaces team status"],
    ["GET", "/api/v1/services", "list /v1  services  "],
    ["GET", "/version", "nonresource get /version"],
    ["GET", "/api", "nonresource get /api"],
    ["GET", "/api/v1", "nonresource get /api/v1"],
    ["GET", "/apis/coordination.k8s.io/v1", "nonresource get /apis/coordination.k8s.io/v1"],
    ["GET", "/openapi/v3/api/v1", "nonresource get /openapi/v3/api/v1"],
    ["OPTIONS", "/api/v1/services", "nonresource options /api/v1/services"],
  ];
  it.each(cases)("%s %s", (method, target, want) => {
    const url = new URL(target, "http://x");
    const info = parseRequestInfo(method, url.pathname, url.searchParams);
    const got =
      info.kind === "resource"
        ? `${info.verb} ${info.group}/${info.version} ${info.namespace} ${info.resource} ${info.name} ${info.subresource}`
        : `nonresource ${info.verb} ${info.path}`;
    expect(got).toBe(want);
  });
});
