// `customers.createMany`: any number of customers through bulk-create, in chunks, with each item's
// idempotency key fixed before its first attempt so that no retry can create a duplicate.
import {
  type Customer,
  type InputOf,
  newIdempotencyKey,
  type SquareErrorDetail,
  validateRequest,
} from "@square-customers/core";
import { SquareApiError, SquareError } from "./errors.js";
import type { CallOptions, Send } from "./transport.js";

/** One customer to create: the value type of bulk-create's `customers` map. */
export type CreateManyItem = InputOf<"bulkCreateCustomers">["customers"][string];

export type CreateManyResult =
  | { readonly ok: true; readonly index: number; readonly key: string; readonly customer: Customer }
  | {
      readonly ok: false;
      readonly index: number;
      readonly key: string;
      /** Square's errors for this item (empty when the failure was not Square's answer). */
      readonly errors: readonly SquareErrorDetail[];
      /** The error that failed this item's whole chunk, if that is what happened. */
      readonly error?: SquareError;
    };

export interface CreateManyProgress {
  /** Items with a result so far. */
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Total number of items, when the input is an array. */
  readonly total: number | undefined;
}

export interface CreateManyOptions extends CallOptions {
  /** Items per bulk-create call, 1..100 (default 100, Square's maximum). */
  readonly chunkSize?: number;
  /** Bulk-create calls in flight at once (default 1). */
  readonly concurrency?: number;
  /**
   * The idempotency key for an item (≤ 45 characters; a key repeated within the run fails the later
   * item). Default: a random UUID per item. Give keys derived from your data (a row id, or core's
   * `contentIdempotencyKey`) to make re-running an import safe too.
   */
  readonly idempotencyKey?: (item: CreateManyItem, index: number) => string;
  /** Called after every chunk. */
  readonly onProgress?: (progress: CreateManyProgress) => void;
}

interface Entry {
  readonly index: number;
  readonly key: string;
  readonly item: CreateManyItem;
}

const MAX_CHUNK = 100;

/** Results come back in input order, one per item; failures are results, not exceptions. */
export async function createMany(
  send: Send,
  items: Iterable<CreateManyItem> | AsyncIterable<CreateManyItem>,
  options: CreateManyOptions = {},
): Promise<CreateManyResult[]> {
  const { chunkSize = MAX_CHUNK, concurrency = 1, idempotencyKey, onProgress, ...callOptions } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK) {
    throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_CHUNK}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError("concurrency must be a positive integer");

  const total = Array.isArray(items) ? items.length : undefined;
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const results: CreateManyResult[] = [];
  /** Keys already given to an item of this run: a key names one customer, so a second use fails. */
  const keys = new Set<string>();
  const counts = { done: 0, succeeded: 0, failed: 0 };
  let next = 0;
  let finished = false;

  const record = (result: CreateManyResult) => {
    results[result.index] = result;
    counts.done++;
    if (result.ok) counts.succeeded++;
    else counts.failed++;
  };

  // Workers share one iterator; pulls are chained so each chunk gets consecutive items.
  let pullLock: Promise<unknown> = Promise.resolve();
  const pullChunk = (): Promise<Entry[]> => {
    const pulled = pullLock.then(async () => {
      const chunk: Entry[] = [];
      while (!finished && chunk.length < chunkSize) {
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          break;
        }
        const index = next++;
        const key = idempotencyKey ? idempotencyKey(step.value, index) : newIdempotencyKey();
        chunk.push({ index, key, item: step.value });
      }
      return chunk;
    });
    pullLock = pulled.catch(() => undefined);
    return pulled;
  };

  const runChunk = async (chunk: Entry[]) => {
    // Check each item on its own first, so one bad row does not sink the other 99.
    const valid: Entry[] = [];
    for (const entry of chunk) {
      const issues = validateRequest("bulkCreateCustomers", [], { customers: { [entry.key]: entry.item } });
      // Two items with one key would be one customer (within a bulk call they would even collide as
      // map keys), so the later one fails.
      if (keys.has(entry.key)) {
        issues.push({
          field: `customers.${entry.key}`,
          code: "INVALID_VALUE",
          message: "duplicate idempotency key",
        });
      }
      if (issues.length === 0) {
        valid.push(entry);
        keys.add(entry.key);
      } else {
        // Fields relative to the entry, as Square reports per-entry errors of a bulk call.
        const prefix = `customers.${entry.key}.`;
        const errors = issues.map((i) => ({
          category: "INVALID_REQUEST_ERROR" as const,
          code: i.code,
          field: i.field.startsWith(prefix) ? i.field.slice(prefix.length) : i.field,
          detail: i.message,
        }));
        record({ ok: false, index: entry.index, key: entry.key, errors });
      }
    }
    if (valid.length === 0) return;
    try {
      const customers = Object.fromEntries(valid.map((e) => [e.key, e.item]));
      const { data } = await send("bulkCreateCustomers", [], { customers }, callOptions);
      for (const { index, key } of valid) {
        const answer = data.responses?.[key];
        if (answer?.customer) record({ ok: true, index, key, customer: answer.customer });
        else record({ ok: false, index, key, errors: answer?.errors ?? [] });
      }
    } catch (error) {
      if (!(error instanceof SquareError)) throw error; // aborts and caller bugs end the run
      const errors = error instanceof SquareApiError ? error.errors : [];
      for (const { index, key } of valid) record({ ok: false, index, key, errors, error });
    }
  };

  const worker = async () => {
    try {
      for (;;) {
        const chunk = await pullChunk();
        if (chunk.length === 0) return;
        await runChunk(chunk);
        onProgress?.({ ...counts, total });
      }
    } catch (error) {
      finished = true; // the other workers finish their chunk in hand and pull no more
      throw error;
    }
  };

  // Settle every worker before rejecting, so that nothing of this run is still sending afterwards.
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await iterator.return?.();
    throw failed.reason;
  }
  return results;
}
