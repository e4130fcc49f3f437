// The customer mirror with the promise client: core decides (what an event or a read means, which state
// wins, what a full load deletes, where a reconcile pass searches, what the checkpoint holds); this file
// lists and searches with the client, reads and writes the store, and reports progress through a callback.
// Every step that reads the store and then writes it runs alone (one at a time, in arrival order), so an
// event that arrives during a full load, or two copies of one event, can never interleave.
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
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorChange,
  type MirrorEventResult,
  type MirrorMark,
  type MirrorOutcome,
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
import type { SquareClient } from "./client.js";

export interface MirrorOptions {
  /** Where the mirror lives: `new MemoryMirrorStore()`, or your database behind core's `MirrorStore`. */
  readonly store: MirrorStore;
  /** Called with every step: each page of a load or reconcile pass, and each event with its outcome. */
  readonly onProgress?: (progress: MirrorProgress) => void;
  /**
   * How much earlier than its start a read counts as observed, and how far back a reconcile pass looks
   * before the last one (default 5 minutes): covers clock differences and search results that lag.
   */
  readonly safetyMarginMs?: number;
}

/** What a full load did. */
export interface LoadSummary {
  readonly listed: number;
  readonly written: number;
  readonly deleted: number;
}

/** What a reconcile pass did. */
export interface ReconcileSummary {
  readonly since: string;
  readonly read: number;
  readonly written: number;
}

/** Options of a load or reconcile pass. */
export interface MirrorRunOptions {
  /** Stops it between pages (and aborts the request in flight): it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What `sync` did. */
export type SyncResult =
  | { readonly kind: "full-load"; readonly summary: LoadSummary }
  | { readonly kind: "reconcile"; readonly summary: ReconcileSummary };

export interface CustomerMirror {
  /**
   * Brings the mirror up to date as core's `planSync` says: a full load the first time (or when `full`
   * is set, or the checkpoint is older than Square's retry window), a reconcile pass from the checkpoint
   * otherwise. Resolves to what it did.
   */
  sync(options?: MirrorRunOptions & { readonly full?: boolean }): Promise<SyncResult>;
  /**
   * Lists every customer into the mirror, then removes those the listing no longer has. A load that is
   * aborted or fails leaves the checkpoint as it was: the next `sync` loads in full again.
   */
  fullLoad(options?: MirrorRunOptions): Promise<LoadSummary>;
  /** Reads every customer updated since the checkpoint (less the safety margin); needs a checkpoint. */
  reconcile(options?: MirrorRunOptions): Promise<ReconcileSummary>;
  /**
   * Applies one verified event (from `square.webhooks.unwrap` or `createWebhookHandler`): written only if
   * it is new and newer than what the mirror holds. Throws only if the store does; then nothing is
   * remembered, so a redelivery applies it again.
   */
  apply(event: WebhookEvent): Promise<MirrorEventResult>;
}

/** A mirror of the client's merchant's customers in `options.store`. */
export function createMirror(square: SquareClient, options: MirrorOptions): CustomerMirror {
  const mirror = new Mirror(square, options);
  return {
    sync: (syncOptions) => mirror.sync(syncOptions),
    fullLoad: (runOptions) => mirror.fullLoad(runOptions),
    reconcile: (runOptions) => mirror.reconcile(runOptions),
    apply: (event) => mirror.apply(event),
  };
}

/** Runs a step in one of the store's transactions, when it has them. */
async function inTransaction<T>(store: MirrorStore, step: () => Promise<T>): Promise<T> {
  const transactions = store.transactions;
  if (transactions === undefined) return step();
  await transactions.begin();
  let result: T;
  try {
    result = await step();
  } catch (error) {
    // The step's own error says what went wrong; a failing rollback would only hide it.
    await Promise.resolve()
      .then(() => transactions.rollback())
      .catch(() => {});
    throw error;
  }
  await transactions.commit();
  return result;
}

/** Runs tasks one at a time, in the order they were given; a failed task does not stop the next. */
class OneAtATime {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => {});
    return result;
  }
}

class Mirror {
  readonly #square: SquareClient;
  readonly #store: MirrorStore;
  readonly #margin: number;
  readonly #report: (progress: MirrorProgress) => void;
  readonly #queue = new OneAtATime();

