// The customer mirror with the Effect client: core decides (what an event or a read means, which state
// wins, what a full load deletes, where a reconcile pass searches, what the checkpoint holds); this file
// lists and searches with the `SquareClient`, reads and writes the store, and reports progress as a
// `Stream`. Every step that reads the store and then writes it holds one permit of a semaphore, so an event
// that arrives during a full load, or two copies of one event, can never interleave.
import {
  type Customer,
  changeOfEvent,
  changeOfRead,
  checkpointAfterLoad,
  checkpointAfterReconcile,
  deletionsAfterLoad,
  eventResult,
  eventsForgettableBefore,
  fullLoadQuery,
  type MaybePromise,
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorChange,
  type MirrorCheckpoint,
  type MirrorEventResult,
  type MirrorMark,
  type MirrorProgress,
  type MirrorStore,
  NO_CHECKPOINT_MESSAGE,
  nextCursor,
  outcomeOf,
  planSync,
  reconcileQuery,
  reconcileSince,
  type WebhookEvent,
} from "@square-customers/core";
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import * as Schema from "effect/Schema";
import * as Semaphore from "effect/Semaphore";
import * as Stream from "effect/Stream";
import { SquareClient } from "./client.js";
import type { SquareClientError } from "./errors.js";

/** A store method failed (threw or rejected); `method` names it. Nothing after it in that step ran. */
export class MirrorStoreError extends Schema.TaggedError<MirrorStoreError>()("MirrorStoreError", {
  method: Schema.String,
  message: Schema.String,
  cause: Schema.Unknown,
}) {}

/** What a load or reconcile pass can fail with. */
export type MirrorError = SquareClientError | MirrorStoreError;

export interface MirrorOptions {
  /** Where the mirror lives: `new MemoryMirrorStore()`, or your database behind core's `MirrorStore`. */
  readonly store: MirrorStore;
  /**
   * How much earlier than its start a read counts as observed, and how far back a reconcile pass looks
   * before the last one (default 5 minutes): covers clock differences and search results that lag.
   */
  readonly safetyMarginMs?: number;
}

export interface CustomerMirror {
  /**
   * Brings the mirror up to date as core's `planSync` says: a full load the first time (or when `full`
   * is set, or the checkpoint is older than Square's retry window), a reconcile pass otherwise. Its
   * progress tells which (`kind`).
   */
  readonly sync: (options?: { readonly full?: boolean }) => Stream.Stream<MirrorProgress, MirrorError>;
  /** Lists every customer into the mirror, then removes those the listing no longer has. */
  readonly fullLoad: Stream.Stream<MirrorProgress, MirrorError>;
  /**
   * Reads every customer updated since the checkpoint (less the safety margin). Without a checkpoint
   * (no full load yet) it dies: that is a mistake in the program, not a condition to handle.
   */
  readonly reconcile: Stream.Stream<MirrorProgress, MirrorError>;
  /**
   * Applies one verified event (from `decodeWebhook` or `webhookHandler`): written only if it is new and
   * newer than what the mirror holds. Fails only if the store does; then nothing is remembered, so a
   * redelivery applies it again.
   */
  readonly apply: (event: WebhookEvent) => Effect.Effect<MirrorEventResult, MirrorStoreError>;
}

