// Square's delivery timing (spec/BEHAVIOUR.md, "Webhooks"): a receiver has 10 s to answer with a 2xx; a
// failed delivery is retried after 1, 2, 4, 8, 16 and 32 minutes, then every hour, for up to 72 hours.
// A scale (0 < scale ≤ 1) shrinks it all for tests: 0.001 turns the first retry's minute into 60 ms.

const MINUTE_MS = 60_000;
/** The waits before the first retries, in minutes; every later retry waits LATER_RETRY_MS. */
const EARLY_RETRY_MINUTES = [1, 2, 4, 8, 16, 32] as const;
const LATER_RETRY_MS = 60 * MINUTE_MS;
/** No retry is made later than this after the first attempt. */
export const RETRY_WINDOW_MS = 72 * 60 * MINUTE_MS;
/** How long a receiver has to answer. */
export const ANSWER_TIMEOUT_MS = 10_000;
/**
 * The shortest answer timeout a scale can give: below it, a receiver that is merely busy (a loaded CI
 * machine) would look dead and get retries it did not earn.
 */
export const MIN_SCALED_TIMEOUT_MS = 1_000;

/** Unscaled milliseconds from the first attempt to retry `n` (1-based). */
function retryOffsetMs(n: number): number {
  const early = EARLY_RETRY_MINUTES.length;
  if (n <= early) return (2 ** n - 1) * MINUTE_MS;
  return (2 ** early - 1) * MINUTE_MS + (n - early) * LATER_RETRY_MS;
}

/**
 * How long to wait, after attempt `n - 1` failed, before retry `n` (1-based), scaled; undefined when
 * retry `n` would fall outside the 72-hour window (the delivery has failed for good).
 */
export function retryDelayMs(n: number, scale: number): number | undefined {
  if (!Number.isSafeInteger(n) || n < 1 || retryOffsetMs(n) > RETRY_WINDOW_MS) return undefined;
  const unscaled = EARLY_RETRY_MINUTES[n - 1] ?? LATER_RETRY_MS / MINUTE_MS;
  return unscaled * MINUTE_MS * scale;
}

/** The answer timeout at a scale: 10 s scaled, but never under MIN_SCALED_TIMEOUT_MS. */
export function answerTimeoutMs(scale: number): number {
  return Math.min(ANSWER_TIMEOUT_MS, Math.max(ANSWER_TIMEOUT_MS * scale, MIN_SCALED_TIMEOUT_MS));
}

/** A retry scale given through the API or CLI: a number with 0 < scale ≤ 1 (default 1). */
export function checkRetryScale(scale: number | undefined): number {
  if (scale === undefined) return 1;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new TypeError("webhookRetryScale must be a number greater than 0 and at most 1");
  }
  return scale;
}
