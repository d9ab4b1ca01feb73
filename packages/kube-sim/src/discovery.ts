// Discovery as kubectl and client-go read it: /version, /api (APIVersions),
// /apis (APIGroupList), /apis/<group> (APIGroup), and APIResourceList per
// group version; plus aggregated discovery (apidiscovery.k8s.io v2 and
// v2beta1 APIGroupDiscoveryList) for /api and /apis when the client asks for
// it, which saves kubectl one request per group version.
import { GROUP_VERSIONS, RESOURCES, type ResourceType } from "./resources.ts";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS = ["get", "patch", "update"];

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export function versionBody(v: VersionInfo): object {
  return {
    major: v.major,
    minor: v.minor,
    gitVersion: v.gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-01-01T00:00:00Z",
    goVersion: "go1.23.4",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

function resourcesOf(group: string, version: string): ResourceType[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

export function apiVersions(): object {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] };
}

function apiGroup(group: string): object {
  const versions = GROUP_VERSIONS.filter((gv) => gv.group === group).map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): object {
  const groups = [...new Set(GROUP_VERSIONS.map((gv) => gv.group).filter((g) => g !== ""))];
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(apiGroup) };
}

export function apiGroupBody(group: string): object | undefined {
  if (!GROUP_VERSIONS.some((gv) => gv.group === group && group !== "")) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group) };
}

export function apiResourceList(group: string, version: string): object | undefined {
  if (!GROUP_VERSIONS.some((gv) => gv.group === group && gv.version === version)) return undefined;
  const resources: object[] = [];
  for (const r of resourcesOf(group, version)) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    });
    if (r.statusSubresource) resources.push({ name: `${r.resource}/status`, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: STATUS_VERBS });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group === "" ? version : `${group}/${version}`, resources };
}

/** APIGroupDiscoveryList for /api (core: true) or /apis (core: false). */
export function aggregatedDiscovery(core: boolean, apiVersion: "v2" | "v2beta1"): object {
  const groups = [...new Set(GROUP_VERSIONS.map((gv) => gv.group))].filter((g) => (g === "") === core);
  const items = groups.map((group) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: GROUP_VERSIONS.filter((gv) => gv.group === group).map((gv) => ({
      version: gv.version,
      resources: resourcesOf(group, gv.version).map((r) => ({
        resource: r.resource,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? "Namespaced" : "Cluster",
        singularResource: r.singular,
        verbs: VERBS,
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length > 0 ? { categories: r.categories } : {}),
        ...(r.statusSubresource ? { subresources: [{ subresource: "status", responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: STATUS_VERBS }] } : {}),
      })),
      freshness: "Current",
    })),
  }));
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}

