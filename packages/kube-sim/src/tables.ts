// Server-side printing: the `Table` (meta.k8s.io/v1) that `kubectl get`
// asks for, with the columns and cell formatting of the apiserver's printers
// (pkg/printers/internalversion/printers.go) for the served kinds, and
// HumanDuration for ages.
//
// Not here: every column of every kind; the common ones and `-o wide` ones
// are covered.
import { isObject, type JsonObject, type JsonValue, type KubeObject } from "./object.ts";
import { parseRfc3339 } from "./schema.ts";

export interface Column {
  readonly name: string;
  readonly type: "string" | "integer";
  readonly format?: "name";
  /** 0: default output, 1: `-o wide`. */
  readonly priority: 0 | 1;
  readonly description: string;
  readonly cell: (obj: KubeObject, nowMs: number) => string | number;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

function since(ts: unknown, nowMs: number): string {
  const t = typeof ts === "string" ? parseRfc3339(ts) : undefined;
  if (!t) return "<unknown>";
  return humanDuration(nowMs - t.epochSeconds * 1000);
}

const s = (v: unknown): string => (typeof v === "string" ? v : "");
const o = (v: unknown): JsonObject => (isObject(v) ? v : {});
const a = (v: unknown): JsonValue[] => (Array.isArray(v) ? (v as JsonValue[]) : []);
const orNone = (v: string): string => (v === "" ? "<none>" : v);

const NAME: Column = {
  name: "Name",
  type: "string",
  format: "name",
  priority: 0,
  description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.",
  cell: (obj) => obj.metadata.name ?? "",
};
const AGE: Column = {
  name: "Age",
  type: "string",
  priority: 0,
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  cell: (obj, now) => since(obj.metadata.creationTimestamp, now),
};

function col(name: string, cell: Column["cell"], opts: { type?: "string" | "integer"; priority?: 0 | 1; description?: string } = {}): Column {
  return { name, type: opts.type ?? "string", priority: opts.priority ?? 0, description: opts.description ?? "", cell };
}

function formatLabels(m: unknown): string {
  const entries = Object.entries(o(m)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return orNone(entries.map(([k, v]) => `${k}=${s(v)}`).join(","));
}

function serviceExternalIP(obj: KubeObject, wide: boolean): string {
  const spec = o(obj["spec"]);
  const external = a(spec["externalIPs"]).map(s);
  switch (s(spec["type"])) {
    case "LoadBalancer": {
      const ingress = a(o(o(obj["status"])["loadBalancer"])["ingress"]).map((i) => s(o(i)["ip"]) || s(o(i)["hostname"])).filter((x) => x !== "");
      let lb = ingress.join(",");
      if (!wide && lb.length > 16) lb = `${lb.slice(0, 13)}...`;
      const all = [...(lb === "" ? [] : lb.split(",")), ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return s(spec["externalName"]);
    default:
      return orNone(external.join(","));
  }
}

function servicePorts(obj: KubeObject): string {
  const ports = a(o(obj["spec"])["ports"]).map((p) => {
    const port = o(p);
    const np = port["nodePort"];
    return typeof np === "number" && np !== 0 ? `${String(port["port"])}:${np}/${s(port["protocol"])}` : `${String(port["port"])}/${s(port["protocol"])}`;
  });
  return orNone(ports.join(","));
}

function nodeStatus(obj: KubeObject): string {
  const ready = a(o(obj["status"])["conditions"]).map(o).find((c) => c["type"] === "Ready");
  let status = ready === undefined ? "Unknown" : ready["status"] === "True" ? "Ready" : "NotReady";
  if (o(obj["spec"])["unschedulable"] === true) status += ",SchedulingDisabled";
  return status;
}

function nodeRoles(obj: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length) roles.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role" && v !== "") roles.add(v);
  }
  return orNone([...roles].sort().join(","));
}

function nodeAddress(obj: KubeObject, type: string): string {
  const found = a(o(obj["status"])["addresses"]).map(o).find((x) => x["type"] === type);
  return orNone(s(found?.["address"]));
}

function podReady(obj: KubeObject): string {
  const statuses = a(o(obj["status"])["containerStatuses"]).map(o);
  const total = a(o(obj["spec"])["containers"]).length;
  return `${statuses.filter((c) => c["ready"] === true).length}/${total}`;
}

function podStatus(obj: KubeObject): string {
  if (obj.metadata.deletionTimestamp !== undefined) return "Terminating";
  const st = o(obj["status"]);
  return s(st["reason"]) || s(st["phase"]) || "Unknown";
}

function endpointsList(obj: KubeObject): string {
  const out: string[] = [];
  let total = 0;
  for (const subset of a(obj["subsets"]).map(o)) {
    const ports = a(subset["ports"]).map(o);
    for (const addr of a(subset["addresses"]).map(o)) {
      const targets = ports.length === 0 ? [s(addr["ip"])] : ports.map((p) => `${s(addr["ip"])}:${String(p["port"])}`);
      for (const t of targets) {
        total++;
        if (out.length < 3) out.push(t);
      }
    }
  }
  if (total === 0) return "<none>";
  return total > 3 ? `${out.join(",")} + ${total - 3} more...` : out.join(",");
}

function sliceEndpoints(obj: KubeObject): string {
  const addrs = a(obj["endpoints"]).flatMap((e) => a(o(e)["addresses"]).map(s));
  if (addrs.length === 0) return "<unset>";
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(",")} + ${addrs.length - 3} more...` : addrs.join(",");
}

function slicePorts(obj: KubeObject): string {
  const ports = a(obj["ports"]).map((p) => String(o(p)["port"] ?? ""));
  return ports.length === 0 ? "<unset>" : ports.join(",");
}

function eventLastSeen(obj: KubeObject, now: number): string {
  const series = o(obj["series"]);
  const ts = series["lastObservedTime"] ?? obj["lastTimestamp"] ?? obj["eventTime"] ?? obj["firstTimestamp"];
  return since(ts as JsonValue | undefined, now);
}

function eventObject(obj: KubeObject): string {
  const io = o(obj["involvedObject"]);
  return `${s(io["kind"]).toLowerCase()}/${s(io["name"])}`;
}

const eventColumns: readonly Column[] = [
  col("Last Seen", eventLastSeen),
  col("Type", (e) => s(e["type"])),
  col("Reason", (e) => s(e["reason"])),
  col("Object", eventObject),
  col("Subobject", (e) => s(o(e["involvedObject"])["fieldPath"]), { priority: 1 }),
  col("Source", (e) => {
    const src = o(e["source"]);
    const comp = s(src["component"]) || s(e["reportingComponent"]);
    const host = s(src["host"]);
    return host === "" ? comp : `${comp}, ${host}`;
  }, { priority: 1 }),
  col("Message", (e) => s(e["message"]).trim()),
  col("First Seen", (e, now) => since((e["firstTimestamp"] ?? e["eventTime"]) as JsonValue | undefined, now), { priority: 1 }),
  col("Count", (e) => (typeof e["count"] === "number" ? e["count"] : typeof o(e["series"])["count"] === "number" ? (o(e["series"])["count"] as number) : 1), { type: "integer", priority: 1 }),
  col("Name", (e) => e.metadata.name ?? "", { priority: 1 }),
];

/** Columns by storage resource name. Unknown resources get Name and Age. */
export const columnsByResource: Readonly<Record<string, readonly Column[]>> = {
  services: [
    NAME,
    col("Type", (x) => s(o(x["spec"])["type"])),
    col("Cluster-IP", (x) => orNone(s(o(x["spec"])["clusterIP"]))),
    col("External-IP", (x) => serviceExternalIP(x, false)),
    col("Port(s)", servicePorts),
    AGE,
    col("Selector", (x) => formatLabels(o(x["spec"])["selector"]), { priority: 1 }),
  ],
  configmaps: [NAME, col("Data", (x) => Object.keys(o(x["data"])).length + Object.keys(o(x["binaryData"])).length, { type: "integer" }), AGE],
  secrets: [NAME, col("Type", (x) => s(x["type"])), col("Data", (x) => Object.keys(o(x["data"])).length, { type: "integer" }), AGE],
  namespaces: [NAME, col("Status", (x) => s(o(x["status"])["phase"])), AGE],
  nodes: [
    NAME,
    col("Status", nodeStatus),
    col("Roles", nodeRoles),
    AGE,
    col("Version", (x) => s(o(o(x["status"])["nodeInfo"])["kubeletVersion"])),
    col("Internal-IP", (x) => nodeAddress(x, "InternalIP"), { priority: 1 }),
    col("External-IP", (x) => nodeAddress(x, "ExternalIP"), { priority: 1 }),
    col("OS-Image", (x) => s(o(o(x["status"])["nodeInfo"])["osImage"]) || "<unknown>", { priority: 1 }),
    col("Kernel-Version", (x) => s(o(o(x["status"])["nodeInfo"])["kernelVersion"]) || "<unknown>", { priority: 1 }),
    col("Container-Runtime", (x) => s(o(o(x["status"])["nodeInfo"])["containerRuntimeVersion"]) || "<unknown>", { priority: 1 }),
  ],
  pods: [
    NAME,
    col("Ready", podReady),
    col("Status", podStatus),
    col("Restarts", (x) => a(o(x["status"])["containerStatuses"]).reduce<number>((n, c) => n + (Number(o(c)["restartCount"]) || 0), 0), { type: "integer" }),
    AGE,
    col("IP", (x) => orNone(s(o(x["status"])["podIP"])), { priority: 1 }),
    col("Node", (x) => orNone(s(o(x["spec"])["nodeName"])), { priority: 1 }),
    col("Nominated Node", (x) => orNone(s(o(x["status"])["nominatedNodeName"])), { priority: 1 }),
    col("Readiness Gates", (x) => {
      const gates = a(o(x["spec"])["readinessGates"]).map((g) => s(o(g)["conditionType"]));
      if (gates.length === 0) return "<none>";
      const conds = a(o(x["status"])["conditions"]).map(o);
      const ready = gates.filter((g) => conds.some((c) => c["type"] === g && c["status"] === "True")).length;
      return `${ready}/${gates.length}`;
    }, { priority: 1 }),
  ],
  endpoints: [NAME, col("Endpoints", endpointsList), AGE],
  endpointslices: [NAME, col("AddressType", (x) => s(x["addressType"])), col("Ports", slicePorts), col("Endpoints", sliceEndpoints), AGE],
  leases: [NAME, col("Holder", (x) => s(o(x["spec"])["holderIdentity"])), AGE],
  events: eventColumns,
};

export function columnsFor(storage: string): readonly Column[] {
  return columnsByResource[storage] ?? [NAME, AGE];
}

export type IncludeObject = "None" | "Metadata" | "Object";

export interface TableRow {
  readonly cells: (string | number)[];
  readonly object?: JsonValue;
}

/** One row; `obj` is the stored (core) form, `served` what the client's group/version sees. */
export function tableRow(columns: readonly Column[], obj: KubeObject, served: KubeObject, include: IncludeObject, nowMs: number): TableRow {
  const cells = columns.map((c) => c.cell(obj, nowMs));
  if (include === "None") return { cells };
  if (include === "Object") return { cells, object: served as unknown as JsonValue };
  return { cells, object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: served.metadata as JsonObject } };
}

export function columnDefinitions(columns: readonly Column[]): JsonObject[] {
  return columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description, priority: c.priority }));
}
