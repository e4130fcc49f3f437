// The interpreter: turns (operation name, path args, input) into HTTP via core's table and rules, with
// ky doing request building, per-attempt timeout, hooks and fetch injection. ky's own retry and
// HTTP-error throwing are off: the retry rule (idempotency keys, Retry-After, maxRetries) is core's, and
// every failure must end up as one of our typed errors.
import {
  type AttemptFailure,
  baseUrlFor,
  buildRequest,
  classifyError,
  DEFAULT_MAX_RETRIES,
  ENVIRONMENT_EXPECTED,
  type EnvironmentName,
  hasIdempotencyKey,
  type OperationName,
  operations,
  parseRetryAfter,
  pathWithQuery,
  REQUEST_ID_HEADER,
  type ResponseOf,
  retryDelay,
  SQUARE_VERSION,
  shouldRetry,
  squareErrorsOf,
  validateRequest,
  withIdempotencyKey,
} from "@square-customers/core";
import ky, { type AfterResponseHook, type BeforeRequestHook, isNetworkError, isTimeoutError } from "ky";
import type { RawResponse, WithResponse } from "./call.js";
import {
  apiError,
  ConnectionError,
  type RequestSummary,
  RequestValidationError,
  ResponseFormatError,
  type SquareApiError,
  type SquareError,
  TimeoutError,
} from "./errors.js";

