import type { SquareErrorDetail } from "../generated/models.js";
import type { ValidationIssue } from "../validation/issue.js";

/** What kind of failure an error response is: the clients map each kind to one error class. */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "server";

/**
 * Classifies an error response by its HTTP status and Square error codes. Square documents a stale
 * `version` only as a "version mismatch" without status or code, so `VERSION_MISMATCH`, `CONFLICT` and
 * HTTP 409 all count as a conflict (spec/BEHAVIOUR.md).
 */
export function classifyError(status: number, errors?: ReadonlyArray<{ readonly code?: string }>): ErrorKind {
  // Plain strings: errors from anywhere (a newer Square-Version, another client) can be classified.
  const codes = new Set<string | undefined>((errors ?? []).map((error) => error.code));
  if (status === 409 || codes.has("CONFLICT") || codes.has("VERSION_MISMATCH")) return "conflict";
  if (status === 429 || codes.has("RATE_LIMITED")) return "rate_limited";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status >= 500) return "server";
  return "bad_request";
}

/** The `errors` of a Square error envelope, or undefined when the body is not one. */
export function squareErrorsOf(body: unknown): SquareErrorDetail[] | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const wellFormed = errors.every(
    (e) =>
      e !== null && typeof e === "object" && typeof e.category === "string" && typeof e.code === "string",
  );
  return wellFormed ? (errors as SquareErrorDetail[]) : undefined;
}

/**
 * A validation issue in Square's error shape, as a server reports it: category `INVALID_REQUEST_ERROR`,
 * the issue's code and message, and its field (left out when the issue is about the body as a whole).
 */
export function issueToErrorDetail(issue: ValidationIssue): SquareErrorDetail {
  const detail: SquareErrorDetail = {
    category: "INVALID_REQUEST_ERROR",
    code: issue.code,
    detail: issue.message,
  };
  if (issue.field !== "") detail.field = issue.field;
  return detail;
}
