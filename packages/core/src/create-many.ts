// `customers.createMany`, planned here for both clients: option checks, each item's idempotency key,
// per-item pre-flight validation, and what every item's result is after its bulk call answered or failed.
// The clients only pull items, send the bodies this module builds and hand back what happened.
import type { FailureKind } from "./attempt.js";
import { splitEntryIssues } from "./bulk-entries.js";
import { issueToErrorDetail } from "./errors.js";
import type {
  BulkCreateCustomerData,
  BulkCreateCustomersResponse,
  Customer,
  SquareErrorDetail,
} from "./generated/models.js";
import { contentIdempotencyKey } from "./idempotency.js";
import { type ValidationIssue, validateRequest } from "./validation.js";

/** One customer to create: the value type of bulk-create's `customers` map. */
export type CreateManyItem = BulkCreateCustomerData;

/** Square takes at most this many customers per bulk-create call. */
export const CREATE_MANY_MAX_CHUNK = 100;

export interface CreateManySettings {
  /** Items per bulk-create call, 1..100 (default 100). */
  readonly chunkSize: number;
  /** Bulk-create calls in flight at once (default 1). */
  readonly concurrency: number;
}

export const CREATE_MANY_DEFAULTS: CreateManySettings = { chunkSize: CREATE_MANY_MAX_CHUNK, concurrency: 1 };

/** The most bulk calls in flight that `concurrency` may ask for. */
export const CREATE_MANY_MAX_CONCURRENCY = 64;

/**
 * `createMany`'s settings with defaults filled in, and an issue for each option out of range (the clients
 * report them as their request-validation error, so a bad option fails the same way in both).
 */
export function createManySettings(options: {
  readonly chunkSize?: unknown;
  readonly concurrency?: unknown;
}): {
  settings: CreateManySettings;
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  const chunkSize = integerSetting(
    "chunkSize",
    options.chunkSize,
    CREATE_MANY_DEFAULTS.chunkSize,
    1,
    CREATE_MANY_MAX_CHUNK,
    issues,
  );
  const concurrency = integerSetting(
    "concurrency",
    options.concurrency,
    CREATE_MANY_DEFAULTS.concurrency,
    1,
    CREATE_MANY_MAX_CONCURRENCY,
    issues,
  );
  return { settings: { chunkSize, concurrency }, issues };
}

function integerSetting(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  issues: ValidationIssue[],
): number {
  if (value === undefined) return fallback;
  const message = `${field} must be an integer from ${min} to ${max}, got ${String(value)}`;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    issues.push({ field, code: "EXPECTED_INTEGER", message });
  } else if (value < min) {
    issues.push({ field, code: "VALUE_TOO_LOW", message });
  } else if (value > max) {
    issues.push({ field, code: "VALUE_TOO_HIGH", message });
  } else {
    return value;
  }
  return fallback;
}

/**
 * The default idempotency key of an item: derived from its content, so the same row gets the same key in
 * every run and in either client, and importing it again (or from the other client) creates nothing new.
 */
export function createManyKey(item: CreateManyItem): string {
  return contentIdempotencyKey(item);
}

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

/** One chunk, checked: the body to send (if any item is left) and the results of the items held back. */
export interface PlannedChunk {
  /** The bulk-create body, or undefined when no item of the chunk may be sent. */
  readonly body: { readonly customers: Record<string, CreateManyItem> } | undefined;
  /** The entries in `body` (one per key; items sharing a key ride along, see `createdOrRejected`). */
  readonly sent: readonly CreateManyEntry[];
  /** Items not sent, with why. */
  readonly heldBack: ReadonlyArray<CreateManyResult<never>>;
}

/**
 * Checks each entry of a chunk on its own (one bad row does not sink the other 99) and builds the body.
 * Items that share a key are one customer: the key is sent once and each of them gets its result, unless
 * their contents differ, which only a caller's own key function can cause: the later one is rejected.
 */
export function planChunk(entries: readonly CreateManyEntry[]): PlannedChunk {
  const firstWithKey = new Map<string, CreateManyEntry>();
  const heldBack: Array<CreateManyResult<never>> = [];
  for (const entry of entries) {
    const first = firstWithKey.get(entry.idempotencyKey);
    if (first === undefined) firstWithKey.set(entry.idempotencyKey, entry);
    else if (contentIdempotencyKey(first.item) !== contentIdempotencyKey(entry.item)) {
      heldBack.push(rejectedUnsent(entry, [reusedKeyIssue(first.index)]));
    }
  }
  const customers: Record<string, CreateManyItem> = {};
  for (const [key, entry] of firstWithKey) customers[key] = entry.item;
  const { whole, perEntry } = splitEntryIssues(
    "bulkCreateCustomers",
    { customers },
    validateRequest("bulkCreateCustomers", [], { customers }),
  );
  const sendable = new Map<string, CreateManyItem>();
  for (const [key, item] of Object.entries(customers)) {
    if (whole.length === 0 && !perEntry.has(key)) sendable.set(key, item);
  }
  const sent: CreateManyEntry[] = [];
  const reused = new Set(heldBack.map((r) => r.index));
  for (const entry of entries) {
    if (reused.has(entry.index)) continue;
    if (sendable.has(entry.idempotencyKey)) sent.push(entry);
    else heldBack.push(rejectedUnsent(entry, [...whole, ...(perEntry.get(entry.idempotencyKey) ?? [])]));
  }
  return {
    body: sendable.size === 0 ? undefined : { customers: Object.fromEntries(sendable) },
    sent,
    heldBack,
  };
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
export function failureOutcome(failure: {
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

function rejectedUnsent(entry: CreateManyEntry, issues: readonly ValidationIssue[]): CreateManyResult<never> {
  return {
    index: entry.index,
    idempotencyKey: entry.idempotencyKey,
    item: entry.item,
    outcome: "rejected",
    errors: issues.map(issueToErrorDetail),
    sent: false,
  };
}

function reusedKeyIssue(firstIndex: number): ValidationIssue {
  return {
    field: "",
    code: "IDEMPOTENCY_KEY_REUSED",
    message: `item ${firstIndex} has the same idempotency key with different content; not sent`,
  };
}

/**
 * Puts results that arrive out of order (chunks finish in any order when several are in flight) back in
 * input order: `add` takes any results and returns those that are now next in line, in order.
 */
export class InputOrder<R extends { readonly index: number }> {
  #next = 0;
  readonly #waiting = new Map<number, R>();

  add(results: Iterable<R>): R[] {
    for (const result of results) this.#waiting.set(result.index, result);
    const ready: R[] = [];
    for (let r = this.#waiting.get(this.#next); r !== undefined; r = this.#waiting.get(this.#next)) {
      this.#waiting.delete(this.#next);
      ready.push(r);
      this.#next++;
    }
    return ready;
  }

  /** Results still waiting for an earlier one. */
  get pending(): number {
    return this.#waiting.size;
  }
}
