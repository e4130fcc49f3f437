// A call's idempotency key: the operation takes one, the caller gave none, so a fresh one is chosen once
// for the prepared call, and every attempt sends it (so a retried create cannot create twice).
import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";

/** A fresh random idempotency key (36 characters, within every limit Square sets). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** Whether the body already carries the operation's idempotency key. */
export function hasIdempotencyKey(name: OperationName, body: unknown): boolean {
  const field = operation(name).idempotencyKey;
  if (!field || body === null || typeof body !== "object") return false;
  const key = (body as Record<string, unknown>)[field];
  return typeof key === "string" && key !== "";
}

/**
 * The body with an idempotency key filled in when the operation takes one and the caller gave none, so
 * that a create can be retried without risk of a duplicate. Send the returned body on every attempt.
 */
export function withIdempotencyKey<T>(name: OperationName, body: T): T {
  const field = operation(name).idempotencyKey;
  if (!field || hasIdempotencyKey(name, body)) return body;
  return { ...(body ?? {}), [field]: newIdempotencyKey() } as T;
}
