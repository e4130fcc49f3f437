// Preparing a call: everything a client must know before it sends anything, decided once, here. The
// clients call `prepareCall` when a method is called and then only send what it returns.
import { HEADERS } from "./constants.js";
import { hasIdempotencyKey, withIdempotencyKey } from "./idempotency.js";
import { operation } from "./operation.js";
import { buildRequest, type RequestParts } from "./request.js";
import { canRetry } from "./retry.js";
import type { OperationName } from "./types.js";
import { type ValidationIssue, validateRequest } from "./validation.js";

/** One call, ready to send (or to refuse, when `issues` is not empty). */
export interface PreparedCall {
  readonly operation: OperationName;
  /** Method, filled-in path, path template, query and body (with its idempotency key, if it takes one). */
  readonly request: RequestParts;
  /** What pre-flight validation found; when not empty, nothing may be sent. */
  readonly issues: readonly ValidationIssue[];
  /**
   * Whether the call may be sent again after a failure that may have reached Square: reads and idempotent
   * writes always, creates only with an idempotency key (which this function adds when the caller gave
   * none), so no retry can create anything twice.
   */
  readonly retrySafe: boolean;
}

/**
 * Prepares one call of `name`. The idempotency key is chosen here, once, so every attempt of this call
 * (and any re-run of the same prepared call) carries the same key. `Date` values in the input become RFC
 * 3339 strings, as Square expects them.
 */
export function prepareCall(name: OperationName, pathArgs: readonly string[], input?: object): PreparedCall {
  const op = operation(name);
  const serialized = input === undefined ? undefined : (serializeDates(input) as object);
  const payload = op.body === null ? serialized : withIdempotencyKey(name, serialized ?? {});
  const issues = validateRequest(name, pathArgs, payload);
  return {
    operation: name,
    request: buildRequest(name, pathArgs, payload),
    issues,
    retrySafe: canRetry(name, hasIdempotencyKey(name, payload)),
  };
}

/** A copy of `value` with every `Date` replaced by its ISO string (other values untouched). */
export function serializeDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.some(needsSerializing) ? value.map(serializeDates) : value;
  if (value !== null && typeof value === "object") {
    if (!Object.values(value).some(needsSerializing)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, serializeDates(item)]));
  }
  return value;
}

function needsSerializing(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).some(needsSerializing);
}

/** The media type of every body, both ways. */
export const JSON_MEDIA_TYPE = "application/json";

/**
 * The headers a client sends on every request, set after the caller's own so that none of them can be
 * replaced: the token, the Square-Version, that the answer must be JSON, and, for a request with a body,
 * that the body is JSON. One list for both clients, so both send the same headers.
 */
export function clientHeaders(
  client: { readonly token: string; readonly squareVersion: string },
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADERS.authorization]: `Bearer ${client.token}`,
    [HEADERS.squareVersion]: client.squareVersion,
    [HEADERS.accept]: JSON_MEDIA_TYPE,
  };
  if (hasBody) headers[HEADERS.contentType] = JSON_MEDIA_TYPE;
  return headers;
}

/** The body of a request as it goes on the wire (JSON text), or undefined for a request without one. */
export function bodyText(request: Pick<RequestParts, "body">): string | undefined {
  return request.body === undefined ? undefined : JSON.stringify(request.body);
}

/**
 * Request headers that no caller option may set: the client's token, its Square-Version and the JSON
 * content negotiation are the client's alone (`clientHeaders`).
 */
const RESERVED_HEADERS = new Set<string>([
  HEADERS.authorization,
  HEADERS.squareVersion,
  HEADERS.contentType,
  HEADERS.accept,
]);

/**
 * The extra headers of a call: the client's `headers` option, then the call's own, with every reserved
 * header left out (case-insensitively), so no per-call option can replace `Authorization` or
 * `Square-Version`. Each client adds its own reserved headers after this.
 */
export function callerHeaders(
  ...sources: Array<Iterable<readonly [string, string]> | Readonly<Record<string, string>> | undefined>
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (source === undefined) continue;
    const entries = Symbol.iterator in source ? source : Object.entries(source);
    for (const [name, value] of entries as Iterable<readonly [string, string]>) {
      const lower = name.toLowerCase();
      if (!RESERVED_HEADERS.has(lower)) merged[lower] = value;
    }
  }
  return merged;
}
