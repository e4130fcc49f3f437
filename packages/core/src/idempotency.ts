import { operations } from "./generated/operations.js";
import type { OperationDefinition } from "./operation-definition.js";
import type { OperationName } from "./types.js";

/** A fresh random idempotency key (36 characters, within every limit Square sets). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** Whether the body already carries the operation's idempotency key. */
export function hasIdempotencyKey(name: OperationName, body: unknown): boolean {
  const field = (operations[name] as OperationDefinition).idempotencyKey;
  if (!field || body === null || typeof body !== "object") return false;
  const key = (body as Record<string, unknown>)[field];
  return typeof key === "string" && key !== "";
}

/**
 * The body with an idempotency key filled in when the operation takes one and the caller gave none, so
 * that a create can be retried without risk of a duplicate. Send the returned body on every attempt.
 */
export function withIdempotencyKey<T>(name: OperationName, body: T): T {
  const field = (operations[name] as OperationDefinition).idempotencyKey;
  if (!field || hasIdempotencyKey(name, body)) return body;
  return { ...(body ?? {}), [field]: newIdempotencyKey() } as T;
}

/**
 * A key derived from a value's content (canonical JSON, 128-bit FNV-1a, hex): the same record always gets
 * the same key, so importing the same data twice cannot create it twice.
 */
export function contentIdempotencyKey(value: unknown): string {
  const text = canonicalJson(value);
  // Two independent 64-bit FNV-1a hashes (different offset bases) give 128 bits.
  return fnv1a64(text, 0xcbf29ce484222325n) + fnv1a64(text, 0x84222325cbf29ce4n);
}

function fnv1a64(text: string, offset: bigint): string {
  const prime = 0x100000001b3n;
  let hash = offset;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
