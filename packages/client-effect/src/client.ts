// The interpreter: (operation name, path args, input) → HTTP through core's table and rules, on
// whatever `HttpClient` the user provides. Retries, timeouts, tracing and decoding are Effect's; every
// rule about Square (validation, idempotency, retry safety, error kinds, paging) is core's.
import {
  baseUrlFor,
  buildRequest,
  classifyError,
  ENVIRONMENT_EXPECTED,
  type EnvironmentName,
  hasIdempotencyKey,
  type ItemOf,
  type MethodTree,
  methodNames,
  nextCursor,
  type OperationDefinition,
  type OperationName,
  operations,
  type PagedOperationName,
  pageItems,
  REQUEST_ID_HEADER,
  type ResponseOf,
  SQUARE_VERSION,
  shouldRetry,
  splitMethodArgs,
  squareErrorsOf,
  validateRequest,
  withCursor,
  withIdempotencyKey,
} from "@square-customers/core";
import { Config, Context, Duration, Effect, Layer, Option, Redacted, Schema, Stream } from "effect";
import {
  HttpBody,
  HttpClient,
  type HttpClientError,
  HttpClientRequest,
  type HttpClientResponse,
} from "effect/http";
import { type CreateMany, createMany } from "./create-many.js";
import {
  apiError,
  attemptFailure,
  optional,
  requestInvalid,
  type SquareClientError,
  SquareDecodeError,
  SquareTimeout,
  SquareTransportError,
} from "./errors.js";
import type { CustomersMethods } from "./generated/methods.js";
import { responses } from "./generated/schemas.js";
import type { CallOptions, MethodArgs } from "./methods.js";
import { defaultRetrySchedule, type RetrySchedule } from "./retry.js";

