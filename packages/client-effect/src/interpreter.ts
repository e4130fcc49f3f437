// The interpreter: sends a call core has prepared, on whatever `HttpClient` the user provides, and hands
// each attempt's outcome back to core to be judged. Effect does the waiting (the retry Schedule), the
// per-attempt timeout and tracing; what an outcome means (success, which error, whether to try again,
// how deep the answer is checked) is core's `interpretAttempt`, exactly as in the promise client, and so
// is what goes on the wire (core's path and query, headers and body text).
import {
  type Attempt,
  bodyText,
  callerHeaders,
  checkAccessToken,
  clientHeaders,
  DEFAULT_TIMEOUT_MS,
  describeTransportError,
  type Environment,
  HEADERS,
  interpretAttempt,
  JSON_MEDIA_TYPE,
  operation,
  type PreparedCall,
  pathWithQuery,
  type Redactor,
  redactor,
  resolveBaseUrl,
  SQUARE_VERSION,
} from "@square-customers/core/client-kit";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Headers from "effect/http/Headers";
import * as HttpBody from "effect/http/HttpBody";
import * as HttpClient from "effect/http/HttpClient";
import type * as HttpClientError from "effect/http/HttpClientError";
import * as HttpClientRequest from "effect/http/HttpClientRequest";
import type * as HttpClientResponse from "effect/http/HttpClientResponse";
import * as UrlParams from "effect/http/UrlParams";
import * as Option from "effect/Option";
import * as Redacted from "effect/Redacted";
import type * as Tracer from "effect/Tracer";
import { withDeadline } from "./deadline.js";
import { errorFromFailure, requestInvalid, type SquareClientError } from "./errors.js";
import type { CallOptions } from "./methods.js";
import { defaultRetrySchedule, type RetrySchedule } from "./retry.js";

export interface SquareClientOptions {
  /** Square access token (any token, for the emulator). Kept `Redacted`; sent only as `Authorization`. */
  readonly accessToken: Redacted.Redacted<string> | string;
  /** `"production"` (default), `"sandbox"`, or a base URL such as the emulator's. */
  readonly environment?: Environment;
  /** `Square-Version` header; defaults to the version core was generated from. */
  readonly squareVersion?: string;
  /** How failures that may be retried are retried (default: `defaultRetrySchedule()`). */
  readonly retrySchedule?: RetrySchedule;
  /** Time limit for each attempt (default 30 seconds); `false` for none. */
  readonly timeout?: Duration.Input | false;
  /**
   * Extra headers sent with every request (never `Authorization`, `Square-Version`, `Accept` or
   * `Content-Type`: those are the client's).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Transforms the `HttpClient` the client sends with, as Effect's own HTTP clients allow: a proxy, logging,
   * extra headers, instrumentation (`transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader(…))`).
   * Each request reaches it as the client built it, core's headers included; `authorization` stays
   * redacted wherever effect/http prints or traces a request. Leave retries to `retrySchedule`: a
   * transform that retries would repeat a create without core's verdict.
   */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient;
}

/** Sends one prepared call: refused unsent if core found issues, else attempted and retried as core allows. */
export type Send = (
  call: PreparedCall,
  options: CallOptions | undefined,
) => Effect.Effect<unknown, SquareClientError>;

/** The client's options, checked, with defaults filled in. */
interface Settings {
  readonly token: Redacted.Redacted<string>;
  readonly baseUrl: string;
  readonly squareVersion: string;
  readonly schedule: RetrySchedule;
  readonly timeout: Duration.Duration | false;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly redact: Redactor;
}

/**
 * Checks the options with core's rules. A bad explicit option is a programming error, so it is a defect
 * (`layerConfig` reports bad settings as a ConfigError before getting here).
 */
function resolveSettings(options: SquareClientOptions): Settings {
  const token = Redacted.isRedacted(options.accessToken)
    ? options.accessToken
    : Redacted.make(options.accessToken);
  const secret = checkAccessToken(Redacted.value(token));
  return {
    token,
    baseUrl: resolveBaseUrl(options.environment),
    squareVersion: options.squareVersion ?? SQUARE_VERSION,
    schedule: options.retrySchedule ?? defaultRetrySchedule(),
    timeout: timeoutOf(options.timeout, Duration.millis(DEFAULT_TIMEOUT_MS)),
    headers: options.headers,
    redact: redactor(secret),
  };
}

function timeoutOf(
  timeout: Duration.Input | false | undefined,
  fallback: Duration.Duration | false,
): Duration.Duration | false {
  if (timeout === undefined) return fallback;
  return timeout === false ? false : Duration.fromInputUnsafe(timeout);
}

/** The interpreter of one client: sends prepared calls on the `HttpClient` the user provides. */
export const makeInterpreter = Effect.fnUntraced(function* (options: SquareClientOptions) {
  // A throw inside `sync` is a defect: a bad explicit option is a programming error.
  const settings = yield* Effect.sync(() => resolveSettings(options));
  const provided = yield* HttpClient.HttpClient;
  const http = options.transformClient === undefined ? provided : options.transformClient(provided);
  const send: Send = (call, callOptions) => sendCall(http, settings, call, callOptions);
  return send;
});

