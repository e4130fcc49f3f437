// What one attempt's outcome means. A client reports what happened (a complete response, or a transport
// failure); this module decides everything else: success or which kind of failure, the error's fields and
// message, and whether another attempt may be made. Counting attempts is left to the client (its loop or
// its Schedule), so that classification and the retry budget never mix.

import { answerShapes } from "../generated/answer-shapes.js";
import type { SquareErrorDetail } from "../generated/models.js";
import { shapeCheck } from "../shapes/check.js";
import { operation } from "../table/operation.js";
import type { ValidationIssue } from "../validation/issue.js";
import { classifyError, type ErrorKind, issueToErrorDetail, squareErrorsOf } from "./errors.js";
import {
  apiErrorMessage,
  formatFailureMessage,
  invalidRequestMessage,
  NOT_HTTPS_DETAIL,
  type TransportFailure,
  transportFailureMessage,
} from "./messages.js";
import type { PreparedCall } from "./prepare.js";
import type { Redactor } from "./redaction.js";
import { isRetryableStatus, parseRetryAfter } from "./retry.js";

export type { TransportFailure };

/** What a client observed in one attempt. */
export type Attempt =
  | {
      readonly kind: "response";
      readonly status: number;
      /** The complete body, as text. A body that could not be read to the end is a transport failure. */
      readonly body: string;
      readonly requestId?: string | undefined;
      /** The raw `Retry-After` header, if any. */
      readonly retryAfter?: string | undefined;
    }
  | {
      readonly kind: "transport";
      readonly failure: TransportFailure;
      /** A short, technical reason (see `describeTransportError`). */
      readonly detail?: string | undefined;
      /** The attempt's time limit, for `timeout`. */
      readonly timeoutMs?: number | undefined;
    };

/**
 * The kinds of failure a call can end with: a kind of Square error response (core's `ErrorKind`), no
 * complete response (`connection`, `timeout`), a complete body that is not what the API promises
 * (`format`), or a request pre-flight validation refused, so that nothing was sent (`invalid_request`).
 */
export type FailureKind = ErrorKind | "connection" | "timeout" | "format" | "invalid_request";

/** A failed attempt, described for the clients' error classes (already redacted). */
export interface CallFailure {
  readonly kind: FailureKind;
  readonly operation: string;
  readonly message: string;
  /** Square's error details (`[]` when the answer had none). */
  readonly errors: readonly SquareErrorDetail[];
  readonly status?: number;
  readonly requestId?: string;
  /** The raw `Retry-After` header and what it asks for in milliseconds, when the server sent one. */
  readonly retryAfter?: string;
  readonly retryAfterMs?: number;
  /** An error response's parsed JSON body, or its text when it was not JSON. */
  readonly body?: unknown;
  /** The start of a body that is not what the API promises (format failures). */
  readonly bodySnippet?: string;
  /** How the attempt failed without a complete response (connection and timeout failures). */
  readonly transport?: TransportFailure;
  readonly timeoutMs?: number;
  /** What pre-flight validation found (`invalid_request` failures; `errors` holds them in Square's shape). */
  readonly issues?: readonly ValidationIssue[];
  /**
   * Whether another attempt may be made: the failure may pass, and the call may be repeated. The clients
   * retry on this alone, and put it on every error they report.
   */
  readonly retryable: boolean;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly failure: CallFailure };

/** How deep an answer is checked: one rule for both clients (shapes/check.ts), against the answers' shapes. */
const answerProblem = shapeCheck(answerShapes);

/** The longest start of a bad body kept on a format failure. */
const SNIPPET_LENGTH = 500;

/** What one attempt of `call` means. Texts kept on a failure pass through `redact` first. */
export function interpretAttempt(call: PreparedCall, attempt: Attempt, redact: Redactor): AttemptOutcome {
  if (attempt.kind === "transport") {
    return { ok: false, failure: transportFailure(call, attempt, redact) };
  }
  if (attempt.status >= 200 && attempt.status < 300) return interpretSuccess(call, attempt, redact);
  return { ok: false, failure: errorResponseFailure(call, attempt, redact) };
}

/**
 * A call refused before sending because pre-flight validation found `issues` (see `PreparedCall.issues`;
 * `operation` may also name a helper such as `createMany`, for its options). Never retryable: nothing
 * was sent, and the same request would be refused again.
 */
export function invalidRequestFailure(operation: string, issues: readonly ValidationIssue[]): CallFailure {
  return {
    kind: "invalid_request",
    operation,
    message: invalidRequestMessage(operation, issues),
    errors: issues.map(issueToErrorDetail),
    issues,
    retryable: false,
  };
}

/**
 * Whether a failure of this kind may be followed by another attempt of `call`: the failure must be one
 * that can pass (no complete response, or a status worth retrying), and the call must be safe to repeat —
 * except when the connection was refused, which proves nothing was sent.
 */
