// The retry schedules on their own, fed with failures directly: what they wait and how often.
import { assert, describe, it } from "@effect/vitest";
import { DEFAULT_MAX_RETRIES, RETRY_MAX_MS } from "@square-customers/core/client-kit";
import { Duration, Effect, Schedule } from "effect";
import {
  defaultRetrySchedule,
  honourRetryAfter,
  type RetrySchedule,
  type SquareClientError,
  SquareRateLimited,
  SquareServerError,
} from "../src/index.js";

const rateLimited = (retryAfter?: string) =>
  new SquareRateLimited({
    kind: "rate_limited",
    retryable: true,
    operation: "listCustomers",
    message: "rate limited",
    status: 429,
    errors: [],
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });

/** Runs a failing effect under the schedule, recording each delay it asks for instead of sleeping. */
const delaysOf = (schedule: RetrySchedule, failures: ReadonlyArray<SquareClientError>) =>
  Effect.gen(function* () {
    const delays: number[] = [];
    let attempt = 0;
    const recording = schedule.pipe(
      Schedule.modifyDelay(({ duration }) => {
        delays.push(Duration.toMillis(duration));
        return Effect.succeed(Duration.zero);
      }),
    );
    yield* Effect.suspend(() => Effect.fail(failures[Math.min(attempt++, failures.length - 1)]!)).pipe(
      Effect.retry(recording),
      Effect.ignore,
    );
    return { delays, attempts: attempt };
  });

describe("defaultRetrySchedule", () => {
  it.effect("retries at most DEFAULT_MAX_RETRIES times", () =>
    Effect.gen(function* () {
      const { attempts, delays } = yield* delaysOf(defaultRetrySchedule(), [rateLimited()]);
      assert.strictEqual(attempts, DEFAULT_MAX_RETRIES + 1);
      assert.strictEqual(delays.length, DEFAULT_MAX_RETRIES);
    }),
  );

  it.effect("waits what Retry-After asks (seconds)", () =>
    Effect.gen(function* () {
      const { delays } = yield* delaysOf(defaultRetrySchedule(), [rateLimited("2")]);
      assert.deepStrictEqual(delays, [2000, 2000]);
    }),
  );

  it.effect("caps Retry-After at maxMs", () =>
    Effect.gen(function* () {
      const { delays } = yield* delaysOf(defaultRetrySchedule({ maxRetries: 1 }), [rateLimited("3600")]);
      assert.deepStrictEqual(delays, [RETRY_MAX_MS]);
    }),
  );

  it.effect("without Retry-After: full-jitter exponential backoff within its ceiling", () =>
    Effect.gen(function* () {
      const server = new SquareServerError({
        kind: "server",
        retryable: true,
        operation: "x",
        message: "down",
        status: 503,
        errors: [],
      });
      const { delays } = yield* delaysOf(defaultRetrySchedule({ maxRetries: 4, baseMs: 100 }), [server]);
      assert.strictEqual(delays.length, 4);
      delays.forEach((delay, i) => {
        assert.isAtLeast(delay, 0);
        assert.isBelow(delay, 100 * 2 ** i);
      });
    }),
  );

  it.effect("honourRetryAfter lets Retry-After replace a custom schedule's delay, by core's rule", () =>
    Effect.gen(function* () {
      const short = honourRetryAfter(Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 2 })));
      assert.deepStrictEqual((yield* delaysOf(short, [rateLimited("1"), rateLimited()])).delays, [1000, 10]);
      // A longer delay than Retry-After asks is replaced too: the server says when it takes requests again.
      const long = honourRetryAfter(Schedule.spaced("10 seconds").pipe(Schedule.upTo({ times: 2 })));
      assert.deepStrictEqual(
        (yield* delaysOf(long, [rateLimited("1"), rateLimited()])).delays,
        [1000, 10_000],
      );
      const capped = honourRetryAfter(Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 1 })), 500);
      assert.deepStrictEqual((yield* delaysOf(capped, [rateLimited("3600")])).delays, [500]);
    }),
  );
});
