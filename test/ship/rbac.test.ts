// The RBAC evaluation the least-privilege suite relies on, as tables: a check
// that could not fail would prove nothing about the manifests.
import { describe, expect, it } from "vitest";
import { allowed, grantsFor, unusedPermissions, type ApiRequest } from "./rbac.ts";

const SA = { namespace: "sys", name: "agent" };
const objects = [
  {
    kind: "ClusterRole",
    metadata: { name: "c" },
    rules: [
      { apiGroups: [""], resources: ["services"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["services/status"], verbs: ["patch"] },
    ],
  },
  { kind: "ClusterRoleBinding", metadata: { name: "cb" }, roleRef: { kind: "ClusterRole", name: "c" }, subjects: [{ kind: "ServiceAccount", name: "agent", namespace: "sys" }] },
  {
    kind: "Role",
    metadata: { name: "r", namespace: "sys" },
    rules: [
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["key"], verbs: ["list", "watch"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    ],
  },
  { kind: "RoleBinding", metadata: { name: "rb", namespace: "sys" }, roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "agent", namespace: "sys" }] },
  // Binds someone else: must not reach the agent.
  { kind: "ClusterRole", metadata: { name: "admin" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
  { kind: "ClusterRoleBinding", metadata: { name: "other" }, roleRef: { kind: "ClusterRole", name: "admin" }, subjects: [{ kind: "ServiceAccount", name: "agent", namespace: "elsewhere" }] },
];

const req = (verb: string, resource: string, o: Partial<ApiRequest> = {}): ApiRequest => ({ verb, group: "", resource, subresource: "", namespace: "", name: "", ...o });

describe("RBAC evaluation", () => {
  const grants = grantsFor(objects, SA);

  it.each<[string, ApiRequest, boolean]>([
    ["cluster list of services", req("list", "services"), true],
    ["status patch in any namespace", req("patch", "services", { subresource: "status", namespace: "default", name: "web" }), true],
    ["patch of the main resource is not the status subresource", req("patch", "services", { namespace: "default", name: "web" }), false],
    ["a verb not granted", req("delete", "services", { namespace: "default", name: "web" }), false],
    ["the named secret, by field selector", req("list", "secrets", { namespace: "sys", name: "key" }), true],
    ["another secret", req("list", "secrets", { namespace: "sys", name: "other" }), false],
    ["all secrets (no name): resourceNames cannot allow it", req("list", "secrets", { namespace: "sys" }), false],
    ["the named secret in another namespace: a RoleBinding is local", req("list", "secrets", { namespace: "default", name: "key" }), false],
    ["create a lease in the namespace", req("create", "leases", { group: "coordination.k8s.io", namespace: "sys" }), true],
    ["a lease of the core group is another resource", req("create", "leases", { namespace: "sys" }), false],
    ["someone else's admin binding does not reach", req("delete", "nodes", { name: "n1" }), false],
  ])("%s", (_what, r, want) => {
    expect(allowed(grants, r)).toBe(want);
  });

  it("lists exactly the permissions no request used", () => {
    const used = [req("list", "services"), req("patch", "services", { subresource: "status", namespace: "x", name: "y" }), req("list", "secrets", { namespace: "sys", name: "key" })];
    expect(unusedPermissions(grants, used).map((p) => `${p.verb} ${p.resource} ${p.name}`.trim())).toEqual(["watch services", "watch secrets key", "create leases"]);
  });

  it("refuses a binding to a role that is not there", () => {
    expect(() => grantsFor([objects[1] as (typeof objects)[number]], SA)).toThrow(/ClusterRole\/c, which is not among the objects/);
  });
});