export function isRetryableFailure(
  call: Pick<PreparedCall, "retrySafe">,
  failure: {
    readonly kind: FailureKind;
    readonly status?: number | undefined;
    readonly transport?: TransportFailure | undefined;
  },
): boolean {
  if (failure.kind === "connection" || failure.kind === "timeout") {
    return call.retrySafe || failure.transport === "refused";
  }
  if (failure.kind === "format" || failure.status === undefined) return false;
  return call.retrySafe && isRetryableStatus(failure.status);
}

/**
 * A complete response whose body is not what the API promises, e.g. one a client's schema rejected. Not
 * retried: the server answered, and asking again would most likely get the same answer.
 */
export function formatFailure(
  call: PreparedCall,
  response: { readonly status: number; readonly requestId?: string | undefined; readonly body: string },
  problem: string,
  redact: Redactor,
): CallFailure {
  return {
    kind: "format",
    operation: call.operation,
    message: redact(formatFailureMessage(call.operation, response.status, problem)),
    errors: [],
    status: response.status,
    ...optional("requestId", response.requestId),
    bodySnippet: redact(response.body).slice(0, SNIPPET_LENGTH),
    retryable: false,
  };
}

function interpretSuccess(
  call: PreparedCall,
  response: Extract<Attempt, { kind: "response" }>,
  redact: Redactor,
): AttemptOutcome {
  const body = parseJson(response.body);
  const bad = (problem: string): AttemptOutcome => ({
    ok: false,
    failure: formatFailure(call, response, problem, redact),
  });
  if (body === undefined) return bad(response.body === "" ? "body is empty" : "body is not valid JSON");
  if (!isObject(body)) return bad("body is not a JSON object");
  const model = operation(call.operation).response;
  const problem = answerProblem(model, body);
  if (problem !== undefined) return bad(`does not match ${model}: ${problem}`);
  return { ok: true, body };
}

function errorResponseFailure(
  call: PreparedCall,
  response: Extract<Attempt, { kind: "response" }>,
  redact: Redactor,
): CallFailure {
  const text = redact(response.body);
  const parsed = parseJson(text);
  const body = parsed === undefined ? text : parsed;
  const errors = squareErrorsOf(body) ?? [];
  const kind = classifyError(response.status, errors);
  const retryAfterMs = parseRetryAfter(response.retryAfter);
  return {
    kind,
    operation: call.operation,
    message: apiErrorMessage(call.operation, response.status, errors),
    errors,
    status: response.status,
    ...optional("requestId", response.requestId),
    ...optional("retryAfter", response.retryAfter ?? undefined),
    ...optional("retryAfterMs", retryAfterMs),
    body,
    retryable: isRetryableFailure(call, { kind, status: response.status }),
  };
}

function transportFailure(
  call: PreparedCall,
  attempt: Extract<Attempt, { kind: "transport" }>,
  redact: Redactor,
): CallFailure {
  const kind = attempt.failure === "timeout" ? "timeout" : "connection";
  return {
    kind,
    operation: call.operation,
    message: redact(
      transportFailureMessage(call.operation, attempt.failure, attempt.detail, attempt.timeoutMs),
    ),
    errors: [],
    transport: attempt.failure,
    ...optional("timeoutMs", attempt.failure === "timeout" ? attempt.timeoutMs : undefined),
    retryable: isRetryableFailure(call, { kind, transport: attempt.failure }),
  };
}

/** Error codes of Node's sockets and undici that mean no connection was ever made (nothing was sent). */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const RESET = new Set(["ECONNRESET", "EPIPE"]);

/**
 * What a thrown fetch error says about the connection. `phase` is when it was thrown: while waiting for
 * the response (`request`) or while reading its body (`body`: whatever the cause, the body was cut off).
 * Runtimes that give no error codes (browsers) leave `dropped`, the cautious reading: the request may have
 * reached the server. `detail` is the innermost error's message, the same whichever client wrapped it.
 */
export function describeTransportError(
  error: unknown,
  phase: "request" | "body",
): { failure: Exclude<TransportFailure, "timeout">; detail: string | undefined } {
  const chain: Array<{ code?: unknown; message?: unknown }> = [];
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 8; depth++) {
    chain.push(e as { code?: unknown; message?: unknown });
    e = (e as { cause?: unknown }).cause;
  }
  const codes = chain.map((e) => e.code).filter((c): c is string => typeof c === "string");
  const innermost = chain.at(-1);
  const message = typeof innermost?.message === "string" ? innermost.message.trim() : "";
  // An https:// URL for a plain-HTTP server: the TLS library's own text means nothing to a user.
  const detail = codes.includes("ERR_SSL_WRONG_VERSION_NUMBER")
    ? NOT_HTTPS_DETAIL
    : message === ""
      ? undefined
      : message;
  if (phase === "body") return { failure: "truncated", detail };
  if (codes.some((c) => NOT_CONNECTED.has(c))) return { failure: "refused", detail };
  if (codes.some((c) => RESET.has(c))) return { failure: "reset", detail };
  return { failure: "dropped", detail };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `{ key: value }` when value is defined, else `{}`: how a failure's optional fields are copied, here and
 * into a client's errors (optional keys are exact, never `undefined`).
 */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
