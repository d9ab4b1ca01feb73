// RBAC as the API server's authorizer evaluates it, for checking manifests
// against the requests the components really make: which rules reach a
// ServiceAccount (RoleBindings limit a Role, or a ClusterRole, to their
// namespace; ClusterRoleBindings grant everywhere), whether a request is
// allowed (apiGroups, resources with "resource/subresource", verbs,
// resourceNames against the request's name, "*" wildcards), and which
// granted permissions no request used.
//
// Deliberately not here: aggregation rules, nonResourceURLs (the components
// make no non-resource requests; the check reports any as not allowed),
// group and user subjects.
import type { RequestLogEntry } from "@ironlb/kube-sim";

/** A request as kube-sim logs it (namespace "" for cluster-scoped requests and lists across all namespaces). */
export type ApiRequest = Pick<RequestLogEntry, "verb" | "group" | "resource" | "subresource" | "namespace" | "name">;

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** A rule as it reaches a subject: everywhere, or only inside one namespace. */
export interface Grant {
  readonly namespace: string | null;
  readonly rule: PolicyRule;
  /** "ClusterRole/x via ClusterRoleBinding/y", for messages. */
  readonly source: string;
}

interface K8sObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly rules?: readonly PolicyRule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: readonly { readonly kind: string; readonly name: string; readonly namespace?: string }[];
}

/** Every rule that reaches ServiceAccount namespace/name through the bindings among `objects`. */
export function grantsFor(objects: readonly K8sObject[], sa: { readonly namespace: string; readonly name: string }): Grant[] {
  const roles = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind === "ClusterRole") roles.set(`ClusterRole//${o.metadata?.name}`, o);
    if (o.kind === "Role") roles.set(`Role/${o.metadata?.namespace}/${o.metadata?.name}`, o);
  }
  const grants: Grant[] = [];
  for (const b of objects) {
    if (b.kind !== "RoleBinding" && b.kind !== "ClusterRoleBinding") continue;
    const bindsSa = (b.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === sa.name && s.namespace === sa.namespace);
    if (!bindsSa || b.roleRef === undefined) continue;
    const scope = b.kind === "RoleBinding" ? (b.metadata?.namespace ?? "") : null;
    const key = b.roleRef.kind === "ClusterRole" ? `ClusterRole//${b.roleRef.name}` : `Role/${scope}/${b.roleRef.name}`;
    const role = roles.get(key);
    if (role === undefined) throw new Error(`${b.kind}/${b.metadata?.name} refers to ${b.roleRef.kind}/${b.roleRef.name}, which is not among the objects`);
    for (const rule of role.rules ?? []) grants.push({ namespace: scope, rule, source: `${b.roleRef.kind}/${b.roleRef.name} via ${b.kind}/${b.metadata?.name}` });
  }
  return grants;
}

function has(list: readonly string[] | undefined, value: string): boolean {
  return list !== undefined && (list.includes("*") || list.includes(value));
}

export function ruleAllows(g: Grant, r: ApiRequest): boolean {
  if (g.namespace !== null && r.namespace !== g.namespace) return false;
  const rule = g.rule;
  if (!has(rule.apiGroups, r.group) || !has(rule.verbs, r.verb)) return false;
  const res = r.subresource === "" ? r.resource : `${r.resource}/${r.subresource}`;
  if (!has(rule.resources, res)) return false;
  // resourceNames can only authorise a request that names an object (create and unnamed lists cannot).
  if (rule.resourceNames !== undefined && rule.resourceNames.length > 0) return r.name !== "" && rule.resourceNames.includes(r.name);
  return true;
}

export function allowed(grants: readonly Grant[], r: ApiRequest): boolean {
  return grants.some((g) => ruleAllows(g, r));
}

/** One grantable unit: a verb on a resource (or subresource) of a group, perhaps one name, in a scope. */
export interface Permission {
  readonly scope: string;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly name: string;
  readonly source: string;
}

/** Granted permissions that none of `requests` exercised. Wildcards count as one permission each. */
export function unusedPermissions(grants: readonly Grant[], requests: readonly ApiRequest[]): Permission[] {
  const unused: Permission[] = [];
  for (const g of grants) {
    const names = g.rule.resourceNames !== undefined && g.rule.resourceNames.length > 0 ? g.rule.resourceNames : [""];
    for (const group of g.rule.apiGroups ?? [])
      for (const resource of g.rule.resources ?? [])
        for (const verb of g.rule.verbs)
          for (const name of names) {
            const [res, sub] = resource.split("/") as [string, string | undefined];
            const used = requests.some(
              (r) =>
                (group === "*" || r.group === group) &&
                (res === "*" || r.resource === res) &&
                (resource === "*" || (r.subresource === "") === (sub === undefined)) &&
                (sub === undefined || sub === "*" || r.subresource === sub) &&
                (verb === "*" || r.verb === verb) &&
                (name === "" || r.name === name) &&
                (g.namespace === null || r.namespace === g.namespace),
            );
            if (!used) unused.push({ scope: g.namespace ?? "(cluster)", group, resource, verb, name, source: g.source });
          }
  }
  return unused;
}

export function formatRequest(r: ApiRequest): string {
  const res = `${r.resource}${r.subresource === "" ? "" : `/${r.subresource}`}${r.group === "" ? "" : `.${r.group}`}`;
  return `${r.verb} ${res}${r.name === "" ? "" : ` "${r.name}"`} ${r.namespace === "" ? "(all namespaces / cluster)" : `in ${r.namespace}`}`;
}

export function formatPermission(p: Permission): string {
  return `${p.verb} ${p.resource}${p.group === "" ? "" : `.${p.group}`}${p.name === "" ? "" : ` "${p.name}"`} in ${p.scope} (${p.source})`;
}
