// The typed errors of every operation: one `Schema.TaggedError` per kind, so `Effect.catchTag` picks
// exactly the failures a caller cares about. Errors are built only from scrubbed values (never request
// headers), so no field, message or printed form can hold the access token.
import {
  type AttemptFailure,
  type ErrorKind,
  isRetryableStatus,
  type SquareErrorDetail,
  squareErrorsOf,
  type ValidationIssue,
} from "@square-customers/core";
import { Schema } from "effect";

/**
 * Square's error details. Checked with core's rule for what an error envelope is (category and code are
 * strings) rather than against the spec's enums: Square adds codes over time, and an error must never
 * fail to be reported because its code is newer than this package.
 */
const ErrorDetails = Schema.declare(
  (u: unknown): u is ReadonlyArray<SquareErrorDetail> =>
    Array.isArray(u) && (u.length === 0 || squareErrorsOf({ errors: u }) !== undefined),
  { identifier: "SquareErrorDetails" },
);

const Issues = Schema.declare(
  (u: unknown): u is ReadonlyArray<ValidationIssue> =>
    Array.isArray(u) && u.every((i) => typeof i?.field === "string" && typeof i?.code === "string"),
  { identifier: "ValidationIssues" },
);

/** Fields every error has, whatever its kind. */
const common = {
  /** Operation name from core's table, e.g. `retrieveCustomer`. */
  operation: Schema.String,
  message: Schema.String,
  /** HTTP status of the response, when there was one. */
  status: Schema.optionalKey(Schema.Number),
  /** Square's error details (`[]` when there were none). */
  errors: ErrorDetails,
  /** The server's request id, when it sent one: quote it to Square support. */
  requestId: Schema.optionalKey(Schema.String),
};

/** Fields of an error response; `retryAfter` is the raw `Retry-After` header, when sent. */
const api = { ...common, status: Schema.Number, retryAfter: Schema.optionalKey(Schema.String) };

/** 400 (and any other 4xx without a kind of its own): the request is wrong. */
export class SquareBadRequest extends Schema.TaggedError<SquareBadRequest>()("SquareBadRequest", api) {}
/** 401: missing, unknown or expired access token. */
export class SquareUnauthorized extends Schema.TaggedError<SquareUnauthorized>()("SquareUnauthorized", api) {}
/** 403: the token lacks a scope (`INSUFFICIENT_SCOPES`) or the action is not allowed. */
export class SquareForbidden extends Schema.TaggedError<SquareForbidden>()("SquareForbidden", api) {}
/** 404: no such customer, group, segment, card, definition or attribute. */
export class SquareNotFound extends Schema.TaggedError<SquareNotFound>()("SquareNotFound", api) {}
/** 409, `CONFLICT` or `VERSION_MISMATCH`: a stale `version`; read again and retry. */
export class SquareConflict extends Schema.TaggedError<SquareConflict>()("SquareConflict", api) {}
/** 429 / `RATE_LIMITED`: retried by default, honouring `Retry-After`; this is what is left after that. */
export class SquareRateLimited extends Schema.TaggedError<SquareRateLimited>()("SquareRateLimited", api) {}
/** 5xx: trouble on Square's side. */
export class SquareServerError extends Schema.TaggedError<SquareServerError>()("SquareServerError", api) {}

/** No HTTP response: connection refused or dropped, DNS, TLS, or the body was cut off while reading. */
export class SquareTransportError extends Schema.TaggedError<SquareTransportError>()(
  "SquareTransportError",
  common,
) {}

/** One attempt took longer than the `timeout` option. */
export class SquareTimeout extends Schema.TaggedError<SquareTimeout>()("SquareTimeout", {
  ...common,
  timeoutMs: Schema.Number,
}) {}

/** A response arrived but its body is not what the API promises (not JSON, or the wrong shape). */
export class SquareDecodeError extends Schema.TaggedError<SquareDecodeError>()("SquareDecodeError", {
  ...common,
  status: Schema.Number,
}) {}

