// Preparing a call: everything a client must know before it sends anything, decided once, here. The
// clients call `prepareCall` when a method is called and then only send what it returns.
import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "../validation/issue.js";
import { checkRequest } from "../validation/request-check.js";
import type { RequestRules } from "../validation/schema-node.js";
import { hasIdempotencyKey, withIdempotencyKey } from "./idempotency.js";
import { buildRequest, type RequestParts } from "./request.js";
import { canRetry } from "./retry.js";

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
 * The rules a request body is checked against (the constraint table, Square's prose rules), loaded the
 * first time a client asks, once: a program that only reads never loads them, the largest part of
 * validation. `prepareCall` needs them for an operation that takes a body.
 */
export function loadRequestRules(): Promise<RequestRules> {
  loading ??= import("../validation/request-rules.js").then((module) => module.requestRules);
  return loading;
}

let loading: Promise<RequestRules> | undefined;

/**
 * Prepares one call of `name`. The idempotency key is chosen here, once, so every attempt of this call
 * (and any re-run of the same prepared call) carries the same key. `Date` values in the input become RFC
 * 3339 strings, as Square expects them. `rules` (`loadRequestRules`) are needed when the operation takes a
 * body.
 */
export function prepareCall(
  name: OperationName,
  pathArgs: readonly string[],
  input?: object,
  rules?: RequestRules,
): PreparedCall {
  const op = operation(name);
  const serialized = input === undefined ? undefined : (serializeDates(input) as object);
  const payload = op.body === null ? serialized : withIdempotencyKey(name, serialized ?? {});
  const issues = checkRequest(rules, name, pathArgs, payload);
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
