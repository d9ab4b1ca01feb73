// Kubernetes API errors as the apiserver sends them: a `Status` object
// (kind Status, apiVersion v1, status Failure) whose `reason` is the stable,
// machine-readable code and whose `code` is the HTTP status. The message
// wording follows k8s.io/apimachinery/pkg/api/errors so that clients that
// print it (kubectl) read like against a real cluster.
//
// Deliberately not here: the mapping of Go decode errors in full detail; we
// produce the same reasons and codes with shorter messages.

export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Gone"
  | "Expired"
  | "BadRequest"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "Forbidden"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout";

/** Reasons of a field-level problem in an `Invalid` status (k8s field.ErrorType). */
export type CauseReason =
  | "FieldValueInvalid"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany";

export interface StatusCause {
  readonly reason: CauseReason;
  readonly message: string;
  readonly field: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface Status {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure" | "Success";
  readonly message?: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** An API failure; `code` is the Kubernetes reason (stable), `httpStatus` the HTTP code. */
export class KubeSimError extends Error {
  readonly code: StatusReason;
  readonly httpStatus: number;
  readonly details: StatusDetails | undefined;

  constructor(code: StatusReason, httpStatus: number, message: string, details?: StatusDetails) {
    super(message);
    this.name = "KubeSimError";
    this.code = code;
    this.httpStatus = httpStatus;
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.code,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpStatus,
    };
  }
}

/** Group-qualified resource as used in messages: `services`, `leases.coordination.k8s.io`. */
function qualified(resource: string, group: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

export function notFound(resource: string, group: string, name: string): KubeSimError {
  return new KubeSimError("NotFound", 404, `${qualified(resource, group)} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): KubeSimError {
  return new KubeSimError("AlreadyExists", 409, `${qualified(resource, group)} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(resource: string, group: string, name: string, why: string): KubeSimError {
  return new KubeSimError("Conflict", 409, `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, {
    name,
    group,
    kind: resource,
  });
}

export const STALE_OBJECT = "the object has been modified; please apply your changes to the latest version and try again";

/** One field problem, collected by validators and turned into a 422 by `invalid()`. */
export interface FieldError {
  readonly reason: CauseReason;
  readonly field: string;
  readonly detail: string;
}

const causePrefix: Record<CauseReason, string> = {
  FieldValueInvalid: "Invalid value",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
};

export function fieldInvalid(field: string, value: unknown, detail: string): FieldError {
  return { reason: "FieldValueInvalid", field, detail: `${goValue(value)}: ${detail}` };
}
export function fieldRequired(field: string, detail = ""): FieldError {
  return { reason: "FieldValueRequired", field, detail };
}
export function fieldDuplicate(field: string, value: unknown): FieldError {
  return { reason: "FieldValueDuplicate", field, detail: goValue(value) };
}
export function fieldNotSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  return {
    reason: "FieldValueNotSupported",
    field,
    detail: `${goValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
  };
}
export function fieldForbidden(field: string, detail: string): FieldError {
  return { reason: "FieldValueForbidden", field, detail };
}
export function fieldTooMany(field: string, actual: number, max: number): FieldError {
  return { reason: "FieldValueTooMany", field, detail: `${actual}: must have at most ${max} items` };
}

function goValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function causeMessage(e: FieldError): string {
  const prefix = causePrefix[e.reason];
  return e.detail === "" ? prefix : `${prefix}: ${e.detail}`;
}

/** 422 Invalid listing every field problem, like apierrors.NewInvalid. */
export function invalid(kind: string, group: string, name: string, errors: readonly FieldError[]): KubeSimError {
  const parts = errors.map((e) => `${e.field}: ${causeMessage(e)}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new KubeSimError("Invalid", 422, `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.reason, message: causeMessage(e), field: e.field })),
  });
}

export function badRequest(message: string): KubeSimError {
  return new KubeSimError("BadRequest", 400, message);
}

/** 410 for a watch or continue token older than the kept history (reason Expired, as the apiserver). */
export function expired(message: string): KubeSimError {
  return new KubeSimError("Expired", 410, message);
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): KubeSimError {
  return new KubeSimError("MethodNotAllowed", 405, message);
}

export function forbidden(message: string): KubeSimError {
  return new KubeSimError("Forbidden", 403, message);
}

export function notAcceptable(message: string): KubeSimError {
  return new KubeSimError("NotAcceptable", 406, message);
}

export function unsupportedMediaType(contentType: string): KubeSimError {
  return new KubeSimError("UnsupportedMediaType", 415, `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(contentType)})`);
}

export function tooManyRequests(retryAfterSeconds: number): KubeSimError {
  return new KubeSimError("TooManyRequests", 429, "Too many requests, please try again later.", { retryAfterSeconds });
}

export function internalError(message: string): KubeSimError {
  return new KubeSimError("InternalError", 500, `Internal error occurred: ${message}`);
}

export function resourceNotServed(): KubeSimError {
  return new KubeSimError("NotFound", 404, "the server could not find the requested resource", {});
}

/** 422 for a patch that parses but cannot be applied (failed `test`, missing path), as the apiserver. */
export function patchNotApplicable(message: string): KubeSimError {
  return new KubeSimError("Invalid", 422, message);
}
