// The interpreter: turns (operation name, path args, input) into HTTP via core's table and rules, with
// ky doing request building, per-attempt timeout, hooks and fetch injection. ky's own retry and
// HTTP-error throwing are off: the retry rule (idempotency keys, Retry-After, maxRetries) is core's, and
// every failure must end up as one of our typed errors.
import {
  type AttemptFailure,
  buildRequest,
  classifyError,
  DEFAULT_MAX_RETRIES,
  ENVIRONMENTS,
  hasIdempotencyKey,
  type OperationName,
  operations,
  parseRetryAfter,
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
  SquareApiError,
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
  readonly environment?: keyof typeof ENVIRONMENTS | URL | (string & {});
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
/** Header carrying the server's request id (the emulator's choice; Square documents none). */
const REQUEST_ID_HEADER = "x-request-id";

export function baseUrlOf(environment: SquareClientOptions["environment"]): string {
  if (environment === undefined) return ENVIRONMENTS.production;
  if (typeof environment === "string" && Object.hasOwn(ENVIRONMENTS, environment)) {
    return ENVIRONMENTS[environment as keyof typeof ENVIRONMENTS];
  }
  try {
    return new URL(environment).href;
  } catch {
    throw new TypeError(
      `environment must be "production", "sandbox" or an absolute URL, got ${String(environment)}`,
    );
  }
}

export function createSend(options: SquareClientOptions): Send {
  const token = options.accessToken;
  if (typeof token !== "string" || token === "")
    throw new TypeError("accessToken must be a non-empty string");
  const logger = options.logger;
  const clientMaxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
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
    prefix: baseUrlOf(options.environment),
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
    const maxRetries = call?.maxRetries ?? clientMaxRetries;
    const timeout = call?.timeout ?? clientTimeout;
    const signal = call?.signal;

    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const started = performance.now();
      let failure: SquareError;
      let retryAfter: string | null = null;
      try {
        const pending = api(request.path, {
          method: request.method,
          searchParams: new URLSearchParams(request.query as Array<[string, string]>),
          ...(request.body === undefined ? {} : { json: request.body }),
          timeout,
          ...(signal ? { signal } : {}),
          ...(call?.headers ? { headers: call.headers } : {}),
          context: { operation: name, attempt: attempt + 1 },
        });
        const response = await pending;
        // Reading through ky's `.text()` applies the same per-attempt timeout to the body.
        const text = await readBody(pending, summary, response);
        const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;
        logger?.debug("square response", {
          operation: name,
          attempt: attempt + 1,
          status: response.status,
          requestId,
          ms: Math.round(performance.now() - started),
        });
        const raw: RawResponse = {
          status: response.status,
          headers: response.headers,
          requestId,
          attempts: attempt + 1,
        };
        if (response.ok) return { data: parseSuccess(name, summary, raw, text, scrub), response: raw };
        retryAfter = response.headers.get("retry-after");
        failure = errorFromResponse(summary, raw, scrub(text), retryAfter);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = transportError(error, summary, timeout, scrub);
      }

      const kind = attemptFailure(failure);
      if (
        !kind ||
        !shouldRetry(name, { failure: kind, retriesSoFar: attempt, maxRetries, hasIdempotencyKey: hasKey })
      ) {
        throw failure;
      }

      const delayMs = retryDelay(attempt, { retryAfter, ...options.backoff });
      logger?.warn("square retry", {
        operation: name,
        attempt: attempt + 1,
        delayMs: Math.round(delayMs),
        reason: failure.name,
        ...(failure instanceof SquareApiError ? { status: failure.status } : {}),
      });
      await sleep(delayMs, signal);
    }
  };
}

async function readBody(
  pending: ReturnType<ReturnType<typeof ky.create>>,
  summary: RequestSummary,
  response: Response,
): Promise<string> {
  try {
    return await pending.text();
  } catch (error) {
    if (isTimeoutError(error)) throw error; // the caller makes it our TimeoutError (and aborts are checked there)
    throw new ResponseFormatError(
      summary,
      {
        status: response.status,
        requestId: response.headers.get(REQUEST_ID_HEADER) ?? undefined,
        bodySnippet: "",
        problem: "body could not be read to the end",
      },
      { cause: error instanceof Error ? new Error(error.message) : undefined },
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

/** The failure in the terms of core's retry rule; undefined for failures that are never retried. */
function attemptFailure(failure: SquareError): AttemptFailure | undefined {
  if (failure instanceof SquareApiError) return { status: failure.status };
  if (failure instanceof ConnectionError) return { transport: "connection" };
  if (failure instanceof TimeoutError) return { transport: "timeout" };
  return undefined;
}

/** Everything that failed before a response arrived. Keeps no ky error (those hold the Request, token included). */
function transportError(
  error: unknown,
  summary: RequestSummary,
  timeout: number | false,
  scrub: (text: string) => string,
): SquareError {
  if (error instanceof ResponseFormatError) return error;
  if (isTimeoutError(error)) return new TimeoutError(summary, timeout === false ? 0 : timeout);
  const root = isNetworkError(error) ? error.cause : error;
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
