// The order of the mirror's steps, for both clients. A step (a generator of store operations, run in one
// transaction) applies an event, writes a page of reads, or ends a load or a pass; a program (a generator
// of instructions) runs a whole full load, reconcile pass or sync: which page to ask for, which step to
// run in a transaction, what progress to report. Each client only carries out the instructions in its own
// idiom (packages/client/src/mirror.ts, packages/client-effect/src/mirror.ts).

import { nextCursor } from "../call/paging.js";
import type {
  Customer,
  ListCustomersResponse,
  SearchCustomersRequest,
  SearchCustomersResponse,
} from "../generated/models.js";
import type { ListCustomersQuery } from "../generated/parameters.js";
import type { WebhookEvent } from "../webhooks/delivery.js";
import {
  changeOfEvent,
  changeOfRead,
  eventResult,
  eventsForgettableBefore,
  fullLoadQuery,
  loadDeletionCutoff,
  MIRROR_SAFETY_MARGIN_MS,
  merchantOfEvent,
  NO_CHECKPOINT_MESSAGE,
  planSync,
  reconcileQuery,
  reconcileSince,
} from "./rules.js";
import { type MirrorStep, perform } from "./store.js";
import type {
  LoadSummary,
  MirrorCheckpoint,
  MirrorEventResult,
  MirrorProgress,
  MirrorWrite,
  ReconcileSummary,
  SyncResult,
} from "./types.js";

// ---- steps: one transaction each ------------------------------------------------------------------------

/**
 * Applies one verified event, handled at `now` (ms): claims its id (a copy handled before is a
 * duplicate), then writes its change if it is newer than the mirror's. An event that names no merchant
 * is ignored without touching the store.
 */
export function* applyEventStep(event: WebhookEvent, now: number): MirrorStep<MirrorEventResult> {
  const change = changeOfEvent(event);
  const merchantId = merchantOfEvent(event);
  if (merchantId === undefined) return eventResult(event, change, "ignored");
  const write = change.kind === "ignore" ? undefined : change;
  const { claimed, written } = yield* perform({
    kind: "applyEvent",
    merchantId,
    eventId: event.event_id,
    at: now,
    write,
  });
  if (!claimed) return eventResult(event, change, "duplicate");
  if (write === undefined) return eventResult(event, change, "ignored");
  return eventResult(event, change, written ? "applied" : "stale");
}

/** Writes the customers of one list or search page read at `readAt`; succeeds with how many were newer. */
export function* writeReadsStep(
  merchantId: string,
  customers: readonly Customer[],
  readAt: number,
  marginMs: number,
): MirrorStep<number> {
  if (customers.length === 0) return 0;
  const byId = new Map<string, MirrorWrite>();
  for (const customer of customers) byId.set(customer.id, changeOfRead(customer, readAt, marginMs));
  const writes = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return yield* perform({ kind: "write", merchantId, writes });
}

/** The end of a full load: tombstones for what the listing no longer has, then the checkpoint. */
export function* finishLoadStep(merchantId: string, startedAt: number, marginMs: number): MirrorStep<number> {
  const cutoff = loadDeletionCutoff(startedAt, marginMs);
  const deleted = yield* perform({ kind: "tombstoneUnseen", merchantId, ...cutoff });
  yield* perform({ kind: "advanceCheckpoint", merchantId, loadedAt: startedAt, reconciledAt: startedAt });
  return deleted;
}

/** The end of a reconcile pass: the checkpoint moves forward, and event ids too old to return are forgotten. */
export function* finishReconcileStep(
  merchantId: string,
  startedAt: number,
  marginMs: number,
): MirrorStep<void> {
  yield* perform({ kind: "advanceCheckpoint", merchantId, loadedAt: undefined, reconciledAt: startedAt });
  yield* perform({ kind: "forgetEvents", merchantId, before: eventsForgettableBefore(startedAt, marginMs) });
}

export function* readCheckpointStep(merchantId: string): MirrorStep<MirrorCheckpoint | undefined> {
  return yield* perform({ kind: "readCheckpoint", merchantId });
}

// ---- programs: a whole load, pass or sync ----------------------------------------------------------------

/** What a program asks its client to do next. */
export type MirrorInstruction =
  /** List a page of customers with the merchant's client; resume with the `ListCustomersResponse`. */
  | { readonly kind: "list"; readonly query: ListCustomersQuery }
  /** Search a page of customers; resume with the `SearchCustomersResponse`. */
  | { readonly kind: "search"; readonly body: SearchCustomersRequest }
  /** Run a step in one store transaction; resume with its result. */
  | { readonly kind: "transaction"; readonly step: MirrorStep<unknown> }
  /** Report progress (once the step before it is committed); resume with nothing. */
  | { readonly kind: "report"; readonly progress: MirrorProgress };

