import type { ErrorKind, SquareErrorDetail, ValidationIssue } from "@square-customers/core";

/** Which call an error belongs to. Never holds headers, so it can never hold the token. */
export interface RequestSummary {
  /** Operation name from core's table, e.g. `retrieveCustomer`. */
  readonly operation: string;
  readonly method: string;
  /** Path actually requested (ids filled in, no query string, no host). */
  readonly path: string;
}

/**
 * Base class of every error this client throws (except the caller's own abort reason, which is
 * re-thrown untouched as `fetch` does). Errors are built only from values that were already
 * scrubbed of the access token, and `toJSON` lists plain fields only.
 */
export class SquareError extends Error {
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

  constructor(init: ApiErrorInit) {
    super(apiErrorMessage(init), init.request);
    this.kind = init.kind;
    this.status = init.status;
    this.errors = init.errors;
    this.requestId = init.requestId;
    this.body = init.body;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      kind: this.kind,
      status: this.status,
      errors: this.errors,
      requestId: this.requestId,
      body: this.body,
    };
  }
}

export interface ApiErrorInit {
  readonly request: RequestSummary;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly errors: readonly SquareErrorDetail[];
  readonly requestId: string | undefined;
  readonly body: unknown;
  /** Milliseconds the server asked us to wait (429 only). */
  readonly retryAfterMs?: number | undefined;
}

function apiErrorMessage(init: ApiErrorInit): string {
  const first = init.errors[0];
  const what = first ? `${first.code}${first.detail ? `: ${first.detail}` : ""}` : "no Square error body";
  const more = init.errors.length > 1 ? ` (+${init.errors.length - 1} more)` : "";
  return `${init.request.operation} failed with HTTP ${init.status} ${what}${more}`;
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
  constructor(init: ApiErrorInit) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}
export class ServerError extends SquareApiError {}

const apiErrorClasses: Record<ErrorKind, new (init: ApiErrorInit) => SquareApiError> = {
  bad_request: BadRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  conflict: ConflictError,
  rate_limited: RateLimitError,
  server: ServerError,
};

/** The one place a kind (from core's `classifyError`) becomes a class. */
export function apiError(init: ApiErrorInit): SquareApiError {
  return new apiErrorClasses[init.kind](init);
}

/** The request never got an HTTP response: refused, reset, DNS, TLS, dropped mid-flight. */
export class ConnectionError extends SquareError {}

/** One attempt took longer than the `timeout` option. */
export class TimeoutError extends SquareError {
  readonly timeoutMs: number;
  constructor(request: RequestSummary, timeoutMs: number) {
    super(`${request.operation} timed out after ${timeoutMs} ms`, request);
    this.timeoutMs = timeoutMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/** Pre-flight validation (core's `validateRequest`) failed; nothing was sent. */
export class RequestValidationError extends SquareError {
  readonly issues: readonly ValidationIssue[];
  constructor(request: RequestSummary, issues: readonly ValidationIssue[]) {
    const list = issues.map((i) => `${i.field}: ${i.message} (${i.code})`).join("; ");
    super(`${request.operation} request is invalid, nothing was sent: ${list}`, request);
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** The server's body is not what the API promises: not JSON, cut short, or the wrong shape. */
export class ResponseFormatError extends SquareError {
  readonly status: number;
  readonly requestId: string | undefined;
  /** The start of the raw body (at most 500 characters), for debugging. */
  readonly bodySnippet: string;
  constructor(
    request: RequestSummary,
    init: { status: number; requestId: string | undefined; bodySnippet: string; problem: string },
    options?: { cause?: unknown },
  ) {
    super(`${request.operation}: HTTP ${init.status} response ${init.problem}`, request, options);
    this.status = init.status;
    this.requestId = init.requestId;
    this.bodySnippet = init.bodySnippet;
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