/** Receives one line per request, response and retry. Never sees the token. `console` fits. */
export interface Logger {
  debug(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface SquareClientOptions {
  /** Square access token (or any token, for the emulator). Sent only in the Authorization header. */
  readonly accessToken: string;
  /** `"production"` (default), `"sandbox"`, or a base URL such as the emulator's. */
  readonly environment?: EnvironmentName | URL | (string & {});
  /** `Square-Version` header; defaults to the version core was generated from. */
  readonly squareVersion?: string;
  /** Retries after the first attempt, for failures that may be retried (default 2). */
  readonly maxRetries?: number;
  /** Per-attempt time limit in ms for the response (headers and body); `false` for none. Default 30 000. */
  readonly timeout?: number | false;
  /** A fetch to use instead of the global one (instrumentation, tests, special runtimes). */
  readonly fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request. */
  readonly headers?: HeadersInit;
  /** ky hooks, run on every attempt (retries are attempts too). */
  readonly hooks?: {
    readonly beforeRequest?: readonly BeforeRequestHook[];
    readonly afterResponse?: readonly AfterResponseHook[];
  };
  readonly logger?: Logger;
  /** Backoff bounds passed to core's `retryDelay` (defaults there: 500 ms base, 30 s cap). */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
}

/** Per-call options, the last argument of every method. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeout?: number | false;
  readonly maxRetries?: number;
  readonly headers?: HeadersInit;
}

export type Send = <N extends OperationName>(
  name: N,
  pathArgs: readonly string[],
  input: object | undefined,
  options: CallOptions | undefined,
) => Promise<WithResponse<ResponseOf<N>>>;

const DEFAULT_TIMEOUT_MS = 30_000;
const REDACTED = "[REDACTED]";
const MIN_SCRUBBED_TOKEN = 8;
/** The base URL for the client's `environment`; anything else is a programming error. */
function baseUrl(environment: SquareClientOptions["environment"]): string {
  const url = baseUrlFor(environment);
  if (url === undefined) {
    throw new TypeError(`environment must be ${ENVIRONMENT_EXPECTED}, got ${String(environment)}`);
  }
  return url;
}

export function createSend(options: SquareClientOptions): Send {
  const token = options.accessToken;
  if (typeof token !== "string" || token === "")
    throw new TypeError("accessToken must be a non-empty string");
  const logger = options.logger;
  const clientMaxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const clientTimeout = options.timeout ?? DEFAULT_TIMEOUT_MS;

  /**
   * Removes the token from text kept on an error or given to the logger (a proxy or server might echo it
   * back). Successful bodies are the caller's data and are left alone. Tokens shorter than
   * MIN_SCRUBBED_TOKEN (test tokens, never real ones) are not searched for: that would mangle any text.
   */
  const scrub = (text: string): string =>
    token.length >= MIN_SCRUBBED_TOKEN && text.includes(token) ? text.replaceAll(token, REDACTED) : text;

  const logRequest: BeforeRequestHook = ({ request, options: kyOptions }) => {
    logger?.debug("square request", {
      ...(kyOptions.context as Record<string, unknown>),
      method: request.method,
      url: scrub(request.url),
      headers: redactHeaders(request.headers, scrub),
    });
  };

  const api = ky.create({
    prefix: baseUrl(options.environment),
    headers: mergeHeaders(options.headers, {
      authorization: `Bearer ${token}`,
      "square-version": options.squareVersion ?? SQUARE_VERSION,
      accept: "application/json",
    }),
    retry: 0,
    throwHttpErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    hooks: {
      beforeRequest: [...(options.hooks?.beforeRequest ?? []), ...(logger ? [logRequest] : [])],
      afterResponse: [...(options.hooks?.afterResponse ?? [])],
    },
  });

  return async function send(name, pathArgs, input, call) {
    const op = operations[name];
    // The key is filled in once, before the first attempt, so every retry carries the same one.
    const payload = op.body === null ? input : withIdempotencyKey(name, (input ?? {}) as never);
    const issues = validateRequest(name, pathArgs, payload);
    const request = buildRequest(name, pathArgs, payload);
    const summary: RequestSummary = { operation: name, method: request.method, path: request.path };
    if (issues.length > 0) throw new RequestValidationError(summary, issues);

    const hasKey = hasIdempotencyKey(name, payload);
    const maxRetries = checkMaxRetries(call?.maxRetries ?? clientMaxRetries);
    const timeout = call?.timeout ?? clientTimeout;
    const signal = call?.signal;

    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const started = performance.now();
      let failure: SquareError;
      let reason: AttemptFailure;
      let retryAfter: string | null = null;
      try {
        const pending = api(pathWithQuery(request), {
          method: request.method,
          ...(request.body === undefined ? {} : { json: request.body }),
          timeout,
          ...(signal ? { signal } : {}),
          ...(call?.headers ? { headers: call.headers } : {}),
          context: { operation: name, attempt: attempt + 1 },
        });
        const response = await pending;
        const raw: RawResponse = {
          status: response.status,
          headers: response.headers,
          requestId: response.headers.get(REQUEST_ID_HEADER) ?? undefined,
          attempts: attempt + 1,
        };
        const text = await readBody(pending, summary, raw, scrub);
        logger?.debug("square response", {
          operation: name,
          attempt: raw.attempts,
          status: raw.status,
          requestId: raw.requestId,
          ms: Math.round(performance.now() - started),
        });
        if (response.ok) return { data: parseSuccess(name, summary, raw, text, scrub), response: raw };
        retryAfter = response.headers.get("retry-after");
        failure = errorFromResponse(summary, raw, scrub(text), retryAfter);
        reason = { status: raw.status };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof ResponseFormatError) throw error; // a bad body is not retried
        failure = transportError(error, summary, timeout, scrub);
        reason = { transport: failure instanceof TimeoutError ? "timeout" : "connection" };
      }

      if (
        !shouldRetry(name, { failure: reason, retriesSoFar: attempt, maxRetries, hasIdempotencyKey: hasKey })
      ) {
        throw failure;
      }
      const delayMs = retryDelay(attempt, { retryAfter, ...options.backoff });
      logger?.warn("square retry", {
        operation: name,
        attempt: attempt + 1,
        delayMs: Math.round(delayMs),
        reason: failure.name,
        ...("status" in reason ? { status: reason.status } : {}),
      });
      await sleep(delayMs, signal);
    }
  };
}

