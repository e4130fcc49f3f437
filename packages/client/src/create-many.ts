// `customers.createMany`: pulls items in chunks and sends each chunk core has planned as one bulk-create
// call. Everything else (option checks, default keys, per-item validation, what each result is) is core's
// (`planChunk`, `resultsOfAnswer`, `resultsOfFailure`), shared with the Effect client. The client loads this
// module, and core's planning with it, the first time `customers.createMany` is called.
import type { BulkCreateCustomersResponse } from "@square-customers/core";
import { invalidRequestFailure, operation } from "@square-customers/core/client-kit";
import {
  addToProgress,
  type CreateManyResult as CoreCreateManyResult,
  type CreateManyEntry,
  type CreateManyItem,
  type CreateManyProgress,
  createManyKey,
  createManySettings,
  planChunk,
  resultsOfAnswer,
  resultsOfFailure,
} from "@square-customers/core/client-kit/create-many";
import { errorFromFailure, SquareError } from "./errors.js";
import { prepareAndSend, type Send } from "./interpreter.js";
import type { CallOptions } from "./options.js";

export type { CreateManyItem, CreateManyProgress };

/** What happened to one item (see core's `CreateManyResult`); `error` is this client's error class. */
export type CreateManyResult = CoreCreateManyResult<SquareError>;

export interface CreateManyOptions extends CallOptions {
  /** Items per bulk-create call, 1..100 (default 100, Square's maximum). */
  readonly chunkSize?: number;
  /** Bulk-create calls in flight at once, 1..64 (default 1). */
  readonly concurrency?: number;
  /**
   * The idempotency key for an item (≤ 45 characters). Default: derived from the item's content (core's
   * `createManyKey`), the same in both clients, so re-running an import creates nothing twice.
   */
  readonly idempotencyKey?: (item: CreateManyItem, index: number) => string;
  /** Called after every chunk. */
  readonly onProgress?: (progress: CreateManyProgress) => void;
}

const BULK_CREATE = operation("bulkCreateCustomers");

/** Results come back in input order, one per item; failures are results, not exceptions. */
export async function createMany(
  send: Send,
  items: Iterable<CreateManyItem> | AsyncIterable<CreateManyItem>,
  options: CreateManyOptions = {},
): Promise<CreateManyResult[]> {
  const { chunkSize, concurrency, idempotencyKey = createManyKey, onProgress, ...callOptions } = options;
  const { settings, issues } = createManySettings({ chunkSize, concurrency });
  if (issues.length > 0) {
    throw errorFromFailure(
      { operation: "createMany", method: BULK_CREATE.method, path: BULK_CREATE.path },
      invalidRequestFailure("createMany", issues),
    );
  }
  const source = new ChunkSource(items, settings.chunkSize, idempotencyKey);
  const results: CreateManyResult[] = [];
  let progress: CreateManyProgress = {
    done: 0,
    created: 0,
    rejected: 0,
    unknown: 0,
    total: Array.isArray(items) ? items.length : undefined,
  };

  async function worker(): Promise<void> {
    try {
      for (let chunk = await source.next(); chunk.length > 0; chunk = await source.next()) {
        const chunkResults = await runChunk(send, chunk, callOptions);
        for (const result of chunkResults) results[result.index] = result;
        progress = addToProgress(progress, chunkResults);
        onProgress?.(progress);
      }
    } catch (error) {
      source.stop(); // the other workers finish their chunk in hand and pull no more
      throw error;
    }
  }

  // Settle every worker before rejecting, so that nothing of this run is still sending afterwards.
  const settled = await Promise.allSettled(Array.from({ length: settings.concurrency }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await source.close();
    throw failed.reason;
  }
  return results;
}

/** One chunk: held-back items as core planned them, the rest from the bulk call's answer or failure. */
async function runChunk(
  send: Send,
  chunk: readonly CreateManyEntry[],
  callOptions: CallOptions,
): Promise<CreateManyResult[]> {
  const plan = planChunk(chunk);
  if (plan.body === undefined) return [...plan.heldBack];
  try {
    const { data } = await prepareAndSend(send, "bulkCreateCustomers", [], plan.body, callOptions);
    return [...plan.heldBack, ...resultsOfAnswer(plan.sent, data as BulkCreateCustomersResponse)];
  } catch (error) {
    if (!(error instanceof SquareError)) throw error; // aborts and caller bugs end the run
    // Every error carries core's verdict (kind, errors, and a connection's reason): core reads it.
    return [...plan.heldBack, ...resultsOfFailure<SquareError>(plan.sent, error)];
  }
}

/**
 * The items as consecutive chunks of entries, for any number of workers: pulls are chained, so each
 * chunk gets consecutive items and indexes, and the iterator is never asked twice at once.
 */
class ChunkSource {
  readonly #iterator: Iterator<CreateManyItem> | AsyncIterator<CreateManyItem>;
  readonly #chunkSize: number;
  readonly #keyOf: (item: CreateManyItem, index: number) => string;
  #next = 0;
  #finished = false;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    items: Iterable<CreateManyItem> | AsyncIterable<CreateManyItem>,
    chunkSize: number,
    keyOf: (item: CreateManyItem, index: number) => string,
  ) {
    this.#iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
    this.#chunkSize = chunkSize;
    this.#keyOf = keyOf;
  }

  /** The next chunk; empty once the items are exhausted (or after a failure). */
  next(): Promise<CreateManyEntry[]> {
    const pulled = this.#lock.then(() => this.#pull());
    this.#lock = pulled.catch(() => undefined);
    return pulled;
  }

  async #pull(): Promise<CreateManyEntry[]> {
    const chunk: CreateManyEntry[] = [];
    try {
      while (!this.#finished && chunk.length < this.#chunkSize) {
        const step = await this.#iterator.next();
        if (step.done) {
          this.#finished = true;
          break;
        }
        const index = this.#next++;
        chunk.push({ index, idempotencyKey: this.#keyOf(step.value, index), item: step.value });
      }
    } catch (error) {
      this.stop();
      throw error;
    }
    return chunk;
  }

  /** Pulls no more items. */
  stop(): void {
    this.#finished = true;
  }

  /** Lets the iterator clean up after the run failed. */
  async close(): Promise<void> {
    this.stop();
    await this.#iterator.return?.();
  }
}
