// `customers.createMany`: any number of customers through bulk-create calls, as a stream of one result per
// input item, in input order. Planning is core's (`planChunk`, `resultsOfAnswer`, `resultsOfFailure`), the
// same as the promise client's: each item's key comes from its content unless the caller gives one, so a
// retried call, or re-running the same import in either client, never creates a customer twice.
import type { BulkCreateCustomersResponse } from "@square-customers/core";
import {
  type CreateManyResult as CoreCreateManyResult,
  type CreateManyEntry,
  type CreateManyItem,
  createManyKey,
  createManySettings,
  InputOrder,
  planChunk,
  resultsOfAnswer,
  resultsOfFailure,
} from "@square-customers/core/client-kit/create-many";
import * as Arr from "effect/Array";
import * as Effect from "effect/Effect";
import * as Stream from "effect/Stream";
import { requestInvalid, type SquareClientError } from "./errors.js";
import type { CallOptions } from "./methods.js";

export type { CreateManyItem };

/** What happened to one item (see core's `CreateManyResult`); `error` is this client's error. */
export type CreateManyResult = CoreCreateManyResult<SquareClientError>;

export interface CreateManyOptions {
  /** Customers per bulk call, 1 to 100 (default 100, Square's maximum). */
  readonly chunkSize?: number;
  /**
   * Bulk calls in flight at once, 1 to 64 (default 1). A slow call does not hold the others up: results
   * wait in a buffer until the ones before them have come, so they still arrive in input order.
   */
  readonly concurrency?: number;
  /**
   * Each item's idempotency key (default: derived from its content, the same in both clients, so
   * identical records share one key and create one customer).
   */
  readonly idempotencyKey?: (item: CreateManyItem, index: number) => string;
  /** Options for each bulk call (timeout, retry schedule, headers). */
  readonly callOptions?: CallOptions;
}

/**
 * One result per input item, in input order. Failures of items or of whole bulk calls are results; the
 * stream fails only when the options are out of range (nothing is sent) or the input stream fails.
 */
export type CreateMany = <E = never, R = never>(
  items: Iterable<CreateManyItem> | Stream.Stream<CreateManyItem, E, R>,
  options?: CreateManyOptions,
) => Stream.Stream<CreateManyResult, SquareClientError | E, R>;

type BulkCreate = (
  body: { readonly customers: Record<string, CreateManyItem> },
  options: CallOptions | undefined,
) => Effect.Effect<unknown, SquareClientError>;

export const createMany =
  (bulkCreate: BulkCreate): CreateMany =>
  (items, options = {}) => {
    const { settings, issues } = createManySettings(options);
    if (issues.length > 0) return Stream.fail(requestInvalid("createMany", issues));
    const keyOf = options.idempotencyKey ?? createManyKey;
    const source = Stream.isStream(items) ? items : Stream.fromIterable(items);
    // Per run of the stream: results of chunks that finished early wait here for the ones before them.
    return Stream.suspend(() => {
      const order = new InputOrder<CreateManyResult>();
      return source.pipe(
        Stream.zipWithIndex,
        Stream.grouped(settings.chunkSize),
        Stream.map((chunk) => chunk.map(([item, index]) => toEntry(item, index, keyOf))),
        Stream.mapEffect((chunk) => runChunk(bulkCreate, chunk, options.callOptions), {
          concurrency: settings.concurrency,
          unordered: true,
        }),
        // Each finished chunk releases the results now next in line: none while an earlier chunk is still
        // out, or several chunks' worth once it is back.
        Stream.map((results) => order.add(results)),
        Stream.filter(Arr.isArrayNonEmpty),
        Stream.flattenArray,
      );
    });
  };

function toEntry(
  item: CreateManyItem,
  index: number,
  keyOf: (item: CreateManyItem, index: number) => string,
): CreateManyEntry {
  return { index, idempotencyKey: keyOf(item, index), item };
}

/** One chunk: held-back items as core planned them, the rest from the bulk call's answer or failure. */
function runChunk(
  bulkCreate: BulkCreate,
  chunk: readonly CreateManyEntry[],
  callOptions: CallOptions | undefined,
): Effect.Effect<CreateManyResult[]> {
  const plan = planChunk(chunk);
  if (plan.body === undefined) return Effect.succeed([...plan.heldBack]);
  return bulkCreate(plan.body, callOptions).pipe(
    Effect.map((response) => [
      ...plan.heldBack,
      ...resultsOfAnswer(plan.sent, response as BulkCreateCustomersResponse),
    ]),
    // Every error carries core's verdict (kind, errors, and a connection's reason): core reads it.
    Effect.catch((error: SquareClientError) =>
      Effect.succeed([...plan.heldBack, ...resultsOfFailure(plan.sent, error)]),
    ),
  );
}
