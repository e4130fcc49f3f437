// @square-customers/client/mirror: the customer mirror with the promise client. Core decides everything
// (what an event or a read means, which state wins, the order of the steps: `fullLoadProgram`,
// `reconcileProgram`, `syncProgram`, `applyEventStep`); this file carries out their instructions: it lists
// and searches with the merchant's client, runs each step in one store transaction, and reports progress
// through a callback.
import {
  applyEventStep,
  fullLoadProgram,
  type LoadSummary,
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorEventResult,
  type MirrorProgram,
  type MirrorProgress,
  type MirrorStore,
  type ReconcileSummary,
  reconcileProgram,
  runStep,
  type SyncResult,
  syncProgram,
  type WebhookEvent,
} from "@square-customers/core";
import type { SquareClient } from "./client.js";

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

export interface MirrorOptions {
  /**
   * Where the mirror lives: `new MemoryMirrorStore()`, a SQL store (`@square-customers/mirror-sqlite`,
   * `@square-customers/mirror-postgres`), or your own behind core's `MirrorStore`.
   */
  readonly store: MirrorStore;
  /**
   * The client a merchant's full load and reconcile passes use: one client (one merchant, or a token that
   * reads every merchant you mirror), or a function giving each merchant's own (with its own token).
   * Events need none: they carry the customer.
   */
  readonly client: SquareClient | ((merchantId: string) => SquareClient | Promise<SquareClient>);
  /** Called with every step once it is committed: each page of a load or pass, each event and its outcome. */
  readonly onProgress?: (progress: MirrorProgress) => void;
  /**
   * How much earlier than its start a read counts as observed, and how far back a reconcile pass looks
   * before the last one (default 5 minutes): covers clock differences and search results that lag.
   */
  readonly safetyMarginMs?: number;
}

/** Options of a load, reconcile pass or sync. */
export interface MirrorRunOptions {
  /** Stops it between steps (and aborts the request in flight): it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface CustomerMirror {
  /**
   * Brings a merchant's mirror up to date as core's `planSync` says: a full load the first time (or when
   * `full` is set, or the checkpoint is older than Square's retry window), a reconcile pass otherwise.
   */
  sync(merchantId: string, options?: MirrorRunOptions & { readonly full?: boolean }): Promise<SyncResult>;
  /**
   * Lists every customer of the merchant into the mirror, then removes those the listing no longer has.
   * A load that is aborted or fails leaves the checkpoint as it was: the next `sync` loads in full again.
   */
  fullLoad(merchantId: string, options?: MirrorRunOptions): Promise<LoadSummary>;
  /** Reads every customer updated since the checkpoint (less the safety margin); needs a checkpoint. */
  reconcile(merchantId: string, options?: MirrorRunOptions): Promise<ReconcileSummary>;
  /**
   * Applies one verified event to its merchant's mirror (`merchant_id`), in one transaction: written only
   * if it is new and newer than what the mirror holds. Throws only if the store does; then nothing is
   * remembered, so a redelivery applies it again.
   */
  apply(event: WebhookEvent): Promise<MirrorEventResult>;
}

/** A mirror of the customers of every merchant whose events or loads reach it, in `options.store`. */
export function createMirror(options: MirrorOptions): CustomerMirror {
  const margin = options.safetyMarginMs ?? MIRROR_SAFETY_MARGIN_MS;
  const report = options.onProgress ?? (() => {});
  const clientOf = (merchantId: string) =>
    typeof options.client === "function" ? options.client(merchantId) : options.client;
  const run = async <T>(merchantId: string, program: MirrorProgram<T>, signal?: AbortSignal) =>
    runProgram(program, await clientOf(merchantId), options.store, report, signal);
  const started = (merchantId: string) => ({ merchantId, startedAt: Date.now(), marginMs: margin });
  return {
    sync: (merchantId, { signal, full } = {}) =>
      run(merchantId, syncProgram({ ...started(merchantId), full }), signal),
    fullLoad: (merchantId, { signal } = {}) => run(merchantId, fullLoadProgram(started(merchantId)), signal),
    reconcile: (merchantId, { signal } = {}) =>
      run(merchantId, reconcileProgram(started(merchantId)), signal),
    async apply(event) {
      const result = await options.store.transaction((tx) => runStep(applyEventStep(event, Date.now()), tx));
      // Reported once the step is committed: a callback that throws cannot undo it.
      report(result);
      return result;
    },
  };
}

/** Carries out a program's instructions, one after another, until it returns. */
async function runProgram<T>(
  program: MirrorProgram<T>,
  square: SquareClient,
  store: MirrorStore,
  report: (progress: MirrorProgress) => void,
  signal: AbortSignal | undefined,
): Promise<T> {
  const callOptions = signal ? { signal } : {};
  let next = program.next();
  while (!next.done) {
    signal?.throwIfAborted();
    const instruction = next.value;
    let result: unknown;
    switch (instruction.kind) {
      case "list":
        result = await square.customers.list(instruction.query, callOptions);
        break;
      case "search":
        result = await square.customers.search(instruction.body, callOptions);
        break;
      case "transaction": {
        const { step } = instruction;
        result = await store.transaction((tx) => runStep(step, tx));
        break;
      }
      case "report":
        report(instruction.progress);
        break;
    }
    next = program.next(result);
  }
  return next.value;
}