/** A mirror of the `SquareClient`'s merchant's customers in `options.store`. */
export const makeMirror = Effect.fnUntraced(function* (options: MirrorOptions) {
  const square = yield* SquareClient;
  const alone = yield* Semaphore.make(1);
  const store = new StoreCalls(options.store);
  const margin = options.safetyMarginMs ?? MIRROR_SAFETY_MARGIN_MS;
  /** Runs a step that reads the store and then writes it: alone, and in a transaction when the store has them. */
  const inTurn = <A, E>(step: Effect.Effect<A, E>) => alone.withPermits(1)(store.transaction(step));

  /** Writes the customers of one page that are newer than the mirror's; succeeds with how many. */
  const writeReads = (customers: readonly Customer[], readAt: number) =>
    Effect.gen(function* () {
      let written = 0;
      for (const customer of customers) {
        const change = changeOfRead(customer, readAt, margin);
        if (outcomeOf(change, yield* store.get(change.id)) !== "applied") continue;
        yield* store.write(change);
        written++;
      }
      return written;
    });

  /** Removes the customers the listing no longer has and saves the checkpoint; succeeds with how many. */
  const finishLoad = (listed: ReadonlySet<string>, startedAt: number) =>
    Effect.gen(function* () {
      const gone = deletionsAfterLoad(yield* store.live(), listed, startedAt, margin);
      for (const [id, mark] of gone) yield* store.call("delete", () => options.store.delete(id, mark));
      yield* store.call("writeCheckpoint", () =>
        options.store.writeCheckpoint(checkpointAfterLoad(startedAt)),
      );
      return gone.length;
    });

  const fullLoad: Stream.Stream<MirrorProgress, MirrorError> = Stream.unwrap(
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis;
      const listed = new Set<string>();
      let total: number | undefined;
      let written = 0;
      const pages = Stream.paginate(fullLoadQuery(), (query) =>
        Effect.map(square.customers.list(query), (page) => {
          const cursor = nextCursor(page);
          return [[page], cursor === undefined ? Option.none() : Option.some(fullLoadQuery(cursor))] as const;
        }),
      );
      const listing = Stream.mapEffect(pages, (page) =>
        Effect.gen(function* () {
          total ??= page.count;
          const customers = page.customers ?? [];
          written += yield* inTurn(writeReads(customers, startedAt));
          for (const customer of customers) listed.add(customer.id);
          return progressOfLoad("listing", listed.size, total, written, 0);
        }),
      );
      const finishing = Stream.suspend(() =>
        Stream.concat(
          Stream.succeed(progressOfLoad("deleting", listed.size, total, written, 0)),
          Stream.fromEffect(
            Effect.map(inTurn(finishLoad(listed, startedAt)), (deleted) =>
              progressOfLoad("done", listed.size, total, written, deleted),
            ),
          ),
        ),
      );
      return Stream.concat(listing, finishing);
    }),
  );

  const reconcileFrom = (checkpoint: MirrorCheckpoint): Stream.Stream<MirrorProgress, MirrorError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis;
        const since = reconcileSince(checkpoint, margin);
        let read = 0;
        let written = 0;
        const searching = Stream.mapEffect(square.pages("searchCustomers", reconcileQuery(since)), (page) =>
          Effect.gen(function* () {
            const customers = page.customers ?? [];
            read += customers.length;
            written += yield* inTurn(writeReads(customers, startedAt));
            return { kind: "reconcile", stage: "searching", since, read, written } as const;
          }),
        );
        const finishing = Stream.fromEffect(
          inTurn(
            Effect.gen(function* () {
              const latest = (yield* store.checkpoint()) ?? checkpoint;
              const next = checkpointAfterReconcile(latest, startedAt);
              yield* store.call("writeCheckpoint", () => options.store.writeCheckpoint(next));
              const forgetBefore = eventsForgettableBefore(yield* Clock.currentTimeMillis, margin);
              yield* store.call("forgetEventsBefore", () => options.store.forgetEventsBefore(forgetBefore));
              return { kind: "reconcile", stage: "done", since, read, written } as const;
            }),
          ),
        );
        return Stream.concat(searching, finishing);
      }),
    );

  const reconcile: Stream.Stream<MirrorProgress, MirrorError> = Stream.unwrap(
    Effect.map(store.checkpoint(), (checkpoint) =>
      checkpoint === undefined ? Stream.die(new Error(NO_CHECKPOINT_MESSAGE)) : reconcileFrom(checkpoint),
    ),
  );

  const sync = (syncOptions: { readonly full?: boolean } = {}): Stream.Stream<MirrorProgress, MirrorError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const checkpoint = yield* store.checkpoint();
        const plan = planSync(checkpoint, yield* Clock.currentTimeMillis, syncOptions);
        return plan.kind === "full-load" || checkpoint === undefined ? fullLoad : reconcileFrom(checkpoint);
      }),
    );

  const apply = (event: WebhookEvent): Effect.Effect<MirrorEventResult, MirrorStoreError> =>
    inTurn(
      Effect.gen(function* () {
        const change = changeOfEvent(event);
        const handledBefore = yield* store.call("hasEvent", () => options.store.hasEvent(event.event_id));
        const stored = handledBefore || change.kind === "ignore" ? undefined : yield* store.get(change.id);
        const outcome = outcomeOf(change, stored, handledBefore);
        if (outcome === "applied") yield* store.write(change);
        if (outcome !== "duplicate") {
          const now = yield* Clock.currentTimeMillis;
          yield* store.call("rememberEvent", () => options.store.rememberEvent(event.event_id, now));
        }
        return eventResult(event, change, outcome);
      }),
    );

  const mirror: CustomerMirror = { sync, fullLoad, reconcile, apply };
  return mirror;
});

function progressOfLoad(
  stage: "listing" | "deleting" | "done",
  listed: number,
  total: number | undefined,
  written: number,
  deleted: number,
): MirrorProgress {
  return { kind: "load", stage, listed, total, written, deleted };
}

/** The store's methods as effects: a synchronous answer stays synchronous, a throw or rejection is typed. */
class StoreCalls {
  constructor(private readonly store: MirrorStore) {}

  call<A>(method: string, run: () => MaybePromise<A>): Effect.Effect<A, MirrorStoreError> {
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

  /** `step` between the store's `begin` and `commit` (`rollback` if it fails), when the store has them. */
  transaction<A, E>(step: Effect.Effect<A, E>): Effect.Effect<A, E | MirrorStoreError> {
    const transactions = this.store.transactions;
    if (transactions === undefined) return step;
    const calls = this;
    return Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        yield* calls.call("begin", () => transactions.begin());
        const exit = yield* Effect.exit(restore(step));
        if (Exit.isFailure(exit)) {
          // The step's own failure says what went wrong; a failing rollback would only hide it.
          yield* Effect.ignore(calls.call("rollback", () => transactions.rollback()));
          return yield* exit;
        }
        yield* calls.call("commit", () => transactions.commit());
        return exit.value;
      }),
    );
  }

  get(id: string): Effect.Effect<MirrorMark | undefined, MirrorStoreError> {
    return this.call("get", () => this.store.get(id));
  }

  checkpoint(): Effect.Effect<MirrorCheckpoint | undefined, MirrorStoreError> {
    return this.call("readCheckpoint", () => this.store.readCheckpoint());
  }

  write(change: MirrorChange): Effect.Effect<void, MirrorStoreError> {
    if (change.kind === "upsert")
      return this.call("upsert", () => this.store.upsert(change.customer, change.mark));
    if (change.kind === "delete") return this.call("delete", () => this.store.delete(change.id, change.mark));
    return Effect.void;
  }

  /** Every live entry, from a synchronous or an asynchronous iterable. */
  live(): Effect.Effect<Array<readonly [string, MirrorMark]>, MirrorStoreError> {
    return this.call("live", async () => {
      const entries: Array<readonly [string, MirrorMark]> = [];
      for await (const entry of this.store.live()) entries.push(entry);
      return entries;
    });
  }
}

function storeError(method: string, cause: unknown): MirrorStoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MirrorStoreError({
    method,
    message: `the mirror's store failed in ${method}: ${reason}`,
    cause,
  });
}
