// The interpreter: sends a call core has prepared, through ky, and hands each attempt's outcome back to
// core to be judged. ky does request building, the per-attempt timeout, hooks and fetch injection; its
// own retry and HTTP-error throwing are off. Everything this file decides is I/O: what happened on the
// wire. What it means (success, which error, whether to try again) is core's `interpretAttempt`.
import {
  type Attempt,
  bodyText,
  type CallFailure,
  callerHeaders,
  checkMaxRetries,
  clientHeaders,
  describeTransportError,
  HEADERS,
  interpretAttempt,
  invalidRequestFailure,
  loadRequestRules,
  type OperationName,
  operation,
  type PreparedCall,
  pathWithQuery,
  prepareCall,
  type Redactor,
  redactHeaders,
  retryDelay,
  SQUARE_VERSION,
} from "@square-customers/core/client-kit";
import ky, { type BeforeRequestHook, isNetworkError, isTimeoutError, type KyInstance } from "ky";
import type { RawResponse, WithResponse } from "./call.js";
import { errorFromFailure, type RequestSummary } from "./errors.js";
import { type CallOptions, resolveSettings, type Settings, type SquareClientOptions } from "./options.js";
import { sleep } from "./sleep.js";

/** Sends one prepared call (retries included) and resolves with its JSON body and raw response. */
export type Send = (call: PreparedCall, options: CallOptions | undefined) => Promise<WithResponse<unknown>>;

/**
 * Prepares one call and sends it. A call with a body is checked against core's request rules, which are
 * loaded the first time one is sent: a program that only reads never loads them.
 */
export function prepareAndSend(
  send: Send,
  name: OperationName,
  pathArgs: readonly string[],
  input: object | undefined,
  options: CallOptions | undefined,
): Promise<WithResponse<unknown>> {
  if (operation(name).body === null) return send(prepareCall(name, pathArgs, input), options);
  return loadRequestRules().then((rules) => send(prepareCall(name, pathArgs, input, rules), options));
}

/** The client's interpreter: checks the options once, then sends prepared calls. */
export function createInterpreter(options: SquareClientOptions): Send {
  const settings = resolveSettings(options);
  const client = { token: settings.token, squareVersion: options.squareVersion ?? SQUARE_VERSION };
  // One ky instance per kind of request, each with core's headers for it, made once per client.
  const apis: Apis = {
    withBody: createKy(options, settings, clientHeaders(client, true)),
    withoutBody: createKy(options, settings, clientHeaders(client, false)),
  };
  return (call, callOptions) => send(apis, settings, options, call, callOptions);
}

/** The client's ky instances: for requests with a body and without one (core's `clientHeaders` differ). */
interface Apis {
  readonly withBody: KyInstance;
  readonly withoutBody: KyInstance;
}

/**
 * A ky instance: base URL, the caller's headers from the options, then core's headers `own` (added last,
 * so nothing replaces them), hooks.
 */
function createKy(options: SquareClientOptions, settings: Settings, own: Record<string, string>): KyInstance {
  const logRequest: BeforeRequestHook = ({ request, options: kyOptions }) => {
    options.logger?.debug("square request", {
      ...(kyOptions.context as Record<string, unknown>),
      method: request.method,
      url: settings.redact(request.url),
      headers: redactHeaders(request.headers, settings.redact),
    });
  };
  return ky.create({
    prefix: settings.baseUrl,
    headers: { ...callerHeaders(new Headers(options.headers)), ...own },
    retry: 0,
    throwHttpErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    hooks: {
      beforeRequest: [...(options.hooks?.beforeRequest ?? []), ...(options.logger ? [logRequest] : [])],
      afterResponse: [...(options.hooks?.afterResponse ?? [])],
    },
  });
}

/** The send loop: attempt, let core judge, wait as core says, up to the retry budget. */
async function send(
  apis: Apis,
  settings: Settings,
  options: SquareClientOptions,
  call: PreparedCall,
  callOptions: CallOptions | undefined,
): Promise<WithResponse<unknown>> {
  const summary: RequestSummary = {
    operation: call.operation,
    method: call.request.method,
    path: call.request.path,
  };
  if (call.issues.length > 0)
    throw errorFromFailure(summary, invalidRequestFailure(call.operation, call.issues));
  const body = bodyText(call.request);
  const api = body === undefined ? apis.withoutBody : apis.withBody;
  const maxRetries = checkMaxRetries(callOptions?.maxRetries ?? settings.maxRetries);
  const signal = callOptions?.signal;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const started = performance.now();
    const observed = await attemptOnce(api, settings, call, body, callOptions, attempt + 1);
    const outcome = interpretAttempt(call, observed.attempt, settings.redact);
    logAttempt(options, call, observed, attempt + 1, started);
    if (outcome.ok) return { data: outcome.body, response: observed.response! };
    const { failure } = outcome;
    if (!failure.retryable || attempt >= maxRetries) throw errorFromFailure(summary, failure, observed.cause);
    const delayMs = retryDelay(attempt, { retryAfter: failure.retryAfter, ...options.backoff });
    logRetry(options, failure, attempt + 1, delayMs);
    await sleep(delayMs, signal);
  }
}

