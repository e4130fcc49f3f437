// What a mirror asks of its storage: a handful of operations, each deciding inside the store what a
// read-then-write would get wrong with several writers. "Newer wins" is part of the write itself, claiming
// an event id is an insert that tells whether it was new, and the checkpoint only moves forward. A step of
// the mirror (`steps.ts`) yields these operations; the store runs a whole step in one transaction, so an
// event's dedupe record commits with its change or not at all.
import type { MaybePromise, MirrorCheckpoint, MirrorWrite } from "./types.js";

/**
 * Applies an event: records its id as handled and, only if the id was new, writes its change (when it
 * has one) where it supersedes the stored state. Succeeds with whether the id was new and the change
 * written. One operation, so that a SQL store can do it in one statement; it is always the only operation
 * of its transaction (`applyEventStep`), so a store may send that statement alone, without BEGIN/COMMIT.
 */
export interface ApplyEvent {
  readonly kind: "applyEvent";
  readonly merchantId: string;
  readonly eventId: string;
  /** When it was handled (ms), for `forgetEvents`. */
  readonly at: number;
  readonly write: MirrorWrite | undefined;
}

export interface ApplyEventResult {
  /** The event id was new (false: a copy handled before; nothing was written). */
  readonly claimed: boolean;
  readonly written: boolean;
}

/**
 * Writes each state whose mark supersedes the stored one (core's `supersedes`), in one go; succeeds
 * with how many were written. The states are of distinct customers, sorted by id (so that two writers'
 * row locks are always taken in the same order).
 */
export interface WriteCustomers {
  readonly kind: "write";
  readonly merchantId: string;
  readonly writes: readonly MirrorWrite[];
}

/**
 * The end of a full load: every live customer observed before `before` becomes a tombstone observed at
 * `at`, keeping its version (core's `goneAfterLoad`); succeeds with how many.
 */
export interface TombstoneUnseen {
  readonly kind: "tombstoneUnseen";
  readonly merchantId: string;
  readonly before: number;
  readonly at: number;
}

export interface ReadCheckpoint {
  readonly kind: "readCheckpoint";
  readonly merchantId: string;
}

/** Moves the checkpoint forward (core's `advanceCheckpoint`); `loadedAt` only after a full load. */
export interface AdvanceCheckpoint {
  readonly kind: "advanceCheckpoint";
  readonly merchantId: string;
  readonly loadedAt: number | undefined;
  readonly reconciledAt: number;
}

/** Forgets event ids handled before `before` (Square can no longer deliver them again). */
export interface ForgetEvents {
  readonly kind: "forgetEvents";
  readonly merchantId: string;
  readonly before: number;
}

/** One operation of a mirror step. */
export type MirrorOp =
  | ApplyEvent
  | WriteCustomers
  | TombstoneUnseen
  | ReadCheckpoint
  | AdvanceCheckpoint
  | ForgetEvents;

/** What each operation succeeds with. */
export interface MirrorOpResults {
  readonly applyEvent: ApplyEventResult;
  readonly write: number;
  readonly tombstoneUnseen: number;
  readonly readCheckpoint: MirrorCheckpoint | undefined;
  readonly advanceCheckpoint: undefined;
  readonly forgetEvents: undefined;
}

/** The operation of a kind. */
export type MirrorOpOf<K extends MirrorOp["kind"]> = Extract<MirrorOp, { kind: K }>;

/**
 * The operations inside one transaction of a store: one method per operation kind, named after it and
 * taking the operation itself. Any may answer at once (node:sqlite) or with a promise.
 */
export type MirrorTransaction = {
  readonly [K in MirrorOp["kind"]]: (op: MirrorOpOf<K>) => MaybePromise<MirrorOpResults[K]>;
};

/**
 * The storage behind a mirror, defined once for every database and both clients (the Effect client
 * wraps it, or takes an `effect/sql` store). Several mirrors, in several processes, may share one store:
 * each operation decides inside the store, and `transaction` keeps a step whole.
 */
export interface MirrorStore {
  /**
   * Runs `work` in one transaction: everything it did is kept if it succeeds, nothing if it fails (its
   * error comes out as it was). Transactions of one store object do not interleave.
   */
  transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T>;
}

/** A step of the mirror: a generator yielding store operations, returning the step's result. */
export type MirrorStep<T> = Generator<MirrorOp, T, unknown>;

/** Yields one operation and returns what it succeeded with: `const fresh = yield* perform(op)`. */
export function* perform<O extends MirrorOp>(op: O): Generator<O, MirrorOpResults[O["kind"]], unknown> {
  return (yield op) as MirrorOpResults[O["kind"]];
}

/** Runs one operation on a transaction's methods (the method named after its kind). */
export function performOn<R = unknown>(
  tx: { readonly [K in MirrorOp["kind"]]: (op: never) => unknown },
  op: MirrorOp,
): R {
  return (tx[op.kind] as (op: MirrorOp) => R)(op);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Runs a step's operations on `tx`, one after another. As long as the store answers at once, so does
 * this (a synchronous store pays for no promise per operation).
 */
export function runStep<T>(step: MirrorStep<T>, tx: MirrorTransaction): MaybePromise<T> {
  let next = step.next();
  while (!next.done) {
    const result = performOn(tx, next.value);
    if (isPromise(result)) return result.then((value) => finishStep(step, tx, value));
    next = step.next(result);
  }
  return next.value;
}

async function finishStep<T>(step: MirrorStep<T>, tx: MirrorTransaction, value: unknown): Promise<T> {
  let next = step.next(value);
  while (!next.done) next = step.next(await performOn(tx, next.value));
  return next.value;
}
