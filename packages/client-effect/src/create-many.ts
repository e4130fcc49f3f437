// `customers.createMany`: any number of customers through bulk-create calls, as a stream of one result
// per input item. Each item's idempotency key comes from its content (core's `contentIdempotencyKey`),
// so a retried call, or re-running the same import, never creates the same customer twice.
import {
  type BulkCreateCustomerData,
  type BulkCreateCustomersResponse,
  type Customer,
  contentIdempotencyKey,
  type SquareErrorDetail,
  validateRequest,
} from "@square-customers/core";
import { Effect, Stream } from "effect";
import { issueDetail, requestInvalid, type SquareClientError } from "./errors.js";
import type { CallOptions } from "./methods.js";

export interface CreateManyOptions {
  /** Customers per bulk call, 1 to 100 (default 100, Square's maximum). */
  readonly chunkSize?: number;
  /** Bulk calls in flight at once (default 1). Results keep input order either way. */
  readonly concurrency?: number;
  /**
   * Each item's idempotency key (default: derived from its content, so identical records share one key
   * and create one customer).
   */
  readonly idempotencyKey?: (item: BulkCreateCustomerData, index: number) => string;
  /** Options for each bulk call (timeout, retry schedule, headers). */
  readonly callOptions?: CallOptions;
}

interface ResultBase {
  /** Position of the item in the input. */
  readonly index: number;
  readonly idempotencyKey: string;
  readonly item: BulkCreateCustomerData;
}

/** What happened to one input item. */
export type CreateManyResult =
  | (ResultBase & { readonly _tag: "Created"; readonly customer: Customer })
  | (ResultBase & {
      readonly _tag: "Failed";
      /** Square's errors for this item, or the pre-flight issues (then `sent` is false). */
      readonly errors: ReadonlyArray<SquareErrorDetail>;
      readonly sent: boolean;
    });

/**
 * The stream fails only when a whole bulk call fails (after retries), e.g. a bad token; problems with
 * single items are `Failed` results and the rest go on.
 */
export type CreateMany = <E = never, R = never>(
  items: Iterable<BulkCreateCustomerData> | Stream.Stream<BulkCreateCustomerData, E, R>,
  options?: CreateManyOptions,
) => Stream.Stream<CreateManyResult, SquareClientError | E, R>;

type BulkCreate = (
  body: { customers: Record<string, BulkCreateCustomerData> },
  options: CallOptions | undefined,
) => Effect.Effect<BulkCreateCustomersResponse, SquareClientError>;

const MAX_CHUNK = 100;

export const createMany =
  (bulkCreate: BulkCreate): CreateMany =>
  (items, options = {}) => {
    const chunkSize = Math.min(MAX_CHUNK, Math.max(1, Math.floor(options.chunkSize ?? MAX_CHUNK)));
    const keyOf = options.idempotencyKey ?? ((item: BulkCreateCustomerData) => contentIdempotencyKey(item));
    const source = Stream.isStream(items) ? items : Stream.fromIterable(items);

    const createChunk = Effect.fnUntraced(function* (
      chunk: ReadonlyArray<readonly [BulkCreateCustomerData, number]>,
    ) {
      const entries = chunk.map(([item, index]) => ({ item, index, idempotencyKey: keyOf(item, index) }));
      const customers = Object.fromEntries(entries.map((e) => [e.idempotencyKey, e.item]));

      // Pre-flight per item: an item core rejects is reported as Failed and left out of the call.
      const problems = new Map<string, SquareErrorDetail[]>();
      // Longest key first: a caller's keys may themselves contain dots.
      const keys = Object.keys(customers).sort((a, b) => b.length - a.length);
      for (const issue of validateRequest("bulkCreateCustomers", [], { customers })) {
        const key = keys.find(
          (k) => issue.field === `customers.${k}` || issue.field.startsWith(`customers.${k}.`),
        );
        if (key === undefined) return yield* requestInvalid("bulkCreateCustomers", [issue]);
        problems.set(key, [...(problems.get(key) ?? []), issueDetail(issue)]);
      }
      const toSend = Object.fromEntries(Object.entries(customers).filter(([key]) => !problems.has(key)));
      const response: BulkCreateCustomersResponse =
        Object.keys(toSend).length === 0
          ? { responses: {} }
          : yield* bulkCreate({ customers: toSend }, options.callOptions);

      return entries.map((entry): CreateManyResult => {
        const local = problems.get(entry.idempotencyKey);
        if (local) return { ...entry, _tag: "Failed", errors: local, sent: false };
        const result = response.responses?.[entry.idempotencyKey];
        if (result?.customer && !result.errors?.length)
          return { ...entry, _tag: "Created", customer: result.customer };
        const errors = result?.errors ?? [
          {
            category: "API_ERROR",
            code: "INTERNAL_SERVER_ERROR",
            detail: "no result for this item in the response",
          },
        ];
        return { ...entry, _tag: "Failed", errors, sent: true };
      });
    });

    return source.pipe(
      Stream.zipWithIndex,
      Stream.grouped(chunkSize),
      Stream.mapEffect(createChunk, { concurrency: options.concurrency ?? 1 }),
      Stream.flattenIterable,
    );
  };