/**
 * One call: refused unsent, or attempted, judged by core and retried on the schedule, in a span
 * `square.<operation>` whose attributes are set as the attempts go (no extra effect per attribute).
 * Span stack traces are off: they would point into this interpreter, not at the caller.
 */
function sendCall(
  http: HttpClient.HttpClient,
  settings: Settings,
  call: PreparedCall,
  callOptions: CallOptions | undefined,
): Effect.Effect<unknown, SquareClientError> {
  const op = operation(call.operation);
  const spanName = `square.${call.operation}`;
  const spanOptions = {
    kind: "client" as const,
    attributes: {
      "square.operation": call.operation,
      "http.request.method": op.method,
      "url.template": op.path,
    },
    captureStackTrace: false,
  };
  if (call.issues.length > 0) {
    return Effect.useSpan(spanName, spanOptions, () =>
      Effect.fail(requestInvalid(call.operation, call.issues)),
    );
  }
  const request = toHttpRequest(call, settings, callOptions);
  const timeout = timeoutOf(callOptions?.timeout, settings.timeout);
  const schedule = callOptions?.retrySchedule ?? settings.schedule;
  return Effect.useSpan(spanName, spanOptions, (span) => {
    let attempts = 0;
    const attempt = Effect.suspend(() => {
      span.attribute("square.attempts", ++attempts);
      return attemptOnce(http, request, call, settings, timeout, span);
    });
    // The schedule says how often and how long to wait; whether a failure may be retried at all is core's
    // verdict alone (`retryable` on the error), so no schedule can make a create repeat. (Setting the retry
    // up only after a first failure saved 2 µs around a bare exchange and 1-2 % of a whole call over HTTP,
    // bench/client-effect.ts: under the 10 % that would be worth code Effect users do not expect.)
    const retried = Effect.retry(attempt, { schedule, while: (error) => error.retryable });
    return Effect.withParentSpan(retried, span, { captureStackTrace: false });
  });
}

/**
 * The request of every attempt, built once: base URL, then core's path and query string, body text and
 * headers, after the caller's headers (so that nothing can replace core's). The token goes in as
 * `Authorization` only. The URL is core's string as it is, so both clients encode it alike.
 */
function toHttpRequest(
  call: PreparedCall,
  settings: Settings,
  callOptions: CallOptions | undefined,
): HttpClientRequest.HttpClientRequest {
  const body = bodyText(call.request);
  const client = { token: Redacted.value(settings.token), squareVersion: settings.squareVersion };
  const headers = Headers.fromInput({
    ...callerHeaders(settings.headers, callOptions?.headers),
    ...clientHeaders(client, body !== undefined),
  });
  return HttpClientRequest.makeWith(
    call.request.method,
    settings.baseUrl + pathWithQuery(call.request),
    UrlParams.empty,
    Option.none(),
    headers,
    body === undefined ? HttpBody.empty : HttpBody.text(body, JSON_MEDIA_TYPE),
  );
}

/** One attempt: what happened on the wire (within the time limit), judged by core, then decoded. */
function attemptOnce(
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  call: PreparedCall,
  settings: Settings,
  timeout: Duration.Duration | false,
  span: Tracer.Span,
): Effect.Effect<unknown, SquareClientError> {
  const exchange = observe(http, request, span);
  const observed =
    timeout === false
      ? exchange
      : withDeadline(exchange, timeout, {
          kind: "transport",
          failure: "timeout",
          timeoutMs: Duration.toMillis(timeout),
        } satisfies Attempt);
  return Effect.flatMap(observed, (attempt) => judge(call, attempt, settings.redact));
}

/** What happened on the wire, as core's `Attempt`: a complete response, or how it failed. */
function observe(
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  span: Tracer.Span,
): Effect.Effect<Attempt> {
  return http.execute(request).pipe(
    Effect.flatMap((response) => {
      span.attribute("http.response.status_code", response.status);
      return Effect.match(response.text, {
        onSuccess: (body) => responseAttempt(response, body),
        onFailure: (error) => transportAttempt(error, "body"),
      });
    }),
    Effect.catch((error) => Effect.succeed(transportAttempt(error, "request"))),
  );
}

function responseAttempt(response: HttpClientResponse.HttpClientResponse, body: string): Attempt {
  return {
    kind: "response",
    status: response.status,
    body,
    requestId: response.headers[HEADERS.requestId],
    retryAfter: response.headers[HEADERS.retryAfter],
  };
}

/** effect/http wraps the fetch error; core reads the same error the promise client sees. */
function transportAttempt(error: HttpClientError.HttpClientError, phase: "request" | "body"): Attempt {
  const { failure, detail } = describeTransportError(error.reason.cause ?? error, phase);
  return { kind: "transport", failure, detail };
}

/** Core's judgement of an attempt: the answer (checked as deep as core checks it), or its error. */
function judge(
  call: PreparedCall,
  attempt: Attempt,
  redact: Redactor,
): Effect.Effect<unknown, SquareClientError> {
  const outcome = interpretAttempt(call, attempt, redact);
  return outcome.ok ? Effect.succeed(outcome.body) : Effect.fail(errorFromFailure(outcome.failure));
}
