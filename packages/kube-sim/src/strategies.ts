// Strategies of the kinds other than Service: Namespace (phase, the
// kubernetes.io/metadata.name label), Node (status kept on create), Pod
// (defaults, pending status, immutable spec), ConfigMap and Secret (key
// names, `immutable`, stringData), Endpoints, EndpointSlice, Lease, and
// Events in both API groups. Each checks what the apiserver checks for the
// fields IronLB and its tests use; deeper checks (volumes, probes, affinity)
// are left out on purpose.
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
import { deepEqual, isObject, type JsonObject, type JsonValue, type KubeObject } from "./object.ts";
import { isQualifiedName } from "./selectors.ts";
import type { Strategy } from "./strategy.ts";
import { IP_HINT, isDnsLabel, isDnsSubdomain, validateIp } from "./validation.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v.filter(isObject) as JsonObject[]) : []);
const section = (o: KubeObject, k: string): JsonObject => {
  const v = o[k];
  if (isObject(v)) return v;
  const fresh: JsonObject = {};
  o[k] = fresh;
  return fresh;
};

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validatePort(f: string, p: JsonObject, allowZero = false): FieldError[] {
  const errs: FieldError[] = [];
  const port = p["port"];
  const min = allowZero ? 0 : 1;
  if (typeof port !== "number" || port < min || port > 65535) errs.push(fieldInvalid(`${f}.port`, port ?? 0, `must be between ${min} and 65535, inclusive`));
  const proto = p["protocol"];
  if (proto !== undefined && !PROTOCOLS.includes(str(proto))) errs.push(fieldNotSupported(`${f}.protocol`, proto, PROTOCOLS));
  return errs;
}

export const namespaceStrategy: Strategy = {
  statusOnCreate: "reset",
  create(ns) {
    ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name ?? "" };
    const spec = section(ns, "spec");
    if (!Array.isArray(spec["finalizers"])) spec["finalizers"] = ["kubernetes"];
    ns["status"] = { phase: "Active" };
    return [];
  },
  update(ns) {
    // The apiserver keeps this label in step with the name, whatever the client sends.
    ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name ?? "" };
    return [];
  },
};

const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const ADDRESS_TYPES = ["ExternalDNS", "ExternalIP", "Hostname", "InternalDNS", "InternalIP"];
const CONDITION_STATUS = ["False", "True", "Unknown"];

function validateNode(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObject(node["spec"]) ? node["spec"] : {};
  list(spec["taints"]).forEach((t, i) => {
    if (!isQualifiedName(str(t["key"]))) errs.push(fieldInvalid(`spec.taints[${i}].key`, t["key"] ?? "", "name part must consist of alphanumeric characters, '-', '_' or '.'"));
    if (!TAINT_EFFECTS.includes(str(t["effect"]))) errs.push(fieldNotSupported(`spec.taints[${i}].effect`, t["effect"] ?? "", TAINT_EFFECTS));
  });
  const status = isObject(node["status"]) ? node["status"] : {};
  list(status["addresses"]).forEach((a, i) => {
    if (!ADDRESS_TYPES.includes(str(a["type"]))) errs.push(fieldNotSupported(`status.addresses[${i}].type`, a["type"] ?? "", ADDRESS_TYPES));
  });
  list(status["conditions"]).forEach((c, i) => {
    if (str(c["type"]) === "") errs.push(fieldRequired(`status.conditions[${i}].type`));
    if (!CONDITION_STATUS.includes(str(c["status"]))) errs.push(fieldNotSupported(`status.conditions[${i}].status`, c["status"] ?? "", CONDITION_STATUS));
  });
  return errs;
}

export const nodeStrategy: Strategy = {
  // "Nodes allow *all* fields, including status, to be set on create."
  statusOnCreate: "keep",
  create: (node) => validateNode(node),
  update: (node) => validateNode(node),
};

