// The per-attempt time limit. `Effect.timeout` races the attempt against `Effect.sleep`: two fibers per
// attempt (the attempt and the sleeper), which cost about as much as the rest of the client's work on a
// call put together. When the fiber's `Clock` is Effect's default one, its `sleep` is a `setTimeout`, so
// the same limit is kept with one fiber and that timer. Under any other `Clock` (a `TestClock`, your own)
// the attempt is raced against that clock's `sleep`, so time stays under its control.
import * as Clock from "effect/Clock";
import * as Context from "effect/Context";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";

/** Longer than this, a timer cannot be set in one go (the default clock chains timers); left to Effect. */
const MAX_TIMER_MS = 2 ** 31 - 1;

let defaultClock: Clock.Clock | undefined;

/** `effect`, or `onTimeout` if it has not finished within `limit` (and then `effect` is interrupted). */
export function withDeadline<A, E>(
  effect: Effect.Effect<A, E>,
  limit: Duration.Duration,
  onTimeout: A,
): Effect.Effect<A, E> {
  const ms = Duration.toMillis(limit);
  return Effect.clockWith((clock) => {
    defaultClock ??= Context.get(Context.empty(), Clock.Clock);
    if (clock !== defaultClock || !(ms > 0 && ms <= MAX_TIMER_MS)) {
      return Effect.raceFirst(effect, Effect.as(Effect.sleep(limit), onTimeout));
    }
    return Effect.flatMap(Effect.forkChild(effect, { startImmediately: true }), (fiber) =>
      awaitOrTimeout(fiber, ms, onTimeout),
    );
  });
}

/** The fiber's result, or `onTimeout` once `ms` have passed (the fiber is interrupted first). */
function awaitOrTimeout<A, E>(fiber: Fiber.Fiber<A, E>, ms: number, onTimeout: A): Effect.Effect<A, E> {
  return Effect.callback<A, E>((resume) => {
    const timer = setTimeout(() => {
      stopObserving();
      resume(Effect.as(Fiber.interrupt(fiber), onTimeout));
    }, ms);
    const stopObserving = fiber.addObserver((exit) => {
      clearTimeout(timer);
      resume(exit);
    });
    // The caller was interrupted: stop the timer and the attempt.
    return Effect.suspend(() => {
      clearTimeout(timer);
      stopObserving();
      return Fiber.interrupt(fiber);
    });
  });
}
