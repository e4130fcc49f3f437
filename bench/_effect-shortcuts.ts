// The two shortcuts the Effect client took until issue 20, kept here only to measure them against what
// Effect users read (bench/client-effect.ts): the client now uses `Effect.timeoutOrElse` and `Effect.retry`.
import * as Clock from "effect/Clock";
import * as Context from "effect/Context";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";
import type * as Schedule from "effect/Schedule";

let defaultClock: Clock.Clock | undefined;

/**
 * The time limit with one fiber and a `setTimeout` when the fiber's `Clock` is Effect's default one (its
 * `sleep` is a timer then), instead of `Effect.timeout`'s race of two fibers; Effect's race otherwise.
 */
export function defaultClockDeadline<A, E>(
  effect: Effect.Effect<A, E>,
  limit: Duration.Duration,
  onTimeout: A,
): Effect.Effect<A, E> {
  const ms = Duration.toMillis(limit);
  return Effect.clockWith((clock) => {
    defaultClock ??= Context.get(Context.empty(), Clock.Clock);
    if (clock !== defaultClock || !(ms > 0 && ms <= 2 ** 31 - 1)) {
      return Effect.raceFirst(effect, Effect.as(Effect.sleep(limit), onTimeout));
    }
    return Effect.flatMap(Effect.forkChild(effect, { startImmediately: true }), (fiber) =>
      Effect.callback<A, E>((resume) => {
        const timer = setTimeout(() => {
          stopObserving();
          resume(Effect.as(Fiber.interrupt(fiber), onTimeout));
        }, ms);
        const stopObserving = fiber.addObserver((exit) => {
          clearTimeout(timer);
          resume(exit);
        });
        return Effect.suspend(() => {
          clearTimeout(timer);
          stopObserving();
          return Fiber.interrupt(fiber);
        });
      }),
    );
  });
}

/**
 * `Effect.retry` set up only after a first failure that may be retried, the schedule fed that failure
 * first by replaying it: a call that succeeds at once never meets the retry machinery.
 */
export function retryAfterFirstFailure<A, E extends { readonly retryable: boolean }>(
  attempt: Effect.Effect<A, E>,
  schedule: Schedule.Schedule<unknown, E>,
): Effect.Effect<A, E> {
  return Effect.catch(attempt, (first) => {
    if (!first.retryable) return Effect.fail(first);
    let replayed = false;
    const again = Effect.suspend(() => {
      if (replayed) return attempt;
      replayed = true;
      return Effect.fail(first);
    });
    return Effect.retry(again, { schedule, while: (error) => error.retryable });
  });
}
