import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";

/** Retries after the first attempt, unless the caller says otherwise. */
export const DEFAULT_MAX_RETRIES = 2;
/** Backoff before the first retry, doubled for each later one. */
export const RETRY_BASE_MS = 500;
/** No wait is ever longer than this, whatever a server's Retry-After asks. */
export const RETRY_MAX_MS = 30_000;

/** Statuses worth another attempt: timeouts, rate limits and server trouble (501 will not change). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** Whether the operation may be sent again after it may have reached Square. */
export function canRetry(name: OperationName, hasIdempotencyKey: boolean): boolean {
  const retry = operation(name).retry;
  return retry === "safe" || (retry === "with-idempotency-key" && hasIdempotencyKey);
}

/**
 * Checks a retry budget: a NaN (say, from an unset environment variable) would make a retry loop endless,
 * so anything but a non-negative integer is a RangeError, in both clients alike.
 */
export function checkMaxRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`maxRetries must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Milliseconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date. Undefined when the
 * header is absent, malformed, negative or a date already past, so that backoff applies instead.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined; // "-5", "", "1e3": not a number of seconds, not a date
  const date = Date.parse(text);
  if (Number.isNaN(date) || date <= now) return undefined;
  return date - now;
}

export interface RetryDelayOptions {
  /** The response's `Retry-After` header, if any. */
  readonly retryAfter?: string | null | undefined;
  readonly now?: number;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
  readonly baseMs?: number;
  readonly maxMs?: number;
}

/**
 * How long to wait before retry number `retry` (0 for the first retry): exponential backoff with full
 * jitter, never more than `maxMs`, unless `Retry-After` asks otherwise (see `honourRetryAfter`).
 */
export function retryDelay(retry: number, options: RetryDelayOptions = {}): number {
  const { baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry));
  return honourRetryAfter(Math.floor(random() * ceiling), options);
}

/**
 * The one rule for how a server's `Retry-After` and a backoff combine, in both clients (the promise
 * client's loop, the Effect client's default schedule and any schedule passed through its
 * `honourRetryAfter`): a valid `Retry-After` replaces the backoff, capped at `maxMs`, whether it asks for
 * more or for less (the server knows when it will take the request again); without one, or with one that
 * is malformed or already past, the backoff stands as it is.
 */
export function honourRetryAfter(
  backoffMs: number,
  options: Pick<RetryDelayOptions, "retryAfter" | "now" | "maxMs"> = {},
): number {
  const asked = parseRetryAfter(options.retryAfter, options.now);
  return asked === undefined ? backoffMs : Math.min(asked, options.maxMs ?? RETRY_MAX_MS);
}