function defaultContainer(c: JsonObject): void {
  c["terminationMessagePath"] ??= "/dev/termination-log";
  c["terminationMessagePolicy"] ??= "File";
  if (c["imagePullPolicy"] === undefined) {
    const image = str(c["image"]);
    const tag = image.includes("@") ? "digest" : /:[^/]+$/.test(image) ? image.slice(image.lastIndexOf(":") + 1) : "latest";
    c["imagePullPolicy"] = tag === "latest" ? "Always" : "IfNotPresent";
  }
  for (const p of list(c["ports"])) p["protocol"] ??= "TCP";
}

function validateContainers(f: string, containers: JsonObject[], required: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (required && containers.length === 0) errs.push(fieldRequired(f));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const name = str(c["name"]);
    if (name === "") errs.push(fieldRequired(`${f}[${i}].name`));
    else if (!isDnsLabel(name)) errs.push(fieldInvalid(`${f}[${i}].name`, name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"));
    else if (names.has(name)) errs.push(fieldDuplicate(`${f}[${i}].name`, name));
    names.add(name);
    if (str(c["image"]) === "") errs.push(fieldRequired(`${f}[${i}].image`));
    list(c["ports"]).forEach((p, j) => {
      const cp = p["containerPort"];
      if (typeof cp !== "number" || cp < 1 || cp > 65535) errs.push(fieldInvalid(`${f}[${i}].ports[${j}].containerPort`, cp ?? 0, "must be between 1 and 65535, inclusive"));
      if (!PROTOCOLS.includes(str(p["protocol"]))) errs.push(fieldNotSupported(`${f}[${i}].ports[${j}].protocol`, p["protocol"] ?? "", PROTOCOLS));
    });
  });
  return errs;
}

function validatePodStatus(pod: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const status = isObject(pod["status"]) ? pod["status"] : {};
  for (const k of ["podIP", "hostIP"]) if (str(status[k]) !== "") errs.push(...validateIp(`status.${k}`, str(status[k])));
  for (const k of ["podIPs", "hostIPs"]) list(status[k]).forEach((p, i) => errs.push(...validateIp(`status.${k}[${i}].ip`, str(p["ip"]))));
  list(status["conditions"]).forEach((c, i) => {
    if (str(c["type"]) === "") errs.push(fieldRequired(`status.conditions[${i}].type`));
    if (!CONDITION_STATUS.includes(str(c["status"]))) errs.push(fieldNotSupported(`status.conditions[${i}].status`, c["status"] ?? "", CONDITION_STATUS));
  });
  return errs;
}

const MUTABLE_POD_SPEC = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

