// The interpreter: sends a call core has prepared, on whatever `HttpClient` the user provides, and hands
// each attempt's outcome back to core to be judged. Effect does the waiting (the retry Schedule), the
// per-attempt timeout, tracing and response decoding; what an outcome means (success, which error,
// whether to try again) is core's `interpretAttempt`, exactly as in the promise client.
import {
  type Attempt,
  callerHeaders,
  checkAccessToken,
  DEFAULT_TIMEOUT_MS,
  describeTransportError,
  type Environment,
  formatFailure,
  HEADERS,
  interpretAttempt,
  isRetryableFailure,
  operation,
  type PreparedCall,
  type Redactor,
  redactor,
  resolveBaseUrl,
  SQUARE_VERSION,
} from "@square-customers/core";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as HttpBody from "effect/http/HttpBody";
import * as HttpClient from "effect/http/HttpClient";
import type * as HttpClientError from "effect/http/HttpClientError";
import * as HttpClientRequest from "effect/http/HttpClientRequest";
import type * as HttpClientResponse from "effect/http/HttpClientResponse";
import * as Redacted from "effect/Redacted";
import { decodeResponse } from "./decode.js";
import { errorFromFailure, failureFacts, requestInvalid, type SquareClientError } from "./errors.js";
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

/** The interpreter of one client: its `HttpClient` with the base URL and the client's own headers. */
export const makeInterpreter = Effect.fnUntraced(function* (options: SquareClientOptions) {
  // A throw inside `sync` is a defect: a bad explicit option is a programming error.
  const settings = yield* Effect.sync(() => resolveSettings(options));
  // The token stays `Redacted` inside the request, whose headers print as redacted.
  const http = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest((r) => withClientHeaders(r, settings)),
  );
  const send: Send = (call, callOptions) => sendCall(http, settings, call, callOptions);
  return send;
});

/** Base URL and the headers only the client sets, added last so that nothing can replace them. */
function withClientHeaders(
  request: HttpClientRequest.HttpClientRequest,
  settings: Settings,
): HttpClientRequest.HttpClientRequest {
  return request.pipe(
    HttpClientRequest.prependUrl(settings.baseUrl),
    HttpClientRequest.bearerToken(settings.token),
    HttpClientRequest.setHeader(HEADERS.squareVersion, settings.squareVersion),
    HttpClientRequest.acceptJson,
  );
}

/** One call: refused unsent, or attempted, judged by core and retried on the schedule, in `square.<op>`. */
function sendCall(
  http: HttpClient.HttpClient,
  settings: Settings,
  call: PreparedCall,
  callOptions: CallOptions | undefined,
): Effect.Effect<unknown, SquareClientError> {
  const op = operation(call.operation);
  const span = {
    kind: "client" as const,
    attributes: {
      "square.operation": call.operation,
      "http.request.method": op.method,
      "url.template": op.path,
    },
  };
  if (call.issues.length > 0) {
    return Effect.fail(requestInvalid(call.operation, call.issues)).pipe(
      Effect.withSpan(`square.${call.operation}`, span),
    );
  }
  const request = toHttpRequest(call, settings, callOptions);
  const timeout = timeoutOf(callOptions?.timeout, settings.timeout);
  return Effect.suspend(() => {
    const progress = { attempts: 0, status: undefined as number | undefined };
    const attempt = Effect.suspend(() => {
      progress.attempts++;
      return attemptOnce(http, request, call, settings, timeout, progress);
    });
    // The schedule says how often and how long to wait; whether this failure may be retried at all is
    // core's rule alone, so no schedule can make a create repeat.
    return Effect.retry(attempt, {
      schedule: callOptions?.retrySchedule ?? settings.schedule,
      while: (error) => mayRetry(call, error),
    }).pipe(Effect.ensuring(Effect.suspend(() => annotateAttempts(progress))));
  }).pipe(Effect.withSpan(`square.${call.operation}`, span));
}

function mayRetry(call: PreparedCall, error: SquareClientError): boolean {
  const facts = failureFacts(error);
  return facts !== undefined && isRetryableFailure(call, facts);
}

function annotateAttempts(progress: { attempts: number; status: number | undefined }) {
  return Effect.annotateCurrentSpan({
    "square.attempts": progress.attempts,
    ...(progress.status === undefined ? {} : { "http.response.status_code": progress.status }),
  });
}

function toHttpRequest(
  call: PreparedCall,
  settings: Settings,
  callOptions: CallOptions | undefined,
): HttpClientRequest.HttpClientRequest {
  const { method, path, query, body } = call.request;
  return HttpClientRequest.make(method)(path, {
    urlParams: query as Array<[string, string]>,
    headers: callerHeaders(settings.headers, callOptions?.headers),
    ...(body === undefined ? {} : { body: HttpBody.jsonUnsafe(body) }),
  });
}

/** One attempt: what happened on the wire (within the time limit), judged by core, then decoded. */
function attemptOnce(
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  call: PreparedCall,
  settings: Settings,
  timeout: Duration.Duration | false,
  progress: { status: number | undefined },
): Effect.Effect<unknown, SquareClientError> {
  const exchange = observe(http, request, progress);
  const observed =
    timeout === false
      ? exchange
      : Effect.timeoutOrElse(exchange, {
          duration: timeout,
          orElse: () =>
            Effect.succeed<Attempt>({
              kind: "transport",
              failure: "timeout",
              timeoutMs: Duration.toMillis(timeout),
            }),
        });
  return Effect.flatMap(observed, (attempt) => judge(call, attempt, settings.redact));
}

/** What happened on the wire, as core's `Attempt`: a complete response, or how it failed. */
function observe(
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  progress: { status: number | undefined },
): Effect.Effect<Attempt> {
  return http.execute(request).pipe(
    Effect.flatMap((response) => {
      progress.status = response.status;
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

/** Core's judgement of an attempt; a success is then decoded with the operation's response schema. */
function judge(
  call: PreparedCall,
  attempt: Attempt,
  redact: Redactor,
): Effect.Effect<unknown, SquareClientError> {
  const outcome = interpretAttempt(call, attempt, redact);
  if (!outcome.ok) return Effect.fail(errorFromFailure(outcome.failure));
  const model = operation(call.operation).response;
  return decodeResponse(model, outcome.body).pipe(
    Effect.mapError((error) => {
      const response = attempt as Extract<Attempt, { kind: "response" }>;
      return errorFromFailure(
        formatFailure(call, response, `does not match ${model}: ${error.message}`, redact),
      );
    }),
  );
}