/** What one attempt produced: core's view of it, the raw response if one came, a safe cause if not. */
interface Observed {
  readonly attempt: Attempt;
  readonly response?: RawResponse;
  readonly cause?: Error;
}

async function attemptOnce(
  api: KyInstance,
  settings: Settings,
  call: PreparedCall,
  requestBody: string | undefined,
  callOptions: CallOptions | undefined,
  attemptNumber: number,
): Promise<Observed> {
  const timeout = callOptions?.timeout ?? settings.timeout;
  const signal = callOptions?.signal;
  const pending = api(pathWithQuery(call.request), {
    method: call.request.method,
    ...(requestBody === undefined ? {} : { body: requestBody }),
    timeout,
    ...(signal ? { signal } : {}),
    // The call's own headers; none of them can be one of core's (`callerHeaders` leaves those out).
    ...(callOptions?.headers ? { headers: callerHeaders(new Headers(callOptions.headers)) } : {}),
    context: { operation: call.operation, attempt: attemptNumber },
  });
  let status: number;
  let headers: Headers;
  try {
    ({ status, headers } = await pending);
  } catch (error) {
    return transportFailure(error, "request", timeout, signal, settings.redact);
  }
  const response: RawResponse = {
    status,
    headers,
    requestId: headers.get(HEADERS.requestId) ?? undefined,
    attempts: attemptNumber,
  };
  let body: string;
  try {
    // Read through ky, so that the attempt's timeout covers the body too.
    body = await pending.text();
  } catch (error) {
    return { ...transportFailure(error, "body", timeout, signal, settings.redact), response };
  }
  return {
    attempt: {
      kind: "response",
      status,
      body,
      requestId: response.requestId,
      retryAfter: headers.get(HEADERS.retryAfter) ?? undefined,
    },
    response,
  };
}

/**
 * A thrown fetch or ky error as core's transport failure. The caller's abort is re-thrown as it is (as
 * fetch does), and so is an error that is not about the network at all: one thrown by the caller's own
 * fetch or hook. The cause kept on the error is a plain, redacted copy (ky's errors hold the Request,
 * token included).
 */
function transportFailure(
  error: unknown,
  phase: "request" | "body",
  timeout: number | false,
  signal: AbortSignal | undefined,
  redact: Redactor,
): Observed {
  if (signal?.aborted) throw signal.reason;
  if (isTimeoutError(error)) {
    return { attempt: { kind: "transport", failure: "timeout", timeoutMs: timeout === false ? 0 : timeout } };
  }
  const root = isNetworkError(error) ? error.cause : error;
  // ky knows the network-error messages of the common runtimes; by the fetch standard any TypeError that
  // fetch rejects with is a network error, so one ky does not recognise counts too. While reading the
  // body, any failure means the body was cut off.
  if (phase === "request" && !isNetworkError(error) && !(root instanceof TypeError)) throw error;
  const { failure, detail } = describeTransportError(root, phase);
  const cause = safeCopy(root, redact);
  return { attempt: { kind: "transport", failure, detail }, ...(cause ? { cause } : {}) };
}

/** A plain copy of an error chain (name, message, code), redacted, without any attached objects. */
function safeCopy(error: unknown, redact: Redactor, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 3) return undefined;
  const cause = safeCopy(error.cause, redact, depth + 1);
  const copy = new Error(redact(error.message), cause ? { cause } : undefined);
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}

function logAttempt(
  options: SquareClientOptions,
  call: PreparedCall,
  observed: Observed,
  attempt: number,
  started: number,
): void {
  if (!options.logger || observed.response === undefined) return;
  options.logger.debug("square response", {
    operation: call.operation,
    attempt,
    status: observed.response.status,
    requestId: observed.response.requestId,
    ms: Math.round(performance.now() - started),
  });
}

function logRetry(
  options: SquareClientOptions,
  failure: CallFailure,
  attempt: number,
  delayMs: number,
): void {
  options.logger?.warn("square retry", {
    operation: failure.operation,
    attempt,
    delayMs: Math.round(delayMs),
    reason: failure.kind,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.transport === undefined ? {} : { transport: failure.transport }),
  });
}
