// What every item of `createMany` ends as, for both clients: created, rejected (sent or not) or unknown,
// after its chunk's bulk call answered or failed; and the counts a progress report gives.
import type { FailureKind } from "../call/attempt.js";
import { issueToErrorDetail } from "../call/errors.js";
import type {
  BulkCreateCustomerData,
  BulkCreateCustomersResponse,
  Customer,
  SquareErrorDetail,
} from "../generated/models.js";
import type { ValidationIssue } from "../validation/issue.js";

/** One customer to create: the value type of bulk-create's `customers` map. */
export type CreateManyItem = BulkCreateCustomerData;

/** An item with its place in the input and its key. */
export interface CreateManyEntry {
  readonly index: number;
  readonly idempotencyKey: string;
  readonly item: CreateManyItem;
}

interface ResultBase {
  /** Position of the item in the input. */
  readonly index: number;
  readonly idempotencyKey: string;
  readonly item: CreateManyItem;
}

/**
 * What happened to one item. `E` is the client's error type.
 * - `created`: Square answered with the customer (newly created, or created before under the same key).
 * - `rejected`: not created. `sent: false` when it never reached Square (pre-flight issues, a refused
 *   connection); otherwise Square refused this item or the whole call (`error` then holds the call's error).
 * - `unknown`: the bulk call may have been applied, but its answer was lost (connection, timeout, server
 *   trouble, a broken body) even after retries. Running the same import again confirms it safely: the
 *   keys are the same, so an applied item is answered with its customer, not created again.
 */
export type CreateManyResult<E> =
  | (ResultBase & { readonly outcome: "created"; readonly customer: Customer })
  | (ResultBase & {
      readonly outcome: "rejected";
      readonly errors: readonly SquareErrorDetail[];
      readonly sent: boolean;
      readonly error?: E;
    })
  | (ResultBase & {
      readonly outcome: "unknown";
      /** Square's errors, when what was lost is an error answer (a 5xx), else `[]`. */
      readonly errors: readonly SquareErrorDetail[];
      readonly error?: E;
    });

/** Counts of results so far, for progress reports. */
export interface CreateManyProgress {
  /** Items with a result. */
  readonly done: number;
  readonly created: number;
  readonly rejected: number;
  readonly unknown: number;
  /** Total number of items, when known up front (an array). */
  readonly total: number | undefined;
}

/** The progress after `results` more. */
export function addToProgress(
  progress: CreateManyProgress,
  results: ReadonlyArray<{ readonly outcome: CreateManyResult<unknown>["outcome"] }>,
): CreateManyProgress {
  let { done, created, rejected, unknown } = progress;
  for (const { outcome } of results) {
    done++;
    if (outcome === "created") created++;
    else if (outcome === "rejected") rejected++;
    else unknown++;
  }
  return { done, created, rejected, unknown, total: progress.total };
}

/** The results of a chunk's items after its bulk call answered. */
export function resultsOfAnswer(
  sent: readonly CreateManyEntry[],
  response: BulkCreateCustomersResponse,
): Array<CreateManyResult<never>> {
  return sent.map((entry): CreateManyResult<never> => {
    const answer = response.responses?.[entry.idempotencyKey];
    const base = { index: entry.index, idempotencyKey: entry.idempotencyKey, item: entry.item };
    if (answer?.customer && !answer.errors?.length)
      return { ...base, outcome: "created", customer: answer.customer };
    if (answer?.errors?.length) return { ...base, outcome: "rejected", errors: answer.errors, sent: true };
    // Square answered the call but said nothing of this item: whether it exists is not known.
    return { ...base, outcome: "unknown", errors: [NO_ANSWER_FOR_ITEM] };
  });
}

/**
 * What `resultsOfFailure` reads of a failed bulk call: core's verdict, which every error of both clients
 * carries (`kind`, Square's `errors`, and for a connection failure its `reason`), so a client passes its
 * error as it is.
 */
export interface FailedCall {
  readonly kind: FailureKind;
  readonly errors: readonly SquareErrorDetail[];
  readonly reason?: string | undefined;
}

/**
 * The results of a chunk's items after its bulk call failed (after retries) with `error`. A failure that
 * leaves open whether the call was applied makes every item `unknown`; a refusal by Square, or a
 * connection that was never made, makes them `rejected`.
 */
export function resultsOfFailure<E extends FailedCall>(
  sent: readonly CreateManyEntry[],
  error: E,
): Array<CreateManyResult<E>> {
  const outcome = failureOutcome({ kind: error.kind, transport: error.reason });
  return sent.map((entry): CreateManyResult<E> => {
    const base = { index: entry.index, idempotencyKey: entry.idempotencyKey, item: entry.item };
    if (outcome === "unknown") return { ...base, outcome, errors: error.errors, error };
    return { ...base, outcome, errors: error.errors, sent: error.reason !== "refused", error };
  });
}

/** Whether a failed bulk call may have been applied (`unknown`) or surely was not (`rejected`). */
function failureOutcome(failure: {
  readonly kind: FailureKind;
  readonly transport?: string | undefined;
}): "unknown" | "rejected" {
  switch (failure.kind) {
    case "connection":
      return failure.transport === "refused" ? "rejected" : "unknown";
    case "timeout":
    case "server":
    case "format":
      return "unknown";
    default:
      return "rejected";
  }
}

const NO_ANSWER_FOR_ITEM: SquareErrorDetail = {
  category: "API_ERROR",
  code: "INTERNAL_SERVER_ERROR",
  detail: "the bulk-create answer has no result for this item",
};

export function rejectedUnsent(
  entry: CreateManyEntry,
  issues: readonly ValidationIssue[],
): CreateManyResult<never> {
  return {
    index: entry.index,
    idempotencyKey: entry.idempotencyKey,
    item: entry.item,
    outcome: "rejected",
    errors: issues.map(issueToErrorDetail),
    sent: false,
  };
}
