// `createMany`, planned here for both clients: each item's idempotency key and per-item pre-flight
// validation, chunk by chunk. The clients only pull items, send the bodies planned here and hand back
// what happened (results.ts says what each item's result is).
import { contentIdempotencyKey } from "../call/content-key.js";
import { splitEntryIssues } from "../validation/bulk-entries.js";
import type { ValidationIssue } from "../validation/issue.js";
import { validateRequest } from "../validation/validate.js";
import {
  type CreateManyEntry,
  type CreateManyItem,
  type CreateManyResult,
  rejectedUnsent,
} from "./results.js";

/**
 * The default idempotency key of an item: derived from its content, so the same row gets the same key in
 * every run and in either client, and importing it again (or from the other client) creates nothing new.
 */
export function createManyKey(item: CreateManyItem): string {
  return contentIdempotencyKey(item);
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

function reusedKeyIssue(firstIndex: number): ValidationIssue {
  return {
    field: "",
    code: "IDEMPOTENCY_KEY_REUSED",
    message: `item ${firstIndex} has the same idempotency key with different content; not sent`,
  };
}
