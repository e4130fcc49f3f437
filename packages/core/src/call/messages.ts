// The text of every error a client reports, so both clients word the same failure the same way. Callers
// pass values already redacted (see redaction.ts).
import type { SquareErrorDetail } from "../generated/models.js";
import type { ValidationIssue } from "../validation/issue.js";

/** A Square error response: `op failed with HTTP 404: NOT_FOUND: Customer … not found.` */
export function apiErrorMessage(
  operation: string,
  status: number,
  errors: readonly SquareErrorDetail[],
): string {
  const first = errors[0];
  if (first === undefined) return `${operation} failed with HTTP ${status} (no Square error details)`;
  const what = `${first.code}${first.detail ? `: ${first.detail}` : ""}`;
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : "";
  return `${operation} failed with HTTP ${status}: ${what}${more}`;
}

/**
 * One validation issue, naming its field once. Most messages start with the field's name already
 * (`email_address is not a valid email address`), some with its last part only (the rules word a
 * customer's fields the same inside a bulk entry): that part becomes the full path. Any other message
 * gets the field in front: `chunkSize: too big`.
 */
export function issueText(issue: ValidationIssue): string {
  const { field, message } = issue;
  if (field === "" || message.startsWith(`${field} `)) return message;
  const leaf = field.slice(field.lastIndexOf(".") + 1);
  if (message.startsWith(`${leaf} `)) return `${field}${message.slice(leaf.length)}`;
  return `${field}: ${message}`;
}

/** Pre-flight validation found problems; nothing was sent. */
export function invalidRequestMessage(operation: string, issues: readonly ValidationIssue[]): string {
  const list = issues.map((i) => `${issueText(i)} (${i.code})`);
  return `${operation} request is invalid, nothing was sent: ${list.join("; ")}`;
}

/** How an attempt ended without a complete response (see attempt.ts). */
export type TransportFailure = "refused" | "reset" | "dropped" | "truncated" | "timeout";

const TRANSPORT_TEXT: Record<Exclude<TransportFailure, "timeout">, string> = {
  refused: "could not connect to the server",
  reset: "the connection was reset before the response was complete",
  dropped: "the connection closed before a response arrived",
  truncated: "the response was cut off mid-way",
};

/**
 * `SQUARE_ACCESS_TOKEN` (or the variable a client reads the token from) is missing or empty, and what
 * to do about it.
 */
export function missingAccessTokenMessage(variable = "SQUARE_ACCESS_TOKEN"): string {
  return (
    `${variable} is not set: set it to the access token of your Square application (Developer Console → ` +
    "Credentials; a sandbox token with SQUARE_ENVIRONMENT=sandbox), or to any text when " +
    "SQUARE_ENVIRONMENT is an emulator's URL"
  );
}

/** A transport failure's detail when an https:// URL reached a server that answers plain HTTP. */
export const NOT_HTTPS_DETAIL = "this server does not speak HTTPS: use an http:// URL";

/** No complete response: `op: could not connect to the server (connect ECONNREFUSED 127.0.0.1:9)`. */
export function transportFailureMessage(
  operation: string,
  failure: TransportFailure,
  detail: string | undefined,
  timeoutMs?: number,
): string {
  if (failure === "timeout") return `${operation}: no complete response within ${timeoutMs ?? 0} ms`;
  return `${operation}: ${TRANSPORT_TEXT[failure]}${detail ? ` (${detail})` : ""}`;
}

/** A complete response whose body is not what the API promises. */
export function formatFailureMessage(operation: string, status: number, problem: string): string {
  return `${operation}: the HTTP ${status} response ${problem}`;
}
