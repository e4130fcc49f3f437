import type { ErrorCategory, ErrorCode, SquareErrorDetail } from "@square-customers/core";

/**
 * A Square error answer. Handlers throw it; the server turns it into the `{ "errors": [...] }` envelope
 * with the given status. Throwing (instead of returning) also rolls back the surrounding transaction.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: SquareErrorDetail[];

  constructor(status: number, errors: SquareErrorDetail[]) {
    super(errors[0]?.detail ?? errors[0]?.code ?? "error");
    this.status = status;
    this.errors = errors;
  }
}

export function errorDetail(
  category: ErrorCategory,
  code: ErrorCode,
  detail?: string,
  field?: string,
): SquareErrorDetail {
  const e: SquareErrorDetail = { category, code };
  if (detail !== undefined) e.detail = detail;
  if (field !== undefined) e.field = field;
  return e;
}

/** A 400 INVALID_REQUEST_ERROR with one error. */
export function badRequest(code: ErrorCode, detail: string, field?: string): ApiError {
  return new ApiError(400, [errorDetail("INVALID_REQUEST_ERROR", code, detail, field)]);
}

/** A 404 for a missing resource, worded like Square's ("Customer with ID `X` not found."). */
export function notFound(kind: string, id: string, field?: string): ApiError {
  return new ApiError(404, [notFoundDetail(kind, id, field)]);
}

export function notFoundDetail(kind: string, id: string, field?: string): SquareErrorDetail {
  return errorDetail("INVALID_REQUEST_ERROR", "NOT_FOUND", `${kind} with ID \`${id}\` not found.`, field);
}
