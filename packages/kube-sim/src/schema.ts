// A small schema language for the served types, and the decoder that the
// apiserver's Go structs give for free: unknown fields are dropped (and
// reported for `fieldValidation=Strict|Warn`), nulls disappear, a value of the
// wrong JSON type is a 400, and timestamps are normalised (metav1.Time to
// seconds, MicroTime to microseconds). The same definitions generate the
// OpenAPI v3 documents and carry the strategic-merge-patch keys, so the
// schema kubectl validates against, the patch metadata and the server's own
// decoding never disagree.
//
// Not modelled: defaults and enums (the per-resource strategies apply those
// with the apiserver's messages), quantities' canonical form.
import { badRequest } from "./errors.ts";
import { isObject, type JsonObject, type JsonValue } from "./object.ts";

export type Primitive = "string" | "int32" | "int64" | "number" | "boolean" | "time" | "microtime" | "intOrString" | "quantity" | "bytes";

export interface ObjectSchema {
  readonly kind: "object";
  readonly props: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** Unknown members are kept and not reported (x-kubernetes-preserve-unknown-fields). */
  readonly open?: boolean;
  readonly description?: string;
}

export interface MapSchema {
  readonly kind: "map";
  readonly values: Schema;
}

export interface ArraySchema {
  readonly kind: "array";
  readonly items: Schema;
  /** Strategic merge patch: x-kubernetes-patch-merge-key / -strategy. */
  readonly mergeKey?: string;
  readonly strategy?: "merge" | "retainKeys" | "merge,retainKeys";
  /** Server-side apply list semantics (x-kubernetes-list-type / -map-keys). */
  readonly listType?: "atomic" | "set" | "map";
  readonly mapKeys?: readonly string[];
}

export interface RefSchema {
  readonly kind: "ref";
  readonly name: string;
}

export interface AnySchema {
  readonly kind: "any";
}

export type Schema = Primitive | ObjectSchema | MapSchema | ArraySchema | RefSchema | AnySchema;

/** Definitions by their OpenAPI name, e.g. `io.k8s.api.core.v1.Service`. */
export type Definitions = ReadonlyMap<string, ObjectSchema>;

// Constructors keep the schema files terse.
export function obj(props: Record<string, Schema>, opts: { required?: readonly string[]; open?: boolean; description?: string } = {}): ObjectSchema {
  return { kind: "object", props, ...opts };
}
export function arr(items: Schema, opts: Omit<ArraySchema, "kind" | "items"> = {}): ArraySchema {
  return { kind: "array", items, ...opts };
}
export function map(values: Schema): MapSchema {
  return { kind: "map", values };
}
export function ref(name: string): RefSchema {
  return { kind: "ref", name };
}
export const ANY: AnySchema = { kind: "any" };
/** An object whose content is not modelled: kept as sent. */
export const OPEN: ObjectSchema = { kind: "object", props: {}, open: true };

export function resolve(schema: Schema, defs: Definitions): Exclude<Schema, RefSchema> {
  let s = schema;
  while (typeof s !== "string" && s.kind === "ref") {
    const d = defs.get(s.name);
    if (!d) throw new Error(`schema: unknown definition ${s.name}`);
    s = d;
  }
  return s;
}

/** The schema of member `key` of an object schema (undefined when unknown). */
export function memberSchema(schema: Schema | undefined, key: string, defs: Definitions): Schema | undefined {
  if (schema === undefined) return undefined;
  const s = resolve(schema, defs);
  if (typeof s === "string") return undefined;
  if (s.kind === "object") return s.props[key] ?? (s.open ? ANY : undefined);
  if (s.kind === "map") return s.values;
  if (s.kind === "any") return ANY;
  return undefined;
}

export interface DecodeResult {
  /** Paths of members that the schema does not declare, as the apiserver names them. */
  readonly unknownFields: string[];
}

interface Ctx {
  readonly defs: Definitions;
  readonly unknown: string[];
  /** Nearest named type, for Go-like type error messages. */
  goType: string;
}

function typeError(ctx: Ctx, path: string, got: unknown, want: string): never {
  const jsType = Array.isArray(got) ? "array" : got === null ? "null" : typeof got === "object" ? "object" : typeof got;
  const field = path.replace(/\[\d+\]/g, "").replace(/^\./, "");
  throw badRequest(`json: cannot unmarshal ${jsType} into Go struct field ${ctx.goType}.${field} of type ${want}`);
}

const GO_TYPE: Record<Primitive, string> = {
  string: "string",
  int32: "int32",
  int64: "int64",
  number: "float64",
  boolean: "bool",
  time: "v1.Time",
  microtime: "v1.MicroTime",
  intOrString: "intstr.IntOrString",
  quantity: "resource.Quantity",
  bytes: "[]uint8",
};

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses RFC 3339 into UTC parts with the fraction kept as digits (JS Dates
 * stop at milliseconds; MicroTime needs microseconds).
 */
export function parseRfc3339(s: string): { readonly epochSeconds: number; readonly fraction: string } | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m as unknown as string[];
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (!Number.isFinite(base)) return undefined;
  let offset = 0;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60;
  }
  return { epochSeconds: base / 1000 - offset, fraction: (frac ?? "").slice(1) };
}

