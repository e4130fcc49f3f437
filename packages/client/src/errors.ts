// The errors this client throws: one class per kind of failure core reports, each built from core's
// `CallFailure` (whose texts core wrote and redacted) and carrying core's verdict as it is: its `kind`
// and whether it was `retryable`. Nothing here decides either, so an error means the same as the Effect
// client's for the same failure.
import type { SquareErrorDetail } from "@square-customers/core";
import type {
  CallFailure,
  ErrorKind,
  FailureKind,
  TransportFailure,
  ValidationIssue,
} from "@square-customers/core/client-kit";

/** Which call an error belongs to. Never holds headers, so it can never hold the token. */
export interface RequestSummary {
  /** Operation name from core's table, e.g. `retrieveCustomer` (or `createMany` for its options). */
  readonly operation: string;
  readonly method: string;
  /** Path actually requested (ids filled in, no query string, no host). */
  readonly path: string;
}

/** What kind of failure an error is: core's `FailureKind` (`invalid_request`: refused before sending). */
export type SquareErrorKind = FailureKind;

/**
 * Base class of every error this client throws (except the caller's own abort reason, which is
 * re-thrown untouched as `fetch` does). `toJSON` lists plain fields only.
 */
export abstract class SquareError extends Error {
  /** Core's verdict: what kind of failure this is. */
  readonly kind: SquareErrorKind;
  /**
   * Core's verdict: whether another attempt could have succeeded (the failure may pass and the call was
   * safe to repeat). The client retried while this held; on a thrown error it means the retries ran out.
   */
  readonly retryable: boolean;
  /** Square's error details (`[]` when there were none). */
  readonly errors: readonly SquareErrorDetail[];
  readonly operation: string;
  readonly method: string;
  readonly path: string;

  constructor(request: RequestSummary, failure: CallFailure, options?: { cause?: unknown }) {
    super(failure.message, options);
    this.kind = failure.kind;
    this.retryable = failure.retryable;
    this.errors = failure.errors;
    this.operation = request.operation;
    this.method = request.method;
    this.path = request.path;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      retryable: this.retryable,
      message: this.message,
      operation: this.operation,
      method: this.method,
      path: this.path,
      errors: this.errors,
    };
  }
}

/** Square answered with a non-2xx status. One subclass per `ErrorKind` (core's classification). */
export class SquareApiError extends SquareError {
  declare readonly kind: ErrorKind;
  readonly status: number;
  /** The request id the server sent back, if any; quote it to Square support. */
  readonly requestId: string | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown;

  constructor(request: RequestSummary, failure: CallFailure & { kind: ErrorKind }) {
    super(request, failure);
    this.status = failure.status ?? 0;
    this.requestId = failure.requestId;
    this.body = failure.body;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId, body: this.body };
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
  declare readonly kind: "connection";
  readonly reason: Exclude<TransportFailure, "timeout">;
  constructor(request: RequestSummary, failure: CallFailure, options?: { cause?: unknown }) {
    super(request, failure, options);
    this.reason = (failure.transport ?? "dropped") as Exclude<TransportFailure, "timeout">;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** One attempt took longer than the `timeout` option. */
export class TimeoutError extends SquareError {
  declare readonly kind: "timeout";
  readonly timeoutMs: number;
  constructor(request: RequestSummary, failure: CallFailure) {
    super(request, failure);
    this.timeoutMs = failure.timeoutMs ?? 0;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/**
 * Pre-flight validation (core's `validateRequest`) failed; nothing was sent. `errors` holds the same
 * problems in Square's shape, as a server would have reported them.
 */
export class RequestValidationError extends SquareError {
  declare readonly kind: "invalid_request";
  readonly issues: readonly ValidationIssue[];
  constructor(request: RequestSummary, failure: CallFailure) {
    super(request, failure);
    this.issues = failure.issues ?? [];
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** A complete response whose body is not what the API promises: not JSON, or the wrong shape. */
export class ResponseFormatError extends SquareError {
  declare readonly kind: "format";
  readonly status: number;
  readonly requestId: string | undefined;
  /** The start of the raw body (at most 500 characters), for debugging. */
  readonly bodySnippet: string;
  constructor(request: RequestSummary, failure: CallFailure) {
    super(request, failure);
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
    case "invalid_request":
      return new RequestValidationError(request, failure);
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
