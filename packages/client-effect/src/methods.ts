// The method types of the Effect client, derived from core's table by operation name. The client's own
// surface is the generated interfaces in generated/methods.ts (`CustomersMethods`, …), which spell the
// same signatures out with names and doc comments; the type tests prove the two agree.
import type {
  MethodArgs as CoreMethodArgs,
  ItemOf,
  OperationName,
  PagedOperationName,
  ResponseOf,
} from "@square-customers/core";
import type * as Duration from "effect/Duration";
import type * as Effect from "effect/Effect";
import type * as Stream from "effect/Stream";
import type { SquareClientError } from "./errors.js";
import type { RetrySchedule } from "./retry.js";

/** Per-call options, the last argument of every method. */
export interface CallOptions {
  /** Time limit for each attempt (default: the client's, 30 seconds); `false` for none. */
  readonly timeout?: Duration.Input | false;
  /** Replaces the client's retry schedule for this call. */
  readonly retrySchedule?: RetrySchedule;
  /** Extra request headers (`Authorization` and `Square-Version` are always the client's). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A method's arguments: path parameters, then the body or query object, then per-call options. */
export type MethodArgs<N extends OperationName> = CoreMethodArgs<N, CallOptions>;

/** One operation: a single request (retried as allowed), decoded. */
export type Method<N extends OperationName> = (
  ...args: MethodArgs<N>
) => Effect.Effect<ResponseOf<N>, SquareClientError>;

/** Every item of every page, fetched lazily: a page is requested only when its items are needed. */
export type StreamMethod<N extends PagedOperationName> = (
  ...args: MethodArgs<N>
) => Stream.Stream<ItemOf<N>, SquareClientError>;
