// Service validation (ValidateService, ValidateServiceUpdate and the status
// rules of ValidateLoadBalancerStatus) for the fields the apiserver checks
// and IronLB cares about, with the apiserver's field paths and reasons:
// type, ports, cluster IPs and families, traffic policies, loadBalancerClass
// (immutable once set), node ports and status.loadBalancer.ingress.
//
// Allocation conflicts (IP or port already in use) are reported by the
// allocator in service.ts, after these checks pass.
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooMany,
  type FieldError,
} from "./errors.ts";
import { parseIp } from "./ip-alloc.ts";
import { isObject, type JsonObject } from "./object.ts";
import { isQualifiedName } from "./selectors.ts";
import { externallyAccessible, isHeadless, needsHealthCheckNodePort, portsOf, str, typeOf } from "./service-defaults.ts";
import { IP_HINT, isDnsLabel, isDnsSubdomain, isIanaSvcName, validateConditions } from "./validation.ts";

const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const AFFINITY = ["ClientIP", "None"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const FAMILIES = ["IPv4", "IPv6"];
const IP_MODES = ["Proxy", "VIP"];

function validatePorts(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ports = portsOf(spec);
  const type = typeOf(spec);
  if (ports.length === 0 && type !== "ExternalName" && !isHeadless(spec)) errs.push(fieldRequired("spec.ports"));
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    const name = str(p["name"]);
    if (ports.length > 1 && name === "") errs.push(fieldRequired(`${f}.name`));
    if (name !== "") {
      if (!isDnsLabel(name)) errs.push(fieldInvalid(`${f}.name`, name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
      else if (names.has(name)) errs.push(fieldDuplicate(`${f}.name`, name));
      names.add(name);
    }
    const port = p["port"];
    if (typeof port !== "number" || port < 1 || port > 65535) errs.push(fieldInvalid(`${f}.port`, port ?? 0, "must be between 1 and 65535, inclusive"));
    const protocol = str(p["protocol"]);
    if (!PROTOCOLS.includes(protocol)) errs.push(fieldNotSupported(`${f}.protocol`, protocol, PROTOCOLS));
    const tp = p["targetPort"];
    if (typeof tp === "number" && (tp < 1 || tp > 65535)) errs.push(fieldInvalid(`${f}.targetPort`, tp, "must be between 1 and 65535, inclusive"));
    if (typeof tp === "string" && !isIanaSvcName(tp)) errs.push(fieldInvalid(`${f}.targetPort`, tp, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
    const key = `${String(port)}/${protocol}`;
    if (keys.has(key)) errs.push(fieldDuplicate(f, { name, protocol, port, targetPort: tp ?? null, nodePort: p["nodePort"] ?? 0 }));
    keys.add(key);
    const np = p["nodePort"];
    if (typeof np === "number" && np !== 0) {
      if (type === "ClusterIP" || type === "ExternalName") errs.push(fieldForbidden(`${f}.nodePort`, `may not be used when \`type\` is '${type}'`));
      const npKey = `${np}/${protocol}`;
      if (nodePorts.has(npKey)) errs.push(fieldDuplicate(`${f}.nodePort`, np));
      nodePorts.add(npKey);
    }
  });
  return errs;
}

function validateClusterIPs(spec: JsonObject, clusterDualStack: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeOf(spec);
  const ip = str(spec["clusterIP"]);
  const ips = Array.isArray(spec["clusterIPs"]) ? spec["clusterIPs"] : [];
  if (type === "ExternalName") {
    if (ip !== "" || ips.length > 0) errs.push(fieldForbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    return errs;
  }
  if (ips.length > 0 && ip !== "" && ips[0] !== ip) errs.push(fieldInvalid("spec.clusterIPs[0]", ips[0] ?? null, "must match `clusterIP`"));
  if (ips.length > 2) errs.push(fieldTooMany("spec.clusterIPs", ips.length, 2));
  const seenFamilies = new Set<string>();
  ips.forEach((v, i) => {
    const f = `spec.clusterIPs[${i}]`;
    if (typeof v !== "string" || v === "") return void errs.push(fieldRequired(f));
    if (v === "None") {
      if (i > 0 || ips.length > 1) errs.push(fieldInvalid(f, v, "must be a valid IP address, or `None` as the only value"));
      return;
    }
    const p = parseIp(v);
    if (!p) return void errs.push(fieldInvalid(f, v, IP_HINT));
    if (seenFamilies.has(p.family)) errs.push(fieldInvalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
    seenFamilies.add(p.family);
  });
  const policy = spec["ipFamilyPolicy"];
  if (policy !== undefined && !FAMILY_POLICIES.includes(str(policy))) errs.push(fieldNotSupported("spec.ipFamilyPolicy", policy, FAMILY_POLICIES));
  const families = Array.isArray(spec["ipFamilies"]) ? spec["ipFamilies"] : [];
  if (families.length > 2) errs.push(fieldTooMany("spec.ipFamilies", families.length, 2));
  families.forEach((fam, i) => {
    if (!FAMILIES.includes(str(fam))) errs.push(fieldNotSupported(`spec.ipFamilies[${i}]`, fam, FAMILIES));
    else if (families.indexOf(fam) !== i) errs.push(fieldDuplicate(`spec.ipFamilies[${i}]`, fam));
  });
  if ((families.length > 1 || (ips.length > 1 && ips[0] !== "None")) && policy === "SingleStack") {
    errs.push(fieldInvalid("spec.ipFamilyPolicy", policy, "must be RequireDualStack or PreferDualStack when multiple IP families are specified"));
  }
  if (policy === "RequireDualStack" && !clusterDualStack) {
    errs.push(fieldInvalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"));
  }
  return errs;
}

function validateTrafficPolicies(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeOf(spec);
  const etp = spec["externalTrafficPolicy"];
  if (!externallyAccessible(spec)) {
    if (etp !== undefined && etp !== "") errs.push(fieldInvalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
  } else if (etp === undefined || etp === "") errs.push(fieldRequired("spec.externalTrafficPolicy"));
  else if (!TRAFFIC_POLICIES.includes(str(etp))) errs.push(fieldNotSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
  const itp = spec["internalTrafficPolicy"];
  if (type !== "ExternalName") {
    if (itp === undefined || itp === "") errs.push(fieldRequired("spec.internalTrafficPolicy"));
    else if (!TRAFFIC_POLICIES.includes(str(itp))) errs.push(fieldNotSupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
  }
  const hc = spec["healthCheckNodePort"];
  if (typeof hc === "number" && hc !== 0 && !needsHealthCheckNodePort(spec)) {
    errs.push(fieldInvalid("spec.healthCheckNodePort", hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  return errs;
}

function validateLoadBalancerFields(spec: JsonObject, oldSpec: JsonObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const isLB = typeOf(spec) === "LoadBalancer";
  const cls = spec["loadBalancerClass"];
  if (cls !== undefined) {
    if (!isLB) errs.push(fieldForbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
    else if (typeof cls !== "string" || !isQualifiedName(cls)) {
      errs.push(fieldInvalid("spec.loadBalancerClass", cls, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
  }
  // loadBalancerClass is immutable while the Service stays a LoadBalancer.
  if (oldSpec && typeOf(oldSpec) === "LoadBalancer" && isLB && (oldSpec["loadBalancerClass"] ?? null) !== (cls ?? null)) {
    errs.push(fieldInvalid("spec.loadBalancerClass", cls ?? null, "may not change once set"));
  }
  const alloc = spec["allocateLoadBalancerNodePorts"];
  if (alloc !== undefined && !isLB) errs.push(fieldForbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
  const lbIP = str(spec["loadBalancerIP"]);
  if (lbIP !== "" && !parseIp(lbIP)) errs.push(fieldInvalid("spec.loadBalancerIP", lbIP, IP_HINT));
  const ranges = spec["loadBalancerSourceRanges"];
  if (Array.isArray(ranges) && ranges.length > 0) {
    if (!isLB) errs.push(fieldForbidden("spec.loadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const [addr, len] = str(r).split("/");
      const p = addr === undefined ? undefined : parseIp(addr.trim());
      const max = p?.family === "IPv6" ? 128 : 32;
      if (!p || len === undefined || !/^\d+$/.test(len) || Number(len) > max) {
        errs.push(fieldInvalid(`spec.loadBalancerSourceRanges[${i}]`, r, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
      }
    });
  }
  return errs;
}

export function validateServiceStatus(status: unknown, isLB: boolean): FieldError[] {
  if (!isObject(status)) return [];
  const errs: FieldError[] = [];
  const lb = status["loadBalancer"];
  const ingress = isObject(lb) && Array.isArray(lb["ingress"]) ? lb["ingress"] : [];
  ingress.forEach((ing, i) => {
    if (!isObject(ing)) return;
    const f = `status.loadBalancer.ingress[${i}]`;
    const ip = str(ing["ip"]);
    if (ip !== "" && !parseIp(ip)) errs.push(fieldInvalid(`${f}.ip`, ip, IP_HINT));
    const host = str(ing["hostname"]);
    if (host !== "") {
      if (!isDnsSubdomain(host)) errs.push(fieldInvalid(`${f}.hostname`, host, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
      else if (parseIp(host)) errs.push(fieldInvalid(`${f}.hostname`, host, "must be a DNS name, not an IP address"));
    }
    const mode = ing["ipMode"];
    if (mode !== undefined) {
      if (ip === "") errs.push(fieldForbidden(`${f}.ipMode`, "may not be specified when `ip` is not set"));
      else if (!IP_MODES.includes(str(mode))) errs.push(fieldNotSupported(`${f}.ipMode`, mode, IP_MODES));
    } else if (ip !== "" && isLB) errs.push(fieldRequired(`${f}.ipMode`, "must be specified when `ip` is set"));
    const ports = Array.isArray(ing["ports"]) ? ing["ports"] : [];
    ports.forEach((ps, j) => {
      if (!isObject(ps)) return;
      const port = ps["port"];
      if (typeof port !== "number" || port < 1 || port > 65535) errs.push(fieldInvalid(`${f}.ports[${j}].port`, port ?? 0, "must be between 1 and 65535, inclusive"));
      if (!PROTOCOLS.includes(str(ps["protocol"]))) errs.push(fieldNotSupported(`${f}.ports[${j}].protocol`, ps["protocol"] ?? "", PROTOCOLS));
    });
  });
  errs.push(...validateConditions("status.conditions", status["conditions"]));
  return errs;
}

/** ValidateService (+ ValidateServiceUpdate when `oldSpec` is given), before allocation. */
export function validateServiceSpec(spec: JsonObject, oldSpec: JsonObject | undefined, clusterDualStack: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(spec["type"]);
  if (!TYPES.includes(type)) errs.push(fieldNotSupported("spec.type", type, TYPES));
  if (type === "ExternalName") {
    const en = str(spec["externalName"]);
    if (en === "") errs.push(fieldRequired("spec.externalName"));
    else if (!isDnsSubdomain(en.replace(/\.$/, ""))) errs.push(fieldInvalid("spec.externalName", en, "must be a valid DNS name"));
  }
  errs.push(...validatePorts(spec));
  errs.push(...validateClusterIPs(spec, clusterDualStack));
  errs.push(...validateTrafficPolicies(spec));
  errs.push(...validateLoadBalancerFields(spec, oldSpec));
  const affinity = str(spec["sessionAffinity"]);
  if (!AFFINITY.includes(affinity)) errs.push(fieldNotSupported("spec.sessionAffinity", affinity, AFFINITY));
  const cfg = spec["sessionAffinityConfig"];
  const timeout = isObject(cfg) && isObject(cfg["clientIP"]) ? cfg["clientIP"]["timeoutSeconds"] : undefined;
  if (typeof timeout === "number" && (timeout <= 0 || timeout > 86400)) {
    errs.push(fieldInvalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, "must be greater than 0 and less than 86400"));
  }
  const ext = spec["externalIPs"];
  if (Array.isArray(ext)) ext.forEach((ip, i) => void (parseIp(str(ip)) ? undefined : errs.push(fieldInvalid(`spec.externalIPs[${i}]`, ip, IP_HINT))));
  if (oldSpec && typeOf(oldSpec) !== "ExternalName" && type !== "ExternalName") {
    const oldIPs = Array.isArray(oldSpec["clusterIPs"]) ? oldSpec["clusterIPs"] : [];
    const newIPs = Array.isArray(spec["clusterIPs"]) ? spec["clusterIPs"] : [];
    if (oldIPs.length > 0 && newIPs.length > 0 && oldIPs[0] !== newIPs[0]) errs.push(fieldInvalid("spec.clusterIPs[0]", newIPs, "may not change once set"));
    const oldFam = Array.isArray(oldSpec["ipFamilies"]) ? oldSpec["ipFamilies"][0] : undefined;
    const newFam = Array.isArray(spec["ipFamilies"]) ? spec["ipFamilies"][0] : undefined;
    if (oldFam !== undefined && newFam !== undefined && oldFam !== newFam) errs.push(fieldInvalid("spec.ipFamilies[0]", newFam, "may not change once set"));
  }
  return errs;
}
