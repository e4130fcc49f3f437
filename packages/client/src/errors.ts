// The errors this client throws: one class per kind of failure core's `interpretAttempt` reports, each
// built from core's `CallFailure` (whose texts core wrote and redacted), so the message of a failure is
// the same as the Effect client's.
import {
  type CallFailure,
  type ErrorKind,
  type FailureKind,
  invalidRequestMessage,
  issueToErrorDetail,
  type SquareErrorDetail,
  type TransportFailure,
  type ValidationIssue,
} from "@square-customers/core";

/** Which call an error belongs to. Never holds headers, so it can never hold the token. */
export interface RequestSummary {
  /** Operation name from core's table, e.g. `retrieveCustomer` (or `createMany` for its options). */
  readonly operation: string;
  readonly method: string;
  /** Path actually requested (ids filled in, no query string, no host). */
  readonly path: string;
}

/** What kind of failure an error is: core's `FailureKind`, or a request refused before sending. */
export type SquareErrorKind = FailureKind | "invalid_request";

/**
 * Base class of every error this client throws (except the caller's own abort reason, which is
 * re-thrown untouched as `fetch` does). `toJSON` lists plain fields only.
 */
export abstract class SquareError extends Error {
  abstract readonly kind: SquareErrorKind;
  readonly operation: string;
  readonly method: string;
  readonly path: string;

  constructor(message: string, request: RequestSummary, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = request.operation;
    this.method = request.method;
    this.path = request.path;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      operation: this.operation,
      method: this.method,
      path: this.path,
    };
  }
}

/** Square answered with a non-2xx status. One subclass per `ErrorKind` (core's classification). */
export class SquareApiError extends SquareError {
  readonly kind: ErrorKind;
  readonly status: number;
  /** Square's error envelope (`[]` when the body had none, e.g. a proxy's HTML error page). */
  readonly errors: readonly SquareErrorDetail[];
  /** The request id the server sent back, if any; quote it to Square support. */
  readonly requestId: string | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown;

  constructor(request: RequestSummary, failure: CallFailure & { kind: ErrorKind }) {
    super(failure.message, request);
    this.kind = failure.kind;
    this.status = failure.status ?? 0;
    this.errors = failure.errors;
    this.requestId = failure.requestId;
    this.body = failure.body;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      errors: this.errors,
      requestId: this.requestId,
      body: this.body,
    };
  }
}

export class BadRequestError extends SquareApiError {}
export class UnauthorizedError extends SquareApiError {}
export class ForbiddenError extends SquareApiError {}
export class NotFoundError extends SquareApiError {}
/** A 409, or Square's `CONFLICT` / `VERSION_MISMATCH` (stale `version`): re-read and try again. */
export class ConflictError extends SquareApiError {}
export class RateLimitError extends SquareApiError {
  /** What `Retry-After` asked for, in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(request: RequestSummary, failure: CallFailure & { kind: ErrorKind }) {
    super(request, failure);
    this.retryAfterMs = failure.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}
export class ServerError extends SquareApiError {}

const apiErrorClasses: Record<ErrorKind, typeof SquareApiError> = {
  bad_request: BadRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  conflict: ConflictError,
  rate_limited: RateLimitError,
  server: ServerError,
};

/**
 * No complete response: the connection was refused, reset or dropped, or the body was cut off mid-way
 * (`reason`). A refused connection sent nothing; after the others the request may have been applied.
 */
export class ConnectionError extends SquareError {
  readonly kind = "connection" as const;
  readonly reason: Exclude<TransportFailure, "timeout">;
  constructor(request: RequestSummary, failure: CallFailure, options?: { cause?: unknown }) {
    super(failure.message, request, options);
    this.reason = (failure.transport ?? "dropped") as Exclude<TransportFailure, "timeout">;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** One attempt took longer than the `timeout` option. */
export class TimeoutError extends SquareError {
  readonly kind = "timeout" as const;
  readonly timeoutMs: number;
  constructor(request: RequestSummary, failure: CallFailure) {
    super(failure.message, request);
    this.timeoutMs = failure.timeoutMs ?? 0;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/** Pre-flight validation (core's `validateRequest`) failed; nothing was sent. */
export class RequestValidationError extends SquareError {
  readonly kind = "invalid_request" as const;
  readonly issues: readonly ValidationIssue[];
  /** The same problems in Square's error shape, as a server would have reported them. */
  readonly errors: readonly SquareErrorDetail[];
  constructor(request: RequestSummary, issues: readonly ValidationIssue[]) {
    super(invalidRequestMessage(request.operation, issues), request);
    this.issues = issues;
    this.errors = issues.map(issueToErrorDetail);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues, errors: this.errors };
  }
}

/** A complete response whose body is not what the API promises: not JSON, or the wrong shape. */
export class ResponseFormatError extends SquareError {
  readonly kind = "format" as const;
  readonly status: number;
  readonly requestId: string | undefined;
  /** The start of the raw body (at most 500 characters), for debugging. */
  readonly bodySnippet: string;
  constructor(request: RequestSummary, failure: CallFailure) {
    super(failure.message, request);
    this.status = failure.status ?? 0;
    this.requestId = failure.requestId;
    this.bodySnippet = failure.bodySnippet ?? "";
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      requestId: this.requestId,
      bodySnippet: this.bodySnippet,
    };
  }
}

/** The one place a failure from core becomes an error class. `cause` is kept for connection failures. */
export function errorFromFailure(request: RequestSummary, failure: CallFailure, cause?: Error): SquareError {
  switch (failure.kind) {
    case "connection":
      return new ConnectionError(request, failure, cause ? { cause } : undefined);
    case "timeout":
      return new TimeoutError(request, failure);
    case "format":
      return new ResponseFormatError(request, failure);
    default:
      return new apiErrorClasses[failure.kind](request, { ...failure, kind: failure.kind });
  }
}

// Names are spelled out rather than read from `constructor.name`, which minifiers rename; they go on
// the prototypes so that no instance carries an own `name` field.
for (const [name, type] of Object.entries({
  SquareError,
  SquareApiError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  RequestValidationError,
  ResponseFormatError,
})) {
  type.prototype.name = name;
}
