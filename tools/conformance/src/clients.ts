// Both clients behind one small interface, so one suite can run the same calls against each and compare.
// Every outcome is reduced to plain data: the result, or the error's kind, message and fields. Nothing here
// decides anything; it only translates each client's types.
import {
  type CreateManyItem,
  createSquareClient,
  type SquareClientOptions as PromiseOptions,
  SquareError,
} from "@square-customers/client";
import {
  defaultRetrySchedule,
  type SquareClientOptions as EffectOptions,
  honourRetryAfter,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import {
  type CreateManyResult,
  type FailureKind,
  type MethodTree,
  methodNames,
  type OperationName,
  type SquareErrorDetail,
} from "@square-customers/core";
import { DEFAULT_MAX_RETRIES } from "@square-customers/core/client-kit";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import * as Schedule from "effect/Schedule";
import * as Stream from "effect/Stream";

/** An error as plain data: what both clients must agree on. */
export interface ErrorFacts {
  /** Core's verdict, carried by every error of both clients. */
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly message: string;
  readonly status?: number | undefined;
  readonly errors: readonly SquareErrorDetail[];
  /** How a connection failed, for `connection`. */
  readonly reason?: string | undefined;
  readonly hasRequestId: boolean;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ErrorFacts };

/** A createMany result as plain data (the item itself left out). */
export interface ManyResult {
  readonly index: number;
  readonly idempotencyKey: string;
  readonly outcome: "created" | "rejected" | "unknown";
  readonly customerId?: string | undefined;
  readonly errors?: readonly SquareErrorDetail[];
  readonly sent?: boolean;
  readonly error?: ErrorFacts | undefined;
}

export interface ClientSettings {
  readonly url: string;
  readonly token: string;
  readonly maxRetries?: number;
  /** Headers on every request (the client's `headers` option). */
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /**
   * A slow backoff of this many milliseconds before each retry, instead of the suite's fast one: the
   * promise client's `backoff` bounds, and for the Effect client a caller's own schedule
   * (`Schedule.spaced`) passed through its `honourRetryAfter`.
   */
  readonly slowBackoffMs?: number;
}

export interface CallSettings {
  readonly headers?: Record<string, string>;
}

/** Where each operation of core's table sits in the clients' method tree: `["customers", "groups", "add"]`. */
export function methodPath(name: OperationName): string[] {
  const find = (tree: MethodTree, path: string[]): string[] | undefined => {
    for (const [key, value] of Object.entries(tree)) {
      if (value === name) return [...path, key];
      if (typeof value !== "string") {
        const found = find(value, [...path, key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const path = find(methodNames, []);
  if (path === undefined) throw new Error(`no method for ${name}`);
  return path;
}

/** The method at `path` of a client's tree, bound to its group. */
function methodAt(root: object, path: readonly string[]): (...args: unknown[]) => unknown {
  let group = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) group = group[key] as Record<string, unknown>;
  return (group[path.at(-1)!] as (...args: unknown[]) => unknown).bind(group);
}

/** What the suite calls; each method is the same operation in both clients. */
export interface ClientUnderTest {
  /** Any operation of core's table through its method (`customers.groups.add(…)`): its first page or answer. */
  call(name: OperationName, args: readonly unknown[]): Promise<Outcome<unknown>>;
  create(input: object, call?: CallSettings): Promise<Outcome<{ customer?: { id?: string } }>>;
  retrieve(id: string): Promise<Outcome<{ customer?: { id?: string } }>>;
  bulkCreate(
    customers: Record<string, CreateManyItem>,
  ): Promise<Outcome<{ responses?: Record<string, unknown> }>>;
  listIds(): Promise<Outcome<string[]>>;
  /** Ids of the customers created at or after `since` (a `Date`, serialized by the client). */
  idsCreatedSince(since: Date): Promise<Outcome<string[]>>;
  createMany(
    items: readonly CreateManyItem[],
    options?: { chunkSize?: number; concurrency?: number },
  ): Promise<Outcome<ManyResult[]>>;
}

export interface ClientFlavor {
  readonly name: "promise" | "effect";
  connect(settings: ClientSettings): ClientUnderTest;
}

export const FAST_BACKOFF = { baseMs: 5, maxMs: 2_000 };

/** A createMany result of either client as plain data, its error made plain by `facts`. */
function manyResult<E>(r: CreateManyResult<E>, facts: (error: E) => ErrorFacts): ManyResult {
  return {
    index: r.index,
    idempotencyKey: r.idempotencyKey,
    outcome: r.outcome,
    ...(r.outcome === "created"
      ? { customerId: r.customer.id }
      : { errors: r.errors, error: r.error === undefined ? undefined : facts(r.error) }),
    ...(r.outcome === "rejected" ? { sent: r.sent } : {}),
  };
}

// ── the promise client ─────────────────────────────────────────────────────────────────────────────

function promiseFacts(error: unknown): ErrorFacts {
  if (!(error instanceof SquareError)) throw error;
  const e = error as SquareError & {
    status?: number;
    errors?: SquareErrorDetail[];
    reason?: string;
    requestId?: string;
  };
  return {
    kind: e.kind,
    retryable: e.retryable,
    message: e.message,
    status: e.status,
    errors: e.errors ?? [],
    reason: e.reason,
    hasRequestId: typeof e.requestId === "string",
  };
}

export async function promiseOutcome<T>(run: () => PromiseLike<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: promiseFacts(error) };
  }
}

export const promiseFlavor: ClientFlavor = {
  name: "promise",
  connect(settings) {
    const options: PromiseOptions = {
      accessToken: settings.token,
      environment: settings.url,
      backoff:
        settings.slowBackoffMs === undefined
          ? FAST_BACKOFF
          : { baseMs: settings.slowBackoffMs, maxMs: settings.slowBackoffMs },
      ...(settings.maxRetries === undefined ? {} : { maxRetries: settings.maxRetries }),
      ...(settings.headers === undefined ? {} : { headers: settings.headers }),
      ...(settings.timeoutMs === undefined ? {} : { timeout: settings.timeoutMs }),
    };
    const square = createSquareClient(options);
    return {
      call: (name, args) =>
        promiseOutcome(() => methodAt(square, methodPath(name))(...args) as PromiseLike<unknown>),
      create: (input, call) => promiseOutcome(() => square.customers.create(input as never, call ?? {})),
      retrieve: (id) => promiseOutcome(() => square.customers.retrieve(id)),
      bulkCreate: (customers) => promiseOutcome(() => square.customers.bulkCreate({ customers })),
      listIds: () => promiseOutcome(async () => (await square.customers.list().toArray()).map((c) => c.id)),
      idsCreatedSince: (since) =>
        promiseOutcome(async () =>
          (
            await square.customers
              .search({ query: { filter: { created_at: { start_at: since } } } })
              .toArray()
          ).map((c) => c.id),
        ),
      createMany: (items, manyOptions) =>
        promiseOutcome(async () =>
          (await square.customers.createMany(items, manyOptions)).map((r) => manyResult(r, promiseFacts)),
        ),
    };
  },
};

// ── the Effect client ──────────────────────────────────────────────────────────────────────────────

export function effectFacts(error: SquareClientError): ErrorFacts {
  return {
    kind: error.kind,
    retryable: error.retryable,
    message: error.message,
    status: error.status,
    errors: error.errors,
    reason: error._tag === "SquareTransportError" ? error.reason : undefined,
    hasRequestId: typeof error.requestId === "string",
  };
}

export const effectFlavor: ClientFlavor = {
  name: "effect",
  connect(settings) {
    const options: EffectOptions = {
      accessToken: settings.token,
      environment: settings.url,
      retrySchedule:
        settings.slowBackoffMs === undefined
          ? defaultRetrySchedule({
              ...FAST_BACKOFF,
              ...(settings.maxRetries === undefined ? {} : { maxRetries: settings.maxRetries }),
            })
          : honourRetryAfter(
              Schedule.spaced(Duration.millis(settings.slowBackoffMs)).pipe(
                Schedule.upTo({ times: settings.maxRetries ?? DEFAULT_MAX_RETRIES }),
              ),
            ),
      ...(settings.headers === undefined ? {} : { headers: settings.headers }),
      ...(settings.timeoutMs === undefined ? {} : { timeout: settings.timeoutMs }),
    };
    const layer = SquareClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer));
    const run = async <T>(
      program: Effect.Effect<T, SquareClientError, SquareClient>,
    ): Promise<Outcome<T>> => {
      const result = await Effect.runPromise(Effect.result(program).pipe(Effect.provide(layer)));
      return Result.isSuccess(result)
        ? { ok: true, value: result.success }
        : { ok: false, error: effectFacts(result.failure) };
    };
    const withClient = <T>(f: (square: SquareClientShape) => Effect.Effect<T, SquareClientError>) =>
      run(
        Effect.gen(function* () {
          return yield* f(yield* SquareClient);
        }),
      );
    return {
      call: (name, args) =>
        withClient(
          (s) => methodAt(s, methodPath(name))(...args) as Effect.Effect<unknown, SquareClientError>,
        ),
      create: (input, call) => withClient((s) => s.customers.create(input as never, call ?? {})),
      retrieve: (id) => withClient((s) => s.customers.retrieve(id)),
      bulkCreate: (customers) => withClient((s) => s.customers.bulkCreate({ customers })),
      listIds: () =>
        withClient((s) => Stream.runCollect(s.customers.listStream().pipe(Stream.map((c) => c.id)))),
      idsCreatedSince: (since) =>
        withClient((s) =>
          Stream.runCollect(
            s.customers
              .searchStream({ query: { filter: { created_at: { start_at: since } } } })
              .pipe(Stream.map((c) => c.id)),
          ),
        ),
      createMany: (items, manyOptions) =>
        withClient((s) =>
          Stream.runCollect(s.customers.createMany(items, manyOptions)).pipe(
            Effect.map((results) => results.map((r) => manyResult(r, effectFacts))),
          ),
        ),
    };
  },
};

export const flavors: readonly ClientFlavor[] = [promiseFlavor, effectFlavor];

/** The value of an outcome that must have succeeded (the failure, readably, when it did not). */
export function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.value;
}

/** The error of an outcome that must have failed. */
export function error<T>(outcome: Outcome<T>): ErrorFacts {
  if (outcome.ok) throw new Error("expected a failure");
  return outcome.error;
}