export interface SquareClientOptions {
  /** Square access token (any token, for the emulator). Kept `Redacted`; sent only as `Authorization`. */
  readonly accessToken: Redacted.Redacted<string> | string;
  /** `"production"` (default), `"sandbox"`, or a base URL such as the emulator's. */
  readonly environment?: EnvironmentName | URL | (string & {});
  /** `Square-Version` header; defaults to the version core was generated from. */
  readonly squareVersion?: string;
  /** How failures that may be retried are retried (default: `defaultRetrySchedule()`). */
  readonly retrySchedule?: RetrySchedule;
  /** Time limit for each attempt (default 30 seconds); `false` for none. */
  readonly timeout?: Duration.Input | false;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The service: the 31 operations under friendly names, plus the interpreter itself. */
export interface SquareClientShape {
  readonly customers: CustomersMethods & {
    /** Creates many customers in bulk calls; see `CreateManyOptions`. */
    readonly createMany: CreateMany;
  };
  /** Calls any operation by its name in core's table. */
  readonly call: <N extends OperationName>(
    name: N,
    ...args: MethodArgs<N>
  ) => Effect.Effect<ResponseOf<N>, SquareClientError>;
  /** Every item of a paged operation, pages fetched on demand. */
  readonly stream: <N extends PagedOperationName>(
    name: N,
    ...args: MethodArgs<N>
  ) => Stream.Stream<ItemOf<N>, SquareClientError>;
  /** Every page (whole response) of a paged operation, fetched on demand. */
  readonly pages: <N extends PagedOperationName>(
    name: N,
    ...args: MethodArgs<N>
  ) => Stream.Stream<ResponseOf<N>, SquareClientError>;
}

const DEFAULT_TIMEOUT = Duration.seconds(30);
const make = Effect.fnUntraced(function* (options: SquareClientOptions) {
  const baseUrl = baseUrlFor(options.environment);
  // A bad explicit option is a programming error (a defect); `layerConfig` reports bad settings as a
  // ConfigError before getting here.
  if (baseUrl === undefined) {
    return yield* Effect.die(
      new TypeError(`environment must be ${ENVIRONMENT_EXPECTED}, got ${String(options.environment)}`),
    );
  }
  const token =
    typeof options.accessToken === "string" ? Redacted.make(options.accessToken) : options.accessToken;
  const clientSchedule = options.retrySchedule ?? defaultRetrySchedule();
  const clientTimeout = options.timeout ?? DEFAULT_TIMEOUT;

  // Base URL and the headers only the client may set, added when a request is sent. The token stays
  // `Redacted` inside the request, whose headers print as redacted.
  const http = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.prependUrl(baseUrl),
        HttpClientRequest.bearerToken(token),
        HttpClientRequest.setHeader("square-version", options.squareVersion ?? SQUARE_VERSION),
        HttpClientRequest.acceptJson,
      ),
    ),
  );

  /**
   * Removes the token from text we keep (a proxy or server might echo it back). Real tokens are long;
   * scrubbing a toy token of a few characters would only mangle messages.
   */
  const secret = Redacted.value(token);
  const scrub = (text: string): string =>
    secret.length >= 8 && text.includes(secret) ? text.replaceAll(secret, "<redacted>") : text;

  /** Turns one HTTP response into the decoded result or a typed error. */
  const interpret = (
    name: OperationName,
    response: HttpClientResponse.HttpClientResponse,
    text: string,
  ): Effect.Effect<unknown, SquareClientError> => {
    const op: OperationDefinition = operations[name];
    const { status, headers } = response;
    const requestId = headers[REQUEST_ID_HEADER];
    const decodeError = (problem: string) =>
      new SquareDecodeError({
        operation: name,
        message: scrub(`${name}: the HTTP ${status} response ${problem}`),
        status,
        errors: [],
        ...optional("requestId", requestId),
      });

    if (status >= 200 && status < 300) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        return Effect.fail(decodeError(`is not JSON (${(cause as Error).message})`));
      }
      // Schema compiles (and caches) a parser per schema, so decoding needs no cache of ours.
      const schema: Schema.Decoder<unknown> = responses[op.response as keyof typeof responses];
      return Schema.decodeUnknownEffect(schema)(json).pipe(
        Effect.mapError((error) => decodeError(`does not match ${op.response}: ${error.message}`)),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(scrub(text));
    } catch {
      body = undefined; // e.g. a proxy's HTML error page: the status alone classifies it
    }
    const errors = squareErrorsOf(body) ?? [];
    return Effect.fail(
      apiError(classifyError(status, errors), {
        operation: name,
        status,
        errors,
        requestId,
        retryAfter: headers["retry-after"],
      }),
    );
  };

  const transportError = (name: OperationName, error: HttpClientError.HttpClientError) => {
    const reason = error.reason;
    const cause = reason.cause instanceof Error ? (reason.cause.cause ?? reason.cause) : reason.cause;
    const detail =
      reason.description ?? (cause instanceof Error ? cause.message : String(cause ?? reason._tag));
    return new SquareTransportError({
      operation: name,
      message: scrub(
        `${name}: ${reason._tag === "DecodeError" ? "reading the response failed" : "no response"}: ${detail}`,
      ),
      errors: [],
    });
  };

  /** `timeoutOrElse` options failing with SquareTimeout. */
  const timedOut = (name: OperationName, timeout: Duration.Input) => {
    const duration = Duration.fromInputUnsafe(timeout);
    return {
      duration,
      orElse: () =>
        Effect.fail(
          new SquareTimeout({
            operation: name,
            message: `${name}: no complete response within ${Duration.format(duration)}`,
            errors: [],
            timeoutMs: Duration.toMillis(duration),
          }),
        ),
    };
  };

  /** One operation call: validate, then send with retries, all in the span `square.<name>`. */
  const send = <N extends OperationName>(
    name: N,
    pathArgs: readonly string[],
    input: object | undefined,
    call: CallOptions | undefined,
  ): Effect.Effect<ResponseOf<N>, SquareClientError> => {
    const op: OperationDefinition = operations[name];
    // The idempotency key is chosen when the method is called, not when the effect runs: our retries,
    // and any re-run or retry of this effect by the caller, all carry the same key, so Square answers
    // a repeat with the first result instead of creating again.
    const payload = op.body === null ? input : withIdempotencyKey(name, input ?? {});
    return Effect.suspend(() => {
      const issues = validateRequest(name, pathArgs, payload);
      if (issues.length > 0) return Effect.fail(requestInvalid(name, issues));
      const parts = buildRequest(name, pathArgs, payload);
      const request = HttpClientRequest.make(parts.method)(parts.path, {
        urlParams: parts.query as Array<[string, string]>,
        headers: { ...options.headers, ...call?.headers },
        ...(parts.body === undefined ? {} : { body: HttpBody.jsonUnsafe(parts.body) }),
      });
      const hasKey = hasIdempotencyKey(name, payload);
      const timeout = call?.timeout ?? clientTimeout;
      const state = { attempts: 0, status: undefined as number | undefined };

      const exchange = http.execute(request).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => [response, text] as const)),
        Effect.mapError((error) => transportError(name, error)),
        Effect.flatMap(([response, text]) => {
          state.status = response.status;
          return interpret(name, response, text);
        }),
      );
      const attempt: Effect.Effect<unknown, SquareClientError> = Effect.suspend(() => {
        state.attempts++;
        state.status = undefined;
        return timeout === false ? exchange : Effect.timeoutOrElse(exchange, timedOut(name, timeout));
      });
      // The schedule says how often and how long to wait; whether this failure may be retried at all
      // is core's rule alone (hence no count limit here), so no schedule can make a create repeat.
      const mayRetry = (error: SquareClientError) => {
        const failure = attemptFailure(error);
        return (
          failure !== undefined &&
          shouldRetry(name, {
            failure,
            retriesSoFar: state.attempts - 1,
            maxRetries: Number.POSITIVE_INFINITY,
            hasIdempotencyKey: hasKey,
          })
        );
      };
      return Effect.retry(attempt, {
        schedule: call?.retrySchedule ?? clientSchedule,
        while: mayRetry,
      }).pipe(
        Effect.ensuring(
          Effect.suspend(() =>
            Effect.annotateCurrentSpan({
              "square.attempts": state.attempts,
              ...(state.status === undefined ? {} : { "http.response.status_code": state.status }),
            }),
          ),
        ),
      );
    }).pipe(
      Effect.withSpan(`square.${name}`, {
        kind: "client",
        attributes: { "square.operation": name, "http.request.method": op.method, "url.template": op.path },
      }),
    ) as Effect.Effect<ResponseOf<N>, SquareClientError>;
  };

  const call = <N extends OperationName>(name: N, ...args: MethodArgs<N>) => {
    const { pathArgs, input, options: callOptions } = splitMethodArgs<CallOptions>(name, args);
    return send(name, pathArgs, input, callOptions);
  };

  const pages = <N extends PagedOperationName>(name: N, ...args: MethodArgs<N>) => {
    const { pathArgs, input, options: callOptions } = splitMethodArgs<CallOptions>(name, args);
    return Stream.paginate(input, (current: object | undefined) =>
      Effect.map(send(name, pathArgs, current, callOptions), (response) => {
        const cursor = nextCursor(response);
        const next = cursor === undefined ? Option.none() : Option.some(withCursor(name, current, cursor));
        return [[response], next] as const;
      }),
    );
  };

  const stream = <N extends PagedOperationName>(name: N, ...args: MethodArgs<N>) =>
    pages(name, ...args).pipe(Stream.flatMap((page) => Stream.fromIterable(pageItems(name, page))));

  const build = (tree: MethodTree): Record<string, unknown> => {
    const methods: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value !== "string") {
        methods[key] = build(value);
        continue;
      }
      methods[key] = (...args: unknown[]) => call(value, ...(args as never));
      if ((operations[value] as OperationDefinition).paging) {
        methods[`${key}Stream`] = (...args: unknown[]) =>
          stream(value as PagedOperationName, ...(args as never));
      }
    }
    return methods;
  };

  const customers = {
    ...build(methodNames.customers),
    createMany: createMany((body, callOptions) => call("bulkCreateCustomers", body, callOptions)),
  } as unknown as SquareClientShape["customers"];

  return SquareClient.of({ customers, call, stream, pages } as SquareClientShape);
});

