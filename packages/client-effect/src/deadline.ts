// The per-attempt time limit: `Effect.timeoutOrElse`, on the fiber's `Clock` (a `TestClock` moves it), the
// attempt interrupted when the limit passes or the caller is. An earlier shortcut skipped Effect's race
// on the default clock (one fiber and a `setTimeout`). Around a bare exchange it saves 4 µs
// (bench/client-effect.ts, "the two shortcuts"); in a whole `customers.retrieve` over HTTP it saved 3-4 %
// (per call against bare effect/http: 1.13× with it, 1.16-1.17× without, one run each). Issue 20 keeps
// such code only from 10 %, so the client reads as Effect users expect.
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
