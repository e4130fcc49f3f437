// The per-attempt time limit: `Effect.timeoutOrElse`, on the fiber's `Clock` (a `TestClock` moves it), the
// attempt interrupted when the limit passes or the caller is. An earlier shortcut skipped Effect's race
// on the default clock (one fiber and a `setTimeout`); bench/client-effect.ts measured what it saved at
// 0.4 % of a call (4 µs of a 1,053 µs `customers.retrieve`), far under the 10 % that would justify code
// Effect users do not expect.
import type * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";

/** `effect`, or `onTimeout` if it has not finished within `limit` (and then `effect` is interrupted). */
export function withDeadline<A, E>(
  effect: Effect.Effect<A, E>,
  limit: Duration.Duration,
  onTimeout: A,
): Effect.Effect<A, E> {
  return Effect.timeoutOrElse(effect, { duration: limit, orElse: () => Effect.succeed(onTimeout) });
}
