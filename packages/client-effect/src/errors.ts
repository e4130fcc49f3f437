// The typed errors of every operation: one `Schema.TaggedError` per kind, so `Effect.catchTag` picks
// exactly the failures a caller cares about. Each is built from core's `CallFailure` and carries core's
// verdict as it is (`kind`, `retryable`): nothing here decides either, so an error means the same as the
// promise client's for the same failure. Errors are built only from scrubbed values (never request
// headers), so no field, message or printed form can hold the access token.
import type { SquareErrorDetail } from "@square-customers/core";
import {
  type CallFailure,
  type ErrorKind,
  type FailureKind,
  invalidRequestFailure,
  optional,
  squareErrorsOf,
  type TransportFailure,
  type ValidationIssue,
} from "@square-customers/core/client-kit";
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

/** Fields every error has, whatever its kind (`kind`: core's `FailureKind`, one literal per class). */
const common = {
  /**
   * Core's verdict: whether another attempt could have succeeded (the failure may pass, and the call was
   * safe to repeat). The client retries while this holds; on a failed effect it means retries ran out.
   */
  retryable: Schema.Boolean,
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

/**
 * Fields of an error response of core's kind `kind`; `retryAfter` is the raw `Retry-After` header, when
 * sent.
 */
const api = <K extends ErrorKind>(kind: K) => ({
  ...common,
  kind: Schema.Literal(kind),
  status: Schema.Number,
  retryAfter: Schema.optionalKey(Schema.String),
});

/** 400 (and any other 4xx without a kind of its own): the request is wrong. */
export class SquareBadRequest extends Schema.TaggedError<SquareBadRequest>()(
  "SquareBadRequest",
  api("bad_request"),
) {}
/** 401: missing, unknown or expired access token. */
export class SquareUnauthorized extends Schema.TaggedError<SquareUnauthorized>()(
  "SquareUnauthorized",
  api("unauthorized"),
) {}
/** 403: the token lacks a scope (`INSUFFICIENT_SCOPES`) or the action is not allowed. */
export class SquareForbidden extends Schema.TaggedError<SquareForbidden>()(
  "SquareForbidden",
  api("forbidden"),
) {}
/** 404: no such customer, group, segment, card, definition or attribute. */
export class SquareNotFound extends Schema.TaggedError<SquareNotFound>()(
  "SquareNotFound",
  api("not_found"),
) {}
/** 409, `CONFLICT` or `VERSION_MISMATCH`: a stale `version`; read again and retry. */
export class SquareConflict extends Schema.TaggedError<SquareConflict>()("SquareConflict", api("conflict")) {}
/** 429 / `RATE_LIMITED`: retried by default, honouring `Retry-After`; this is what is left after that. */
export class SquareRateLimited extends Schema.TaggedError<SquareRateLimited>()(
  "SquareRateLimited",
  api("rate_limited"),
) {}
/** 5xx: trouble on Square's side. */
export class SquareServerError extends Schema.TaggedError<SquareServerError>()(
  "SquareServerError",
  api("server"),
) {}

/**
 * No complete response (`reason`): the connection was refused (nothing was sent), reset or dropped, or
 * the body was cut off mid-way (the request may have been applied).
 */
export class SquareTransportError extends Schema.TaggedError<SquareTransportError>()("SquareTransportError", {
  ...common,
  kind: Schema.Literal("connection"),
  reason: Schema.Literals(["refused", "reset", "dropped", "truncated"]),
}) {}

/** One attempt took longer than the `timeout` option. */
export class SquareTimeout extends Schema.TaggedError<SquareTimeout>()("SquareTimeout", {
  ...common,
  kind: Schema.Literal("timeout"),
  timeoutMs: Schema.Number,
}) {}

/** A response arrived but its body is not what the API promises (not JSON, or the wrong shape). */
export class SquareDecodeError extends Schema.TaggedError<SquareDecodeError>()("SquareDecodeError", {
  ...common,
  kind: Schema.Literal("format"),
  status: Schema.Number,
}) {}

/**
 * Core's pre-flight validation found problems; nothing was sent. `errors` holds the same problems in
 * Square's shape, so handling them needs no special case.
 */
export class SquareRequestInvalid extends Schema.TaggedError<SquareRequestInvalid>()("SquareRequestInvalid", {
  ...common,
  kind: Schema.Literal("invalid_request"),
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

/** The one place a failure from core becomes an error class; every text and verdict on it is core's. */
export function errorFromFailure(failure: CallFailure): SquareClientError {
  const base = {
    retryable: failure.retryable,
    operation: failure.operation,
    message: failure.message,
    errors: failure.errors,
    ...optional("requestId", failure.requestId),
  };
  switch (failure.kind) {
    case "connection":
      return new SquareTransportError({
        ...base,
        kind: failure.kind,
        reason: (failure.transport ?? "dropped") as Exclude<TransportFailure, "timeout">,
      });
    case "timeout":
      return new SquareTimeout({ ...base, kind: failure.kind, timeoutMs: failure.timeoutMs ?? 0 });
    case "format":
      return new SquareDecodeError({ ...base, kind: failure.kind, status: failure.status ?? 0 });
    case "invalid_request":
      return new SquareRequestInvalid({ ...base, kind: failure.kind, issues: failure.issues ?? [] });
    default: {
      const ApiError = apiErrorClasses[failure.kind] as new (fields: object) => SquareApiError;
      return new ApiError({
        ...base,
        kind: failure.kind,
        status: failure.status ?? 0,
        ...optional("retryAfter", failure.retryAfter),
      });
    }
  }
}

/** Pre-flight issues as an error (nothing was sent); text and verdict are core's, as in the promise client. */
export function requestInvalid(
  operation: string,
  issues: ReadonlyArray<ValidationIssue>,
): SquareRequestInvalid {
  return errorFromFailure(invalidRequestFailure(operation, issues)) as SquareRequestInvalid;
}

/**
 * The kind of an error, in the same terms as the promise client's `error.kind` (core's `FailureKind`;
 * `invalid_request` for a request refused before sending): the same as reading `error.kind`.
 */
export function errorKind(error: SquareClientError): FailureKind {
  return error.kind;
}