/**
 * Core's pre-flight validation found problems; nothing was sent. `errors` holds the same problems in
 * Square's shape, so handling them needs no special case.
 */
export class SquareRequestInvalid extends Schema.TaggedError<SquareRequestInvalid>()("SquareRequestInvalid", {
  ...common,
  issues: Issues,
}) {}

/** The kinds of error response (core's `classifyError`) and their classes. */
export type SquareApiError =
  | SquareBadRequest
  | SquareUnauthorized
  | SquareForbidden
  | SquareNotFound
  | SquareConflict
  | SquareRateLimited
  | SquareServerError;

/** Every failure an operation can have. */
export type SquareClientError =
  | SquareApiError
  | SquareTransportError
  | SquareTimeout
  | SquareDecodeError
  | SquareRequestInvalid;

const apiErrorClasses = {
  bad_request: SquareBadRequest,
  unauthorized: SquareUnauthorized,
  forbidden: SquareForbidden,
  not_found: SquareNotFound,
  conflict: SquareConflict,
  rate_limited: SquareRateLimited,
  server: SquareServerError,
} as const satisfies Record<ErrorKind, unknown>;

export interface ApiErrorInit {
  readonly operation: string;
  readonly status: number;
  readonly errors: ReadonlyArray<SquareErrorDetail>;
  readonly requestId: string | undefined;
  readonly retryAfter: string | undefined;
}

/** The one place a kind from core's `classifyError` becomes a class. */
export function apiError(kind: ErrorKind, init: ApiErrorInit): SquareApiError {
  const first = init.errors[0];
  const what = first ? `${first.code}${first.detail ? `: ${first.detail}` : ""}` : "no Square error details";
  const more = init.errors.length > 1 ? ` (+${init.errors.length - 1} more)` : "";
  return new apiErrorClasses[kind]({
    operation: init.operation,
    message: `${init.operation} failed with HTTP ${init.status}, ${what}${more}`,
    status: init.status,
    errors: init.errors,
    ...optional("requestId", init.requestId),
    ...optional("retryAfter", init.retryAfter),
  });
}

/** A pre-flight issue in Square's error shape, as the server would have reported it. */
export function issueDetail(issue: ValidationIssue): SquareErrorDetail {
  return { category: "INVALID_REQUEST_ERROR", code: issue.code, field: issue.field, detail: issue.message };
}

/** Pre-flight issues as an error (nothing was sent). */
export function requestInvalid(
  operation: string,
  issues: ReadonlyArray<ValidationIssue>,
): SquareRequestInvalid {
  const list = issues.map((i) => `${i.field}: ${i.message} (${i.code})`).join("; ");
  return new SquareRequestInvalid({
    operation,
    message: `${operation} request is invalid, nothing was sent: ${list}`,
    errors: issues.map(issueDetail),
    issues,
  });
}

/**
 * The failure in the terms of core's retry rule (`shouldRetry`); undefined for failures another attempt
 * cannot fix: a response body that is not what the API promises, or a request core rejected unsent.
 */
export function attemptFailure(error: SquareClientError): AttemptFailure | undefined {
  switch (error._tag) {
    case "SquareTransportError":
      return { transport: "connection" };
    case "SquareTimeout":
      return { transport: "timeout" };
    case "SquareDecodeError":
    case "SquareRequestInvalid":
      return undefined;
    default:
      return { status: error.status };
  }
}

/**
 * Whether another attempt could succeed: transport trouble, a timeout, or a status core deems
 * retryable (408, 429, 5xx but 501). Whether the operation may be repeated is decided separately.
 */
export function isTransient(error: SquareClientError): boolean {
  const failure = attemptFailure(error);
  return failure !== undefined && ("transport" in failure || isRetryableStatus(failure.status));
}

/** `{ key: value }` when value is defined, else `{}` (optional keys are exact: never `undefined`). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