  /** Runs a step that reads the store and then writes it: alone, and in a transaction when the store has them. */
  #alone<T>(step: () => Promise<T>): Promise<T> {
    return this.#queue.run(() => inTransaction(this.#store, step));
  }

  constructor(square: SquareClient, options: MirrorOptions) {
    this.#square = square;
    this.#store = options.store;
    this.#margin = options.safetyMarginMs ?? MIRROR_SAFETY_MARGIN_MS;
    this.#report = options.onProgress ?? (() => {});
  }

  async sync(options: MirrorRunOptions & { readonly full?: boolean } = {}): Promise<SyncResult> {
    const checkpoint = await this.#store.readCheckpoint();
    const plan = planSync(checkpoint, Date.now(), options);
    if (plan.kind === "full-load") return { kind: "full-load", summary: await this.fullLoad(options) };
    return { kind: "reconcile", summary: await this.reconcile(options) };
  }

  async fullLoad({ signal }: MirrorRunOptions = {}): Promise<LoadSummary> {
    const startedAt = Date.now();
    const listed = new Set<string>();
    let total: number | undefined;
    let written = 0;
    let cursor: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.#square.customers.list(fullLoadQuery(cursor), signal ? { signal } : {});
      total ??= page.count;
      const customers = page.customers ?? [];
      written += await this.#alone(() => this.#writeReads(customers, startedAt));
      for (const customer of customers) listed.add(customer.id);
      this.#report({ kind: "load", stage: "listing", listed: listed.size, total, written, deleted: 0 });
      cursor = nextCursor(page);
    } while (cursor !== undefined);
    signal?.throwIfAborted();
    this.#report({ kind: "load", stage: "deleting", listed: listed.size, total, written, deleted: 0 });
    const deleted = await this.#alone(() => this.#finishLoad(listed, startedAt));
    this.#report({ kind: "load", stage: "done", listed: listed.size, total, written, deleted });
    return { listed: listed.size, written, deleted };
  }

  async reconcile({ signal }: MirrorRunOptions = {}): Promise<ReconcileSummary> {
    const checkpoint = await this.#store.readCheckpoint();
    if (checkpoint === undefined) throw new Error(NO_CHECKPOINT_MESSAGE);
    const startedAt = Date.now();
    const since = reconcileSince(checkpoint, this.#margin);
    let read = 0;
    let written = 0;
    const pages = this.#square.customers.search(reconcileQuery(since), signal ? { signal } : {}).pages();
    for await (const page of pages) {
      signal?.throwIfAborted();
      const customers = page.customers ?? [];
      read += customers.length;
      written += await this.#alone(() => this.#writeReads(customers, startedAt));
      this.#report({ kind: "reconcile", stage: "searching", since, read, written });
    }
    await this.#alone(async () => {
      const latest = (await this.#store.readCheckpoint()) ?? checkpoint;
      await this.#store.writeCheckpoint(checkpointAfterReconcile(latest, startedAt));
      await this.#store.forgetEventsBefore(eventsForgettableBefore(Date.now(), this.#margin));
    });
    this.#report({ kind: "reconcile", stage: "done", since, read, written });
    return { since, read, written };
  }

  async apply(event: WebhookEvent): Promise<MirrorEventResult> {
    const result = await this.#alone(async () => {
      const change = changeOfEvent(event);
      const handledBefore = await this.#store.hasEvent(event.event_id);
      const stored = handledBefore || change.kind === "ignore" ? undefined : await this.#store.get(change.id);
      const outcome: MirrorOutcome = outcomeOf(change, stored, handledBefore);
      if (outcome === "applied") await this.#write(change);
      if (outcome !== "duplicate") await this.#store.rememberEvent(event.event_id, Date.now());
      return eventResult(event, change, outcome);
    });
    // Reported once the step is committed: a callback that throws cannot undo it.
    this.#report(result);
    return result;
  }

  /** Writes the customers of one page that are newer than the mirror's; returns how many. */
  async #writeReads(customers: readonly Customer[], readAt: number): Promise<number> {
    let written = 0;
    for (const customer of customers) {
      const change = changeOfRead(customer, readAt, this.#margin);
      if (outcomeOf(change, await this.#store.get(change.id)) !== "applied") continue;
      await this.#write(change);
      written++;
    }
    return written;
  }

  /** Removes the customers the listing no longer has and saves the checkpoint; returns how many. */
  async #finishLoad(listed: ReadonlySet<string>, startedAt: number): Promise<number> {
    const live: Array<readonly [string, MirrorMark]> = [];
    for await (const entry of this.#store.live()) live.push(entry);
    const gone = deletionsAfterLoad(live, listed, startedAt, this.#margin);
    for (const [id, mark] of gone) await this.#store.delete(id, mark);
    await this.#store.writeCheckpoint(checkpointAfterLoad(startedAt));
    return gone.length;
  }

  async #write(change: MirrorChange): Promise<void> {
    if (change.kind === "upsert") await this.#store.upsert(change.customer, change.mark);
    else if (change.kind === "delete") await this.#store.delete(change.id, change.mark);
  }
}
