// The mirror's store as the Effect client sees it: core's operations (`MirrorOp`), each an `Effect`, inside
// a transaction that is an `Effect` too. `SqlMirrorStore` (./sql-store.ts) is one on `effect/sql`;
// `fromPromiseStore` wraps any of core's promise stores (the in-memory one, the node:sqlite one).
import type {
  MaybePromise,
  MirrorOp,
  MirrorOpOf,
  MirrorOpResults,
  MirrorStore,
  MirrorTransaction,
} from "@square-customers/core";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Schema from "effect/Schema";

/** The store failed in an operation (`method`: the operation, or `transaction`). Nothing of that step was kept. */
export class MirrorStoreError extends Schema.TaggedError<MirrorStoreError>()("MirrorStoreError", {
  method: Schema.String,
  message: Schema.String,
  cause: Schema.Unknown,
}) {}

/** The operations inside one transaction, one method per operation kind. */
export type EffectMirrorTransaction = {
  readonly [K in MirrorOp["kind"]]: (
    op: MirrorOpOf<K>,
  ) => Effect.Effect<MirrorOpResults[K], MirrorStoreError>;
};

/** A mirror store for the Effect client. */
export interface EffectMirrorStore {
  readonly kind: "effect";
  /** Runs `work` in one transaction: kept whole if it succeeds, rolled back if it fails. */
  readonly transaction: <A, E, R>(
    work: (tx: EffectMirrorTransaction) => Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E | MirrorStoreError, R>;
}

export function storeError(method: string, cause: unknown): MirrorStoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MirrorStoreError({
    method,
    message: `the mirror's store failed in ${method}: ${reason}`,
    cause,
  });
}

/** A store answer as an effect: a synchronous answer stays synchronous; a throw or rejection is typed. */
function fromMaybePromise<A>(method: string, run: () => MaybePromise<A>): Effect.Effect<A, MirrorStoreError> {
  return Effect.suspend(() => {
    let answer: MaybePromise<A>;
    try {
      answer = run();
    } catch (cause) {
      return Effect.fail(storeError(method, cause));
    }
    if (!(answer instanceof Promise)) return Effect.succeed(answer);
    return Effect.tryPromise({ try: () => answer, catch: (cause) => storeError(method, cause) });
  });
}

/** The operations of a promise store's transaction as effects. */
function effectTransaction(tx: MirrorTransaction): EffectMirrorTransaction {
  const wrap =
    <K extends MirrorOp["kind"]>(kind: K) =>
    (op: MirrorOpOf<K>) =>
      fromMaybePromise(kind, () => (tx[kind] as (op: MirrorOpOf<K>) => MaybePromise<MirrorOpResults[K]>)(op));
  return {
    applyEvent: wrap("applyEvent"),
    write: wrap("write"),
    tombstoneUnseen: wrap("tombstoneUnseen"),
    readCheckpoint: wrap("readCheckpoint"),
    advanceCheckpoint: wrap("advanceCheckpoint"),
    forgetEvents: wrap("forgetEvents"),
  };
}

/** Thrown inside a promise store's transaction to roll it back; the step's own exit is kept aside. */
class StepFailed {}

/** Core's promise `MirrorStore` (`MemoryMirrorStore`, a node:sqlite or `pg` store) for the Effect client. */
export function fromPromiseStore(store: MirrorStore): EffectMirrorStore {
  return {
    kind: "effect",
    transaction: <A, E, R>(work: (tx: EffectMirrorTransaction) => Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        const context = yield* Effect.context<R>();
        let failed: Exit.Exit<A, E> | undefined;
        const committed = yield* Effect.exit(
          Effect.tryPromise({
            try: () =>
              store.transaction(async (tx) => {
                const exit = await Effect.runPromiseExitWith(context)(work(effectTransaction(tx)));
                if (Exit.isSuccess(exit)) return exit.value;
                failed = exit;
                throw new StepFailed();
              }),
            catch: (cause) => storeError("transaction", cause),
          }),
        );
        // The step's own failure, rather than the rollback it caused.
        if (failed !== undefined) return yield* failed;
        return yield* committed;
      }),
  };
}

/** An Effect store as is, or a promise store wrapped. */
export function effectStore(store: MirrorStore | EffectMirrorStore): EffectMirrorStore {
  return "kind" in store && store.kind === "effect" ? store : fromPromiseStore(store as MirrorStore);
}
