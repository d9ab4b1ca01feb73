// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf)
// for the kinds kubectl's typed `create` subcommands send that way:
// `kubectl create namespace|configmap|secret|service`. The envelope is the
// 4-byte magic "k8s\0" and a runtime.Unknown {typeMeta = 1, raw = 2}; raw is
// the object in the field numbers of k8s.io/api/core/v1/generated.proto
// (checked against what kubectl 1.32 sends).
//
// Go encodes every non-pointer field, zero values included, so zero values
// of non-pointer fields are dropped here (they mean "unset", as JSON's
// omitempty would have it); pointer fields keep whatever was sent.
// Not here: encoding (responses are JSON, which these clients also accept),
// other kinds (answered with 415).
import { badRequest, unsupportedMediaType } from "./errors.ts";
import type { JsonObject, JsonValue } from "./object.ts";
import { formatTime } from "./schema.ts";

type Scalar = "string" | "int" | "bool" | "bytes" | "time" | "intOrString";

interface Field {
  readonly name: string;
  readonly type: Scalar | { readonly msg: string } | { readonly map: "string" | "bytes" };
  readonly repeated?: boolean;
  /** A Go pointer field: present means set, even at its zero value. */
  readonly pointer?: boolean;
}

const f = (name: string, type: Field["type"], opts: { repeated?: boolean; pointer?: boolean } = {}): Field => ({ name, type, ...opts });

const MESSAGES: Readonly<Record<string, Readonly<Record<number, Field>>>> = {
  // runtime.Unknown's typeMeta: only in the envelope.
  TypeMeta: { 1: f("apiVersion", "string"), 2: f("kind", "string") },
  ObjectMeta: {
    1: f("name", "string"),
    2: f("generateName", "string"),
    3: f("namespace", "string"),
    5: f("uid", "string"),
    6: f("resourceVersion", "string"),
    7: f("generation", "int"),
    8: f("creationTimestamp", "time"),
    11: f("labels", { map: "string" }),
    12: f("annotations", { map: "string" }),
    13: f("ownerReferences", { msg: "OwnerReference" }, { repeated: true }),
    14: f("finalizers", "string", { repeated: true }),
  },
  OwnerReference: {
    1: f("kind", "string"),
    3: f("name", "string"),
    4: f("uid", "string"),
    5: f("apiVersion", "string"),
    6: f("controller", "bool", { pointer: true }),
    7: f("blockOwnerDeletion", "bool", { pointer: true }),
  },
  Namespace: { 1: f("metadata", { msg: "ObjectMeta" }), 2: f("spec", { msg: "NamespaceSpec" }) },
  NamespaceSpec: { 1: f("finalizers", "string", { repeated: true }) },
  ConfigMap: {
    1: f("metadata", { msg: "ObjectMeta" }),
    2: f("data", { map: "string" }),
    3: f("binaryData", { map: "bytes" }),
    4: f("immutable", "bool", { pointer: true }),
  },
  Secret: {
    1: f("metadata", { msg: "ObjectMeta" }),
    2: f("data", { map: "bytes" }),
    3: f("type", "string"),
    4: f("stringData", { map: "string" }),
    5: f("immutable", "bool", { pointer: true }),
  },
  Service: { 1: f("metadata", { msg: "ObjectMeta" }), 2: f("spec", { msg: "ServiceSpec" }) },
  ServiceSpec: {
    1: f("ports", { msg: "ServicePort" }, { repeated: true }),
    2: f("selector", { map: "string" }),
    3: f("clusterIP", "string"),
    4: f("type", "string"),
    5: f("externalIPs", "string", { repeated: true }),
    7: f("sessionAffinity", "string"),
    8: f("loadBalancerIP", "string"),
    9: f("loadBalancerSourceRanges", "string", { repeated: true }),
    10: f("externalName", "string"),
    11: f("externalTrafficPolicy", "string"),
    12: f("healthCheckNodePort", "int"),
    13: f("publishNotReadyAddresses", "bool"),
    14: f("sessionAffinityConfig", { msg: "SessionAffinityConfig" }, { pointer: true }),
    17: f("ipFamilyPolicy", "string", { pointer: true }),
    18: f("clusterIPs", "string", { repeated: true }),
    19: f("ipFamilies", "string", { repeated: true }),
    20: f("allocateLoadBalancerNodePorts", "bool", { pointer: true }),
    21: f("loadBalancerClass", "string", { pointer: true }),
    22: f("internalTrafficPolicy", "string", { pointer: true }),
    23: f("trafficDistribution", "string", { pointer: true }),
  },
  ServicePort: {
    1: f("name", "string"),
    2: f("protocol", "string"),
    3: f("port", "int"),
    4: f("targetPort", "intOrString"),
    5: f("nodePort", "int"),
    6: f("appProtocol", "string", { pointer: true }),
  },
  SessionAffinityConfig: { 1: f("clientIP", { msg: "ClientIPConfig" }, { pointer: true }) },
  ClientIPConfig: { 1: f("timeoutSeconds", "int", { pointer: true }) },
};