/** A whole load, pass or sync, as instructions; returns its summary. */
export type MirrorProgram<T> = Generator<MirrorInstruction, T, unknown>;

export interface MirrorRun {
  readonly merchantId: string;
  /** When the run started (ms): the mark of what it reads, and its checkpoint. */
  readonly startedAt: number;
  readonly marginMs?: number | undefined;
}

function* list(query: ListCustomersQuery): MirrorProgram<ListCustomersResponse> {
  return (yield { kind: "list", query }) as ListCustomersResponse;
}

function* search(body: SearchCustomersRequest): MirrorProgram<SearchCustomersResponse> {
  return (yield { kind: "search", body }) as SearchCustomersResponse;
}

function* transaction<T>(step: MirrorStep<T>): MirrorProgram<T> {
  return (yield { kind: "transaction", step }) as T;
}

function* report(progress: MirrorProgress): MirrorProgram<void> {
  yield { kind: "report", progress };
}

/**
 * Lists every customer into the mirror, a page per transaction, then removes those the listing no longer
 * has. A load that stops part way leaves the checkpoint as it was: the next sync loads in full again.
 */
export function* fullLoadProgram(run: MirrorRun): MirrorProgram<LoadSummary> {
  const { merchantId, startedAt } = run;
  const margin = run.marginMs ?? MIRROR_SAFETY_MARGIN_MS;
  let total: number | undefined;
  let listed = 0;
  let written = 0;
  let cursor: string | undefined;
  const progress = (stage: "listing" | "deleting" | "done", deleted = 0): MirrorProgress => ({
    kind: "load",
    merchantId,
    stage,
    listed,
    total,
    written,
    deleted,
  });
  do {
    const page = yield* list(fullLoadQuery(cursor));
    total ??= page.count;
    const customers = page.customers ?? [];
    written += yield* transaction(writeReadsStep(merchantId, customers, startedAt, margin));
    listed += customers.length;
    yield* report(progress("listing"));
    cursor = nextCursor(page);
  } while (cursor !== undefined);
  yield* report(progress("deleting"));
  const deleted = yield* transaction(finishLoadStep(merchantId, startedAt, margin));
  yield* report(progress("done", deleted));
  return { listed, written, deleted };
}

/** Reads every customer updated since the checkpoint (less the safety margin); throws without one. */
export function* reconcileProgram(run: MirrorRun): MirrorProgram<ReconcileSummary> {
  const checkpoint = yield* transaction(readCheckpointStep(run.merchantId));
  if (checkpoint === undefined) throw new Error(NO_CHECKPOINT_MESSAGE);
  return yield* reconcileFrom(run, checkpoint);
}

function* reconcileFrom(run: MirrorRun, checkpoint: MirrorCheckpoint): MirrorProgram<ReconcileSummary> {
  const { merchantId, startedAt } = run;
  const margin = run.marginMs ?? MIRROR_SAFETY_MARGIN_MS;
  const since = reconcileSince(checkpoint, margin);
  let read = 0;
  let written = 0;
  let cursor: string | undefined;
  do {
    const page = yield* search(reconcileQuery(since, cursor));
    const customers = page.customers ?? [];
    read += customers.length;
    written += yield* transaction(writeReadsStep(merchantId, customers, startedAt, margin));
    yield* report({ kind: "reconcile", merchantId, stage: "searching", since, read, written });
    cursor = nextCursor(page);
  } while (cursor !== undefined);
  yield* transaction(finishReconcileStep(merchantId, startedAt, margin));
  yield* report({ kind: "reconcile", merchantId, stage: "done", since, read, written });
  return { since, read, written };
}

/**
 * Brings a merchant's mirror up to date as `planSync` says: a full load the first time (or when asked,
 * or when the checkpoint is older than Square's retry window), a reconcile pass from the checkpoint
 * otherwise.
 */
export function* syncProgram(
  run: MirrorRun & { readonly full?: boolean | undefined },
): MirrorProgram<SyncResult> {
  const checkpoint = yield* transaction(readCheckpointStep(run.merchantId));
  const plan = planSync(checkpoint, run.startedAt, { full: run.full });
  if (plan.kind === "full-load") return { kind: "full-load", summary: yield* fullLoadProgram(run) };
  return { kind: "reconcile", summary: yield* reconcileFrom(run, plan.checkpoint) };
}