/** Checked because a NaN (say, from an unset environment variable) would make the retry loop endless. */
function checkMaxRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`maxRetries must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** The body as text, read through ky so that the attempt's timeout covers the body too. */
async function readBody(
  pending: ReturnType<ReturnType<typeof ky.create>>,
  summary: RequestSummary,
  raw: RawResponse,
  scrub: (text: string) => string,
): Promise<string> {
  try {
    return await pending.text();
  } catch (error) {
    if (isTimeoutError(error)) throw error; // the caller makes it our TimeoutError (and aborts are checked there)
    throw new ResponseFormatError(
      summary,
      {
        status: raw.status,
        requestId: raw.requestId,
        bodySnippet: "",
        problem: "body could not be read to the end",
      },
      { cause: safeCopy(error, scrub) },
    );
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A 2xx body must be a JSON object, and a page's items/cursor must have the types paging relies on. */
function parseSuccess<N extends OperationName>(
  name: N,
  summary: RequestSummary,
  raw: RawResponse,
  text: string,
  scrub: (text: string) => string,
): ResponseOf<N> {
  const bad = (problem: string) =>
    new ResponseFormatError(summary, {
      status: raw.status,
      requestId: raw.requestId,
      bodySnippet: scrub(text).slice(0, 500),
      problem,
    });
  const parsed = parseJson(text);
  if (!parsed.ok) throw bad(text === "" ? "body is empty" : "body is not valid JSON");
  const body = parsed.value;
  if (!isObject(body)) throw bad("body is not a JSON object");
  const paging = operations[name].paging;
  if (paging) {
    const items = body[paging.items];
    if (items !== undefined && !Array.isArray(items)) throw bad(`field "${paging.items}" is not an array`);
    if (body.cursor !== undefined && typeof body.cursor !== "string")
      throw bad(`field "cursor" is not a string`);
  }
  return body as ResponseOf<N>;
}

function errorFromResponse(
  summary: RequestSummary,
  raw: RawResponse,
  text: string,
  retryAfter: string | null,
): SquareApiError {
  const parsed = parseJson(text);
  const body = parsed.ok ? parsed.value : text;
  const errors = squareErrorsOf(body) ?? [];
  return apiError({
    request: summary,
    kind: classifyError(raw.status, errors),
    status: raw.status,
    errors,
    requestId: raw.requestId,
    body,
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}

/** Everything that failed before a response arrived. Keeps no ky error (those hold the Request, token included). */
function transportError(
  error: unknown,
  summary: RequestSummary,
  timeout: number | false,
  scrub: (text: string) => string,
): ConnectionError | TimeoutError {
  if (isTimeoutError(error)) return new TimeoutError(summary, timeout === false ? 0 : timeout);
  const root = isNetworkError(error) ? error.cause : error;
  // ky knows the network-error messages of the common runtimes; by the fetch standard, any TypeError
  // that fetch rejects with is a network error, so one ky does not recognise counts too.
  if (isNetworkError(error) || root instanceof TypeError) {
    const cause = safeCopy(root, scrub);
    const reason = cause
      ? `: ${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.message})` : ""}`
      : "";
    return new ConnectionError(`${summary.operation} could not complete the request${reason}`, summary, {
      cause,
    });
  }
  // Not a transport failure: an error thrown by the caller's own fetch or hook. Hand it back as-is.
  throw error;
}

/** A plain copy of an error chain (name, message, code), token scrubbed, without any attached objects. */
function safeCopy(error: unknown, scrub: (text: string) => string, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 3) return undefined;
  const cause = safeCopy(error.cause, scrub, depth + 1);
  const copy = new Error(scrub(error.message), cause ? { cause } : undefined);
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}

function mergeHeaders(extra: HeadersInit | undefined, ours: Record<string, string>): Headers {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(ours)) headers.set(name, value);
  return headers;
}

function redactHeaders(headers: Headers, scrub: (text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name === "authorization" ? `Bearer ${REDACTED}` : scrub(value);
  });
  return out;
}

/** Waits `ms` (never less: timers may fire a little early, and Retry-After is a floor), or until aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const until = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const tick = () => {
      const left = until - performance.now();
      if (left > 0) {
        timer = setTimeout(tick, Math.ceil(left));
        return;
      }
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    timer = setTimeout(tick, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