const SUPPORTED_KINDS = new Set(["Namespace", "ConfigMap", "Secret", "Service"]);

/** A bounded reader over protobuf wire format (varints, length-delimited fields). */
class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw badRequest("protobuf: truncated varint");
      const b = this.buf[this.pos++] as number;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
    throw badRequest("protobuf: varint too long");
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (len > this.buf.length - this.pos) throw badRequest("protobuf: field longer than its message");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw badRequest("protobuf: truncated field");
  }
}

const text = new TextDecoder("utf-8", { fatal: false });

/** Go's int64 in a varint is two's complement over 64 bits. */
function toInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeMap(bytes: Uint8Array, values: "string" | "bytes"): [string, string] {
  const r = new Reader(bytes);
  let key = "";
  let value = "";
  while (!r.done) {
    const tag = Number(r.varint());
    const field = tag >> 3;
    if ((tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const b = r.bytes();
    if (field === 1) key = text.decode(b);
    else if (field === 2) value = values === "bytes" ? Buffer.from(b).toString("base64") : text.decode(b);
  }
  return [key, value];
}

function decodeScalar(type: Scalar, r: Reader): JsonValue | undefined {
  switch (type) {
    case "string":
      return text.decode(r.bytes());
    case "bytes":
      return Buffer.from(r.bytes()).toString("base64");
    case "int":
      return toInt(r.varint());
    case "bool":
      return r.varint() !== 0n;
    case "time": {
      const t = decodeMessageRaw(r.bytes(), { 1: f("seconds", "int"), 2: f("nanos", "int") });
      return typeof t["seconds"] === "number" ? formatTime(t["seconds"]) : undefined;
    }
    case "intOrString": {
      const v = decodeMessageRaw(r.bytes(), { 1: f("type", "int"), 2: f("intVal", "int"), 3: f("strVal", "string") });
      return v["type"] === 1 ? (v["strVal"] ?? "") : (v["intVal"] ?? 0);
    }
  }
}

function isZero(v: JsonValue | undefined): boolean {
  return v === undefined || v === "" || v === 0 || v === false || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function decodeMessageRaw(bytes: Uint8Array, fields: Readonly<Record<number, Field>>): JsonObject {
  const r = new Reader(bytes);
  const out: JsonObject = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const field = fields[tag >> 3];
    if (!field) {
      r.skip(tag & 7);
      continue;
    }
    let value: JsonValue | undefined;
    const t = field.type;
    if (typeof t === "string") value = decodeScalar(t, r);
    else if ("msg" in t) value = decodeMessage(r.bytes(), t.msg);
    else {
      const [k, v] = decodeMap(r.bytes(), t.map);
      const m = (out[field.name] ??= {}) as JsonObject;
      m[k] = v;
      continue;
    }
    if (field.repeated) {
      ((out[field.name] ??= []) as JsonValue[]).push(value ?? "");
    } else if (field.pointer ? value !== undefined : !isZero(value)) {
      out[field.name] = value as JsonValue;
    }
  }
  return out;
}

function decodeMessage(bytes: Uint8Array, name: string): JsonObject {
  const fields = MESSAGES[name];
  if (!fields) throw new Error(`protobuf: no descriptor for ${name}`);
  return decodeMessageRaw(bytes, fields);
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decodes a protobuf request body into the JSON form of the object. */
export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw badRequest("protobuf: missing the k8s\\0 envelope prefix");
  const envelope = decodeMessageRaw(body.subarray(4), {
    1: f("typeMeta", { msg: "TypeMeta" }),
    2: f("raw", "bytes"),
    3: f("contentEncoding", "string"),
    4: f("contentType", "string"),
  });
  const typeMeta = envelope["typeMeta"] as JsonObject | undefined;
  const kind = typeof typeMeta?.["kind"] === "string" ? typeMeta["kind"] : "";
  const apiVersion = typeof typeMeta?.["apiVersion"] === "string" ? typeMeta["apiVersion"] : "";
  if (apiVersion !== "v1" || !SUPPORTED_KINDS.has(kind)) throw unsupportedMediaType(`application/vnd.kubernetes.protobuf (${apiVersion} ${kind})`);
  const raw = Buffer.from(typeof envelope["raw"] === "string" ? envelope["raw"] : "", "base64");
  return { apiVersion, kind, ...decodeMessage(raw, kind) };
}