export const podStrategy: Strategy = {
  statusOnCreate: "reset",
  create(pod) {
    const spec = section(pod, "spec");
    spec["restartPolicy"] ??= "Always";
    spec["dnsPolicy"] ??= "ClusterFirst";
    spec["schedulerName"] ??= "default-scheduler";
    spec["terminationGracePeriodSeconds"] ??= 30;
    spec["securityContext"] ??= {};
    spec["enableServiceLinks"] ??= true;
    spec["priority"] ??= 0;
    for (const c of [...list(spec["containers"]), ...list(spec["initContainers"])]) defaultContainer(c);
    const hasResources = list(spec["containers"]).some((c) => isObject(c["resources"]) && Object.keys(c["resources"]).length > 0);
    pod["status"] = { phase: "Pending", qosClass: hasResources ? "Burstable" : "BestEffort" };
    return [...validateContainers("spec.containers", list(spec["containers"]), true), ...validateContainers("spec.initContainers", list(spec["initContainers"]), false)];
  },
  update(pod, old, ctx) {
    if (ctx.subresource === "status") return validatePodStatus(pod);
    const spec = section(pod, "spec");
    for (const c of [...list(spec["containers"]), ...list(spec["initContainers"])]) defaultContainer(c);
    const strip = (s: unknown): JsonValue => {
      const copy = JSON.parse(JSON.stringify(s ?? {})) as JsonObject;
      for (const c of [...list(copy["containers"]), ...list(copy["initContainers"])]) delete c["image"];
      delete copy["activeDeadlineSeconds"];
      delete copy["tolerations"];
      return copy;
    };
    if (!deepEqual(strip(pod["spec"]), strip(old["spec"]))) return [fieldForbidden("spec", MUTABLE_POD_SPEC)];
    return validateContainers("spec.containers", list(spec["containers"]), true);
  },
};

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function validateKeys(kind: "ConfigMap" | "Secret", obj: KubeObject, fields: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    const data = obj[field];
    if (!isObject(data)) continue;
    for (const key of Object.keys(data)) {
      if (key.length > 253 || !CONFIG_KEY.test(key) || key === "." || key === "..") {
        errs.push(fieldInvalid(`${field}[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      }
      if (kind === "ConfigMap" && seen.has(key)) errs.push(fieldDuplicate(`${field}[${key}]`, key));
      seen.add(key);
    }
  }
  const size = fields.reduce((n, f) => n + JSON.stringify(obj[f] ?? {}).length, 0);
  if (size > 1024 * 1024) errs.push({ reason: "FieldValueTooLong", field: fields[0] as string, detail: `may not be more than 1048576 bytes` });
  return errs;
}

function validateImmutable(obj: KubeObject, old: KubeObject, fields: readonly string[]): FieldError[] {
  if (old["immutable"] !== true) return [];
  const errs: FieldError[] = [];
  if (obj["immutable"] !== true) errs.push(fieldForbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(fieldForbidden(f, "field is immutable when `immutable` is set"));
  return errs;
}

export const configMapStrategy: Strategy = {
  statusOnCreate: "keep",
  create: (cm) => validateKeys("ConfigMap", cm, ["data", "binaryData"]),
  update: (cm, old) => [...validateKeys("ConfigMap", cm, ["data", "binaryData"]), ...validateImmutable(cm, old, ["data", "binaryData"])],
};

/** stringData is write-only: merged into data (base64) and dropped, as the apiserver does. */
function foldStringData(secret: KubeObject): void {
  const sd = secret["stringData"];
  if (isObject(sd)) {
    const data = section(secret, "data");
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(str(v), "utf8").toString("base64");
  }
  delete secret["stringData"];
  if (str(secret["type"]) === "") secret["type"] = "Opaque";
}

export const secretStrategy: Strategy = {
  statusOnCreate: "keep",
  create(secret) {
    foldStringData(secret);
    return validateKeys("Secret", secret, ["data"]);
  },
  update(secret, old) {
    foldStringData(secret);
    const errs = [...validateKeys("Secret", secret, ["data"]), ...validateImmutable(secret, old, ["data"])];
    if (secret["type"] !== old["type"]) errs.push(fieldInvalid("type", secret["type"] ?? "", "field is immutable"));
    return errs;
  },
};

function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(ep["subsets"]).forEach((s, i) => {
    for (const k of ["addresses", "notReadyAddresses"]) {
      list(s[k]).forEach((a, j) => errs.push(...validateIp(`subsets[${i}].${k}[${j}].ip`, str(a["ip"]))));
    }
    list(s["ports"]).forEach((p, j) => errs.push(...validatePort(`subsets[${i}].ports[${j}]`, p)));
  });
  return errs;
}

export const endpointsStrategy: Strategy = {
  statusOnCreate: "keep",
  create: (ep) => validateEndpoints(ep),
  update: (ep) => validateEndpoints(ep),
};

const ADDRESS_FAMILIES = ["FQDN", "IPv4", "IPv6"];

function validateEndpointSlice(es: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(es["addressType"]);
  if (type === "") errs.push(fieldRequired("addressType"));
  else if (!ADDRESS_FAMILIES.includes(type)) errs.push(fieldNotSupported("addressType", type, ADDRESS_FAMILIES));
  if (old && old["addressType"] !== es["addressType"]) errs.push(fieldInvalid("addressType", type, "field is immutable"));
  const endpoints = list(es["endpoints"]);
  if (endpoints.length > 1000) errs.push(fieldTooMany("endpoints", endpoints.length, 1000));
  endpoints.forEach((e, i) => {
    const addrs = Array.isArray(e["addresses"]) ? e["addresses"] : [];
    if (addrs.length === 0) errs.push(fieldRequired(`endpoints[${i}].addresses`, "must contain at least 1 address"));
    if (addrs.length > 100) errs.push(fieldTooMany(`endpoints[${i}].addresses`, addrs.length, 100));
    addrs.forEach((a, j) => {
      const f = `endpoints[${i}].addresses[${j}]`;
      const p = parseIp(str(a));
      if (type === "FQDN") {
        if (!isDnsSubdomain(str(a))) errs.push(fieldInvalid(f, a, "must be a valid DNS name"));
      } else if (!p) errs.push(fieldInvalid(f, a, IP_HINT));
      else if (p.family !== type) errs.push(fieldInvalid(f, a, `must be an ${type} address`));
    });
    const node = str(e["nodeName"]);
    if (node !== "" && !isDnsSubdomain(node)) errs.push(fieldInvalid(`endpoints[${i}].nodeName`, node, "a lowercase RFC 1123 subdomain"));
  });
  const ports = list(es["ports"]);
  if (ports.length > 100) errs.push(fieldTooMany("ports", ports.length, 100));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    if (p["port"] !== undefined) errs.push(...validatePort(`ports[${i}]`, p, true));
    const name = str(p["name"]);
    if (names.has(name)) errs.push(fieldDuplicate(`ports[${i}].name`, name));
    names.add(name);
  });
  return errs;
}

export const endpointSliceStrategy: Strategy = {
  statusOnCreate: "keep",
  create(es) {
    for (const p of list(es["ports"])) p["protocol"] ??= "TCP";
    return validateEndpointSlice(es, undefined);
  },
  update(es, old) {
    for (const p of list(es["ports"])) p["protocol"] ??= "TCP";
    return validateEndpointSlice(es, old);
  },
};

function validateLease(lease: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObject(lease["spec"]) ? lease["spec"] : {};
  const d = spec["leaseDurationSeconds"];
  if (typeof d === "number" && d <= 0) errs.push(fieldInvalid("spec.leaseDurationSeconds", d, "must be greater than 0"));
  const t = spec["leaseTransitions"];
  if (typeof t === "number" && t < 0) errs.push(fieldInvalid("spec.leaseTransitions", t, "must be greater than or equal to 0"));
  return errs;
}

export const leaseStrategy: Strategy = {
  statusOnCreate: "keep",
  create: (l) => validateLease(l),
  update: (l) => validateLease(l),
};

function validateCoreEvent(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const involved = isObject(ev["involvedObject"]) ? ev["involvedObject"] : {};
  const ns = str(involved["namespace"]);
  if (ns !== "" && ns !== ev.metadata.namespace) errs.push(fieldInvalid("involvedObject.namespace", ns, "does not match event.namespace"));
  const type = ev["type"];
  if (type !== undefined && type !== "Normal" && type !== "Warning") errs.push(fieldNotSupported("type", type, ["Normal", "Warning"]));
  return errs;
}

/** events.k8s.io/v1 is stricter than core/v1 (ValidateEventCreate for the events group). Fields are canonical (core) names. */
function validateGroupEvent(ev: KubeObject): FieldError[] {
  const errs = validateCoreEvent(ev);
  if (ev["eventTime"] === undefined) errs.push(fieldRequired("eventTime"));
  if (str(ev["reportingComponent"]) === "") errs.push(fieldRequired("reportingController"));
  else if (!isQualifiedName(str(ev["reportingComponent"]))) errs.push(fieldInvalid("reportingController", ev["reportingComponent"] ?? "", "name part must consist of alphanumeric characters, '-', '_' or '.'"));
  if (str(ev["reportingInstance"]) === "") errs.push(fieldRequired("reportingInstance"));
  if (str(ev["action"]) === "") errs.push(fieldRequired("action"));
  if (str(ev["reason"]) === "") errs.push(fieldRequired("reason"));
  if (str(ev["message"]).length > 1024) errs.push({ reason: "FieldValueTooLong", field: "note", detail: "may not be more than 1024 bytes" });
  return errs;
}

export const coreEventStrategy: Strategy = {
  statusOnCreate: "keep",
  create: (ev) => validateCoreEvent(ev),
  update: (ev) => validateCoreEvent(ev),
};

export const groupEventStrategy: Strategy = {
  statusOnCreate: "keep",
  create: (ev) => validateGroupEvent(ev),
  update: (ev) => validateGroupEvent(ev),
};
