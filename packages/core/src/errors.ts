import type { SquareErrorDetail } from "./generated/models.js";

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
 * HTTP 409 all count as a conflict (BEHAVIOUR.md).
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
