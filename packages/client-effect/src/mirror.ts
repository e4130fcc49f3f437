// @square-customers/client-effect/mirror: the customer mirror with the Effect client. Core decides
// everything (what an event or a read means, which state wins, the order of the steps: `fullLoadProgram`,
// `reconcileProgram`, `syncProgram`, `applyEventStep`); this file carries out their instructions: it lists
// and searches with the merchant's `SquareClient`, runs each step in one store transaction, and emits
// progress as a `Stream`. The stores: `fromPromiseStore` (any of core's promise stores) here, and one on
// `effect/sql` in `@square-customers/client-effect/sql`.
import {
  applyEventStep,
  fullLoadProgram,
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorEventResult,
  type MirrorProgram,
  type MirrorProgress,
  type MirrorStep,
  type MirrorStore,
  performOn,
  reconcileProgram,
  syncProgram,
  type WebhookEvent,
} from "@square-customers/core";
import * as Clock from "effect/Clock";
import type * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Queue from "effect/Queue";
import * as Stream from "effect/Stream";
import { SquareClient, type SquareClientShape } from "./client.js";
import type { SquareClientError } from "./errors.js";
import {
  type EffectMirrorStore,
  type EffectMirrorTransaction,
  effectStore,
  type MirrorStoreError,
} from "./mirror-store.js";

export type {
  LoadSummary,
  MaybePromise,
  MirrorCheckpoint,
  MirrorEventResult,
  MirroredCustomer,
  MirrorMark,
  MirrorOutcome,
  MirrorProgress,
  MirrorStore,
  MirrorTransaction,
  ReconcileSummary,
  SyncResult,
} from "@square-customers/core";
export { MemoryMirrorStore, MIRROR_EVENT_TYPES } from "@square-customers/core";
export {
  type EffectMirrorStore,
  type EffectMirrorTransaction,
  fromPromiseStore,
  MirrorStoreError,
} from "./mirror-store.js";

/** What a load or reconcile pass can fail with. */
export type MirrorError = SquareClientError | MirrorStoreError;

export interface MirrorOptions<R> {
  /**
   * Where the mirror lives: an `effect/sql` store (`makeSqlMirrorStore`), or any of core's promise stores
   * (`new MemoryMirrorStore()`, a node:sqlite or `pg` one).
   */
  readonly store: MirrorStore | EffectMirrorStore;
  /**
   * The client a merchant's full load and reconcile passes use (its own token, say:
   * `SquareClient.make({ accessToken })`). By default, the `SquareClient` service for every merchant.
   */
  readonly clientFor?: (merchantId: string) => Effect.Effect<SquareClientShape, never, R>;
  /**
   * How much earlier than its start a read counts as observed, and how far back a reconcile pass looks
   * before the last one (default 5 minutes): covers clock differences and search results that lag.
   */
  readonly safetyMarginMs?: number;
}

export interface CustomerMirror {
  /**
   * Brings a merchant's mirror up to date as core's `planSync` says: a full load the first time (or when
   * `full` is set, or the checkpoint is older than Square's retry window), a reconcile pass otherwise.
   * Its progress tells which (`kind`).
   */
  readonly sync: (
    merchantId: string,
    options?: { readonly full?: boolean },
  ) => Stream.Stream<MirrorProgress, MirrorError>;
  /** Lists every customer of the merchant into the mirror, then removes those the listing no longer has. */
  readonly fullLoad: (merchantId: string) => Stream.Stream<MirrorProgress, MirrorError>;
  /**
   * Reads every customer updated since the checkpoint (less the safety margin). Without a checkpoint
   * (no full load yet) it dies: that is a mistake in the program, not a condition to handle.
   */
  readonly reconcile: (merchantId: string) => Stream.Stream<MirrorProgress, MirrorError>;
  /**
   * Applies one verified event to its merchant's mirror, in one transaction: written only if it is new and
   * newer than what the mirror holds. Fails only if the store does; then nothing is remembered, so a
   * redelivery applies it again.
   */
  readonly apply: (event: WebhookEvent) => Effect.Effect<MirrorEventResult, MirrorStoreError>;
}

/** A mirror of the customers of every merchant whose events or loads reach it, in `options.store`. */
export const makeMirror = <R = SquareClient>(options: MirrorOptions<R>) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<R>();
    const store = effectStore(options.store);
    const margin = options.safetyMarginMs ?? MIRROR_SAFETY_MARGIN_MS;
    const clientFor =
      options.clientFor ??
      ((() =>
        Effect.gen(function* () {
          return yield* SquareClient;
        })) as unknown as (merchantId: string) => Effect.Effect<SquareClientShape, never, R>);

    /** A program's progress as a stream; the program starts when the stream runs. */
    const stream = (
      merchantId: string,
      program: (startedAt: number) => MirrorProgram<unknown>,
    ): Stream.Stream<MirrorProgress, MirrorError> =>
      Stream.callback<MirrorProgress, MirrorError>((queue) =>
        Effect.gen(function* () {
          const square = yield* Effect.provideContext(clientFor(merchantId), context as Context.Context<R>);
          const startedAt = yield* Clock.currentTimeMillis;
          yield* runProgram(program(startedAt), square, store, (p) => Queue.offer(queue, p));
          yield* Queue.end(queue);
        }),
      );

    const mirror: CustomerMirror = {
      sync: (merchantId, { full } = {}) =>
        stream(merchantId, (startedAt) => syncProgram({ merchantId, startedAt, marginMs: margin, full })),
      fullLoad: (merchantId) =>
        stream(merchantId, (startedAt) => fullLoadProgram({ merchantId, startedAt, marginMs: margin })),
      reconcile: (merchantId) =>
        stream(merchantId, (startedAt) => reconcileProgram({ merchantId, startedAt, marginMs: margin })),
      apply: (event) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          store.transaction((tx) => runStep(applyEventStep(event, now), tx)),
        ),
    };
    return mirror;
  });

/** Carries out a program's instructions, one after another, until it returns. */
function runProgram<T>(
  program: MirrorProgram<T>,
  square: SquareClientShape,
  store: EffectMirrorStore,
  report: (progress: MirrorProgress) => Effect.Effect<unknown>,
): Effect.Effect<T, MirrorError> {
  return Effect.gen(function* () {
    // A program that throws (a reconcile without a checkpoint) dies: a mistake, not a condition.
    let next = program.next();
    while (!next.done) {
      const instruction = next.value;
      let result: unknown;
      switch (instruction.kind) {
        case "list":
          result = yield* square.call("listCustomers", instruction.query);
          break;
        case "search":
          result = yield* square.call("searchCustomers", instruction.body);
          break;
        case "transaction": {
          const { step } = instruction;
          result = yield* store.transaction((tx) => runStep(step, tx));
          break;
        }
        case "report":
          yield* report(instruction.progress);
          break;
      }
      next = program.next(result);
    }
    return next.value;
  });
}

/** Runs a step's operations on `tx`, one after another. */
function runStep<T>(step: MirrorStep<T>, tx: EffectMirrorTransaction): Effect.Effect<T, MirrorStoreError> {
  return Effect.gen(function* () {
    let next = step.next();
    while (!next.done) {
      next = step.next(yield* performOn<Effect.Effect<unknown, MirrorStoreError>>(tx, next.value));
    }
    return next.value;
  });
}
