// The typed errors of every operation: one `Schema.TaggedError` per kind, so `Effect.catchTag` picks
// exactly the failures a caller cares about. Errors are built only from scrubbed values (never request
// headers), so no field, message or printed form can hold the access token.
import {
  type CallFailure,
  type ErrorKind,
  type FailureKind,
  invalidRequestMessage,
  isRetryableStatus,
  issueToErrorDetail,
  type SquareErrorDetail,
  squareErrorsOf,
  type TransportFailure,
  type ValidationIssue,
} from "@square-customers/core";
import * as Schema from "effect/Schema";

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

/**
 * No complete response (`reason`): the connection was refused (nothing was sent), reset or dropped, or
 * the body was cut off mid-way (the request may have been applied).
 */
export class SquareTransportError extends Schema.TaggedError<SquareTransportError>()("SquareTransportError", {
  ...common,
  reason: Schema.Literals(["refused", "reset", "dropped", "truncated"]),
}) {}

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

/** The one place a failure from core becomes an error class; every text on it is core's, redacted. */
export function errorFromFailure(failure: CallFailure): SquareClientError {
  const base = {
    operation: failure.operation,
    message: failure.message,
    errors: failure.errors,
    ...optional("requestId", failure.requestId),
  };
  switch (failure.kind) {
    case "connection":
      return new SquareTransportError({
        ...base,
        reason: (failure.transport ?? "dropped") as Exclude<TransportFailure, "timeout">,
      });
    case "timeout":
      return new SquareTimeout({ ...base, timeoutMs: failure.timeoutMs ?? 0 });
    case "format":
      return new SquareDecodeError({ ...base, status: failure.status ?? 0 });
    default:
      return new apiErrorClasses[failure.kind]({
        ...base,
        status: failure.status ?? 0,
        ...optional("retryAfter", failure.retryAfter),
      });
  }
}

/** Pre-flight issues as an error (nothing was sent); the message is core's, as in the promise client. */
export function requestInvalid(
  operation: string,
  issues: ReadonlyArray<ValidationIssue>,
): SquareRequestInvalid {
  return new SquareRequestInvalid({
    operation,
    message: invalidRequestMessage(operation, issues),
    errors: issues.map(issueToErrorDetail),
    issues,
  });
}

/**
 * What core's rules (`isRetryableFailure`, createMany's `resultsOfFailure`) need to know of an error;
 * undefined for a request core refused before sending.
 */
export function failureFacts(
  error: SquareClientError,
):
  | { kind: FailureKind; status?: number; transport?: TransportFailure; errors: readonly SquareErrorDetail[] }
  | undefined {
  switch (error._tag) {
    case "SquareTransportError":
      return { kind: "connection", transport: error.reason, errors: error.errors };
    case "SquareTimeout":
      return { kind: "timeout", transport: "timeout", errors: error.errors };
    case "SquareDecodeError":
      return { kind: "format", status: error.status, errors: error.errors };
    case "SquareRequestInvalid":
      return undefined;
    default:
      return { kind: kindOfTag[error._tag], status: error.status, errors: error.errors };
  }
}

/**
 * The kind of an error, in the same terms as the promise client's `error.kind`: core's `FailureKind`, or
 * `invalid_request` for a request refused before sending.
 */
export function errorKind(error: SquareClientError): FailureKind | "invalid_request" {
  return failureFacts(error)?.kind ?? "invalid_request";
}

const kindOfTag: Record<SquareApiError["_tag"], ErrorKind> = {
  SquareBadRequest: "bad_request",
  SquareUnauthorized: "unauthorized",
  SquareForbidden: "forbidden",
  SquareNotFound: "not_found",
  SquareConflict: "conflict",
  SquareRateLimited: "rate_limited",
  SquareServerError: "server",
};

/**
 * Whether another attempt could succeed: no complete response, or a status core deems retryable (408,
 * 429, 5xx but 501). Whether the operation may be repeated is decided separately, by core.
 */
export function isTransient(error: SquareClientError): boolean {
  const facts = failureFacts(error);
  if (facts === undefined || facts.kind === "format") return false;
  return facts.status === undefined || isRetryableStatus(facts.status);
}

/** `{ key: value }` when value is defined, else `{}` (optional keys are exact: never `undefined`). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
