// Retry schedules. A schedule only says how often and how long to wait; whether a failure may be
// retried at all (transient failure, and an operation that is safe to repeat) is decided by the client
// with core's rules and cannot be overridden, so no schedule can ever duplicate a create.
import {
  checkMaxRetries,
  honourRetryAfter as coreHonourRetryAfter,
  DEFAULT_MAX_RETRIES,
  RETRY_MAX_MS,
  retryDelay,
} from "@square-customers/core/client-kit";
import * as Clock from "effect/Clock";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Random from "effect/Random";
import * as Schedule from "effect/Schedule";
import type { SquareClientError } from "./errors.js";

/** A schedule fed with each failure of an operation; its output is ignored. */
export type RetrySchedule = Schedule.Schedule<unknown, SquareClientError>;

export interface RetryScheduleOptions {
  /** Retries after the first attempt (default: core's `DEFAULT_MAX_RETRIES`, 2). */
  readonly maxRetries?: number;
  /** Backoff before the first retry, doubled for each later one (default: core's, 500 ms). */
  readonly baseMs?: number;
  /** Longest wait, whatever `Retry-After` asks (default: core's, 30 s). */
  readonly maxMs?: number;
}

/** The raw `Retry-After` header of a failure, if the server sent one. */
const retryAfterOf = (error: SquareClientError): string | undefined =>
  "retryAfter" in error ? error.retryAfter : undefined;

/**
 * The default: at most `maxRetries` retries, each after core's `retryDelay` (exponential backoff with
 * full jitter, or what a valid `Retry-After` asks, capped). Time and jitter come from Effect's `Clock`
 * and `Random`, so tests can control both.
 */
export function defaultRetrySchedule(options: RetryScheduleOptions = {}): RetrySchedule {
  const { baseMs, maxMs } = options;
  const maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
  return Schedule.recurs(maxRetries).pipe(
    Schedule.setInputType<SquareClientError>(),
    Schedule.modifyDelay(({ attempt, input }) =>
      Effect.map(Effect.all([Clock.currentTimeMillis, Random.next]), ([now, random]) =>
        Duration.millis(
          retryDelay(attempt - 1, {
            retryAfter: retryAfterOf(input),
            now,
            random: () => random,
            ...(baseMs === undefined ? {} : { baseMs }),
            ...(maxMs === undefined ? {} : { maxMs }),
          }),
        ),
      ),
    ),
  );
}

/**
 * Makes any schedule honour a failure's `Retry-After` by core's rule (`honourRetryAfter` in core, the
 * same as the default schedule and the promise client): a valid `Retry-After` replaces the schedule's
 * delay, capped at `maxMs`; without one the schedule's delay stands. For callers who bring their own
 * schedule: `honourRetryAfter(Schedule.spaced("1 second").pipe(...))`.
 */
export function honourRetryAfter<Out>(
  schedule: Schedule.Schedule<Out, SquareClientError>,
  maxMs: number = RETRY_MAX_MS,
): Schedule.Schedule<Out, SquareClientError> {
  return schedule.pipe(
    Schedule.modifyDelay(({ duration, input }) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        Duration.millis(
          coreHonourRetryAfter(Duration.toMillis(duration), { retryAfter: retryAfterOf(input), now, maxMs }),
        ),
      ),
    ),
  );
}
