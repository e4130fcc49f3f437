// The `SquareClient` service: the 31 operations of core's table under friendly names, each a prepared
// call sent through the interpreter (interpreter.ts), plus `Stream` paging and `createMany`.
import {
  baseUrlFor,
  ENVIRONMENT_EXPECTED,
  type ItemOf,
  loadRequestRules,
  type MethodTree,
  methodNames,
  missingAccessTokenMessage,
  nextCursor,
  type OperationName,
  operation,
  type PagedOperationName,
  pageItems,
  prepareCall,
  type RequestRules,
  type ResponseOf,
  SQUARE_VERSION,
  splitMethodArgs,
  withCursor,
} from "@square-customers/core/client-kit";
import * as Config from "effect/Config";
import * as ConfigProvider from "effect/ConfigProvider";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import type * as HttpClient from "effect/http/HttpClient";
import * as Layer from "effect/Layer";
import * as Option from "effect/Option";
import * as Schema from "effect/Schema";
import * as Stream from "effect/Stream";
import { type CreateMany, createMany } from "./create-many.js";
import type { SquareClientError } from "./errors.js";
import type { CustomersMethods, WebhooksMethods } from "./generated/methods.js";
import { makeInterpreter, type Send, type SquareClientOptions } from "./interpreter.js";
import type { CallOptions, MethodArgs } from "./methods.js";

export type { SquareClientOptions };

/** The service: every operation under a friendly name, plus the interpreter itself. */
export interface SquareClientShape {
  readonly customers: CustomersMethods & {
    /** Creates many customers in bulk calls; see `CreateManyOptions`. */
    readonly createMany: CreateMany;
  };
  /** The Webhook Subscriptions API; deliveries are read with `decodeWebhook` / `webhookHandler`. */
  readonly webhooks: WebhooksMethods;
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

/**
 * Prepares one call (with core's request rules, for a body) and sends it. The call is prepared, and its
 * idempotency key chosen, when this is called, which is when the method is called.
 */
type Call = (
  name: OperationName,
  pathArgs: readonly string[],
  input: object | undefined,
  options: CallOptions | undefined,
) => Effect.Effect<unknown, SquareClientError>;

const make = Effect.fnUntraced(function* (options: SquareClientOptions) {
  const send = yield* makeInterpreter(options);
  // Core's request rules, for checking bodies; loaded once per process, when the first client is made.
  const rules = yield* Effect.promise(loadRequestRules);
  const call = preparedWith(send, rules);
  const customers = {
    ...buildMethods(call, methodNames.customers),
    // Loaded with the client, not on first use as in the promise client: a lazy import made every bundle of
    // an Effect program 3.9 KiB gz larger (bench/client-effect.ts), as esbuild then wraps each Effect module
    // createMany shares with the client, and the client's cold import is under its target without it.
    createMany: createMany((body, callOptions) => call("bulkCreateCustomers", [], body, callOptions)),
  } as unknown as SquareClientShape["customers"];
  return SquareClient.of({
    customers,
    webhooks: buildMethods(call, methodNames.webhooks) as unknown as WebhooksMethods,
    call: (name, ...args) => callMethod(call, name, args) as never,
    stream: (name, ...args) => streamItems(call, name, args) as never,
    pages: (name, ...args) => streamPages(call, name, args) as never,
  });
});

function preparedWith(send: Send, rules: RequestRules): Call {
  return (name, pathArgs, input, options) => send(prepareCall(name, pathArgs, input, rules), options);
}

/**
 * One call. The call is prepared (and its idempotency key chosen) when the method is called, not when the
 * effect runs: our retries, and any re-run of this effect by the caller, all carry the same key, so
 * Square answers a repeat with the first result instead of creating again.
 */
function callMethod(call: Call, name: OperationName, args: readonly unknown[]) {
  const { pathArgs, input, options } = splitMethodArgs<CallOptions>(name, args);
  return call(name, pathArgs, input, options);
}

/** Every page (whole response) of a paged operation, each requested when the stream needs it. */
function streamPages(call: Call, name: PagedOperationName, args: readonly unknown[]) {
  return paginate(call, name, args, (page) => [page]);
}

/** Every item of a paged operation, page by page. */
function streamItems(call: Call, name: PagedOperationName, args: readonly unknown[]) {
  return paginate(call, name, args, (page) => pageItems(name, page as never));
}

/**
 * Pages of `name` fetched on demand, each turned into the values the stream emits. `Stream.paginate`
 * emits a page's values as one chunk, so no per-page inner stream is needed (`Stream.flatMap` would add
 * both per-page work and several KB to every bundle).
 */
function paginate<A>(
  call: Call,
  name: PagedOperationName,
  args: readonly unknown[],
  emit: (page: unknown) => ReadonlyArray<A>,
): Stream.Stream<A, SquareClientError> {
  const { pathArgs, input, options } = splitMethodArgs<CallOptions>(name, args);
  return Stream.paginate(input, (current: object | undefined) =>
    Effect.map(call(name, pathArgs, current, options), (page) => {
      const cursor = nextCursor(page);
      const next = cursor === undefined ? Option.none() : Option.some(withCursor(name, current, cursor));
      return [emit(page), next] as const;
    }),
  );
}

/** The methods of a name tree: one per operation, plus `<name>Stream` for each paged one. */
function buildMethods(call: Call, tree: MethodTree): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value !== "string") {
      methods[key] = buildMethods(call, value);
      continue;
    }
    methods[key] = (...args: unknown[]) => callMethod(call, value, args);
    if (operation(value).paging) {
      methods[`${key}Stream`] = (...args: unknown[]) => streamItems(call, value as PagedOperationName, args);
    }
  }
  return methods;
}

/** `SQUARE_ENVIRONMENT`: a named environment or a base URL. */
const environmentSetting = Schema.String.check(
  Schema.makeFilter((value: string) => baseUrlFor(value) !== undefined || `expected ${ENVIRONMENT_EXPECTED}`),
);

/** What `layerConfig` reads; each failure is a `ConfigError` naming the variable. */
const config = Config.all({
  // Missing or empty, the schema's own error ("Expected string at [\"SQUARE_ACCESS_TOKEN\"]") tells a
  // newcomer nothing; core's message says what the variable is and where a token comes from.
  accessToken: Config.schema(Schema.Redacted(Schema.NonEmptyString), "SQUARE_ACCESS_TOKEN").pipe(
    Config.orElse(() =>
      Config.fail(
        new ConfigProvider.SourceError({ message: missingAccessTokenMessage("SQUARE_ACCESS_TOKEN") }),
      ),
    ),
  ),
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
  /** A client as a value (one per merchant token, say), needing an `HttpClient`. */
  static readonly make: (
    options: SquareClientOptions,
  ) => Effect.Effect<SquareClientShape, never, HttpClient.HttpClient> = make;

  static readonly layer = (
    options: SquareClientOptions,
  ): Layer.Layer<SquareClient, never, HttpClient.HttpClient> => Layer.effect(SquareClient, make(options));

  /** The client from `SQUARE_ACCESS_TOKEN`, `SQUARE_ENVIRONMENT` and `SQUARE_VERSION`. */
  static readonly layerConfig: Layer.Layer<SquareClient, Config.ConfigError, HttpClient.HttpClient> =
    Layer.unwrap(Effect.map(config, (settings) => SquareClient.layer(settings)));
}