/** `SQUARE_ENVIRONMENT`: a named environment or a base URL. */
const environmentSetting = Schema.String.check(
  Schema.makeFilter((value: string) => baseUrlFor(value) !== undefined || `expected ${ENVIRONMENT_EXPECTED}`),
);

/** What `layerConfig` reads; each failure is a `ConfigError` naming the variable. */
const config = Config.all({
  accessToken: Config.schema(Schema.Redacted(Schema.NonEmptyString), "SQUARE_ACCESS_TOKEN"),
  environment: Config.schema(environmentSetting, "SQUARE_ENVIRONMENT").pipe(Config.withDefault("production")),
  squareVersion: Config.schema(
    Schema.String.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/)),
    "SQUARE_VERSION",
  ).pipe(Config.withDefault(SQUARE_VERSION)),
});

/**
 * Square's Customers API as an Effect service. Provide `SquareClient.layer(options)` or
 * `SquareClient.layerConfig`, plus an `HttpClient` (e.g. `FetchHttpClient.layer`).
 */
export class SquareClient extends Context.Service<SquareClient, SquareClientShape>()(
  "@square-customers/client-effect/SquareClient",
) {
  /** The client from explicit options. */
  static readonly layer = (
    options: SquareClientOptions,
  ): Layer.Layer<SquareClient, never, HttpClient.HttpClient> => Layer.effect(SquareClient, make(options));

  /** The client from `SQUARE_ACCESS_TOKEN`, `SQUARE_ENVIRONMENT` and `SQUARE_VERSION`. */
  static readonly layerConfig: Layer.Layer<SquareClient, Config.ConfigError, HttpClient.HttpClient> =
    Layer.unwrap(Effect.map(config, (settings) => SquareClient.layer(settings)));
}