let lastSecond = Number.NaN;
let lastText = "";

export function formatTime(epochSeconds: number): string {
  const s = Math.floor(epochSeconds);
  // Most calls format "now": one Date per second instead of one per write.
  if (s !== lastSecond) {
    lastText = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    lastSecond = s;
  }
  return lastText;
}

export function formatMicroTime(epochSeconds: number, fraction: string): string {
  return `${formatTime(epochSeconds).slice(0, -1)}.${(fraction + "000000").slice(0, 6)}Z`;
}

function decodePrimitive(ctx: Ctx, p: Primitive, v: JsonValue, path: string): JsonValue {
  switch (p) {
    case "string":
      if (typeof v !== "string") typeError(ctx, path, v, "string");
      return v;
    case "int32":
    case "int64":
      if (typeof v !== "number" || !Number.isInteger(v)) typeError(ctx, path, v, GO_TYPE[p]);
      if (p === "int32" && (v < -2147483648 || v > 2147483647)) typeError(ctx, path, v, "int32");
      return v;
    case "number":
      if (typeof v !== "number") typeError(ctx, path, v, "float64");
      return v;
    case "boolean":
      if (typeof v !== "boolean") typeError(ctx, path, v, "bool");
      return v;
    case "intOrString":
      if (typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) return v;
      return typeError(ctx, path, v, GO_TYPE[p]);
    case "quantity":
      if (typeof v === "number") return String(v);
      if (typeof v !== "string") typeError(ctx, path, v, GO_TYPE[p]);
      if (!/^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.test(v)) {
        throw badRequest(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (${path.slice(1)}: ${JSON.stringify(v)})`);
      }
      return v;
    case "bytes":
      if (typeof v !== "string") typeError(ctx, path, v, GO_TYPE[p]);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
        const bad = v.search(/[^A-Za-z0-9+/=]/);
        throw badRequest(`illegal base64 data at input byte ${bad < 0 ? v.length : bad} (${path.slice(1)})`);
      }
      return v;
    case "time":
    case "microtime": {
      if (typeof v !== "string") typeError(ctx, path, v, GO_TYPE[p]);
      const t = parseRfc3339(v);
      if (!t) throw badRequest(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse (${path.slice(1)})`);
      return p === "time" ? formatTime(t.epochSeconds) : formatMicroTime(t.epochSeconds, t.fraction);
    }
  }
}

function decodeValue(ctx: Ctx, schema: Schema, v: JsonValue, path: string): JsonValue | undefined {
  if (v === null) return undefined;
  if (typeof schema === "string") return decodePrimitive(ctx, schema, v, path);
  switch (schema.kind) {
    case "any":
      return v;
    case "ref": {
      const saved = ctx.goType;
      ctx.goType = schema.name.slice(schema.name.lastIndexOf(".") + 1);
      const def = ctx.defs.get(schema.name);
      if (!def) throw new Error(`schema: unknown definition ${schema.name}`);
      const out = decodeObject(ctx, def, v, path);
      ctx.goType = saved;
      return out;
    }
    case "object":
      return decodeObject(ctx, schema, v, path);
    case "map": {
      if (!isObject(v)) typeError(ctx, path, v, "map[string]");
      for (const k of Object.keys(v)) {
        const d = decodeValue(ctx, schema.values, v[k] as JsonValue, `${path}.${k}`);
        if (d === undefined) delete v[k];
        else v[k] = d;
      }
      return v;
    }
    case "array": {
      if (!Array.isArray(v)) typeError(ctx, path, v, "[]");
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const d = decodeValue(ctx, schema.items, v[i] as JsonValue, `${path}[${i}]`);
        // A null element decodes to the zero value in Go; keeping nothing is closest for JSON readers.
        if (d !== undefined) out.push(d);
      }
      return out;
    }
  }
}

function decodeObject(ctx: Ctx, schema: ObjectSchema, v: JsonValue, path: string): JsonObject {
  if (!isObject(v)) typeError(ctx, path, v, "struct");
  for (const k of Object.keys(v)) {
    const sub = schema.props[k];
    if (sub === undefined) {
      if (!schema.open) {
        ctx.unknown.push(`${path}.${k}`.slice(1));
        delete v[k];
      } else if (v[k] === null) delete v[k];
      continue;
    }
    const d = decodeValue(ctx, sub, v[k] as JsonValue, `${path}.${k}`);
    if (d === undefined) delete v[k];
    else v[k] = d;
  }
  return v;
}

/**
 * Decodes `value` in place against the definition `typeName`: prunes unknown
 * members and nulls, checks JSON types (400 BadRequest), normalises times.
 */
export function decode(value: JsonObject, typeName: string, defs: Definitions): DecodeResult {
  const ctx: Ctx = { defs, unknown: [], goType: typeName.slice(typeName.lastIndexOf(".") + 1) };
  decodeValue(ctx, ref(typeName), value, "");
  return { unknownFields: ctx.unknown };
}
