// Field validation shared by the resource strategies, with the apiserver's
// rules and messages (k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation): DNS names, label keys and values, annotation size,
// finalizer names, IP addresses, metav1.Condition lists.
import { fieldInvalid, fieldNotSupported, fieldRequired, fieldDuplicate, type FieldError } from "./errors.ts";
import { parseIp } from "./ip-alloc.ts";
import { isObject, type ObjectMeta } from "./object.ts";
import { isLabelValue, isQualifiedName } from "./selectors.ts";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** "path": RBAC objects, any name usable as one URL path segment (ValidateRBACName = path.IsValidPathSegmentName). */
export type NameRule = "subdomain" | "label" | "dns1035" | "path";

export function nameProblem(name: string, rule: NameRule): string | undefined {
  switch (rule) {
    case "label":
      if (name.length > 63) return "must be no more than 63 characters";
      if (!DNS1123_LABEL.test(name)) {
        return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
      }
      return undefined;
    case "dns1035":
      if (name.length > 63) return "must be no more than 63 characters";
      if (!DNS1035_LABEL.test(name)) {
        return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
      }
      return undefined;
    case "path":
      if (name === "." || name === "..") return `may not be '${name}'`;
      if (name.includes("/")) return "may not contain '/'";
      if (name.includes("%")) return "may not contain '%'";
      return undefined;
    case "subdomain":
      if (name.length > 253) return "must be no more than 253 characters";
      if (!DNS1123_SUBDOMAIN.test(name)) {
        return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
      }
      return undefined;
  }
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** IANA service names (RFC 6335 §5.1): what a named targetPort or port name may be. */
export function isIanaSvcName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes("--");
}

export const IP_HINT = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

export function validateIp(field: string, value: string): FieldError[] {
  return parseIp(value) ? [] : [fieldInvalid(field, value, IP_HINT)];
}

const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** ObjectMeta rules common to every kind (ValidateObjectMeta). */
export function validateObjectMeta(meta: ObjectMeta, rule: NameRule, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = meta.name ?? "";
  if (name === "") errs.push(fieldRequired("metadata.name", "name or generateName is required"));
  else {
    const p = nameProblem(name, rule);
    if (p) errs.push(fieldInvalid("metadata.name", name, p));
  }
  if (namespaced && (meta.namespace ?? "") === "") errs.push(fieldRequired("metadata.namespace"));
  if (!namespaced && (meta.namespace ?? "") !== "") errs.push({ reason: "FieldValueForbidden", field: "metadata.namespace", detail: "not allowed on this type" });
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!isQualifiedName(k)) {
      errs.push(fieldInvalid("metadata.labels", k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
    if (!isLabelValue(v)) {
      errs.push(fieldInvalid("metadata.labels", v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!isQualifiedName(k.toLowerCase())) errs.push(fieldInvalid("metadata.annotations", k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    size += k.length + v.length;
  }
  if (size > MAX_ANNOTATIONS_BYTES) errs.push({ reason: "FieldValueTooLong", field: "metadata.annotations", detail: `may not be more than ${MAX_ANNOTATIONS_BYTES} bytes` });
  (meta.finalizers ?? []).forEach((f, i) => {
    if (!STANDARD_FINALIZERS.has(f) && (!f.includes("/") || !isQualifiedName(f))) {
      errs.push(fieldInvalid(`metadata.finalizers[${i}]`, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  });
  return errs;
}

const CONDITION_STATUS = ["True", "False", "Unknown"];

/** metav1.Condition lists (ValidateConditions): type unique, status, reason, lastTransitionTime. */
export function validateConditions(field: string, conditions: unknown): FieldError[] {
  if (!Array.isArray(conditions)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    if (!isObject(c)) return;
    const f = `${field}[${i}]`;
    const type = typeof c["type"] === "string" ? c["type"] : "";
    if (type === "") errs.push(fieldRequired(`${f}.type`));
    else if (!isQualifiedName(type)) errs.push(fieldInvalid(`${f}.type`, type, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    else if (seen.has(type)) errs.push(fieldDuplicate(`${f}.type`, type));
    seen.add(type);
    const status = c["status"];
    if (typeof status !== "string" || status === "") errs.push(fieldRequired(`${f}.status`));
    else if (!CONDITION_STATUS.includes(status)) errs.push(fieldNotSupported(`${f}.status`, status, CONDITION_STATUS));
    if (c["lastTransitionTime"] === undefined) errs.push(fieldRequired(`${f}.lastTransitionTime`, "must be set"));
    const reason = typeof c["reason"] === "string" ? c["reason"] : "";
    if (reason === "") errs.push(fieldRequired(`${f}.reason`));
    else if (reason.length > 1024 || !/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(reason)) {
      errs.push(fieldInvalid(`${f}.reason`, reason, "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')"));
    }
    const message = typeof c["message"] === "string" ? c["message"] : "";
    if (message.length > 32768) errs.push({ reason: "FieldValueTooLong", field: `${f}.message`, detail: "may not be more than 32768 bytes" });
    const og = c["observedGeneration"];
    if (typeof og === "number" && og < 0) errs.push(fieldInvalid(`${f}.observedGeneration`, og, "must be greater than or equal to zero"));
  });
  return errs;
}
