// The per-attempt time limit: a timer on Effect's default clock, the clock's own `sleep` under any other
// (a TestClock moves it); the attempt is interrupted when the limit passes, and when the caller is.
import { assert, describe, it } from "@effect/vitest";
import { Duration, Effect, Fiber, Ref } from "effect";
import { TestClock } from "effect/testing";
import { withDeadline } from "../src/deadline.js";

/** An effect that never finishes, recording whether it was interrupted. */
const hanging = (interrupted: Ref.Ref<boolean>) =>
  Effect.never.pipe(Effect.onInterrupt(() => Ref.set(interrupted, true)));

describe("withDeadline", () => {
  it.live("on the default clock: the result when in time, else the fallback, the attempt interrupted", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* withDeadline(Effect.succeed("answer"), Duration.seconds(5), "late"),
        "answer",
      );
      const failed = yield* Effect.flip(withDeadline(Effect.fail("boom"), Duration.seconds(5), "late"));
      assert.strictEqual(failed, "boom");
      const interrupted = yield* Ref.make(false);
      const started = Date.now();
      assert.strictEqual(yield* withDeadline(hanging(interrupted), Duration.millis(30), "late"), "late");
      assert.isAtLeast(Date.now() - started, 25);
      assert.isTrue(yield* Ref.get(interrupted));
    }),
  );

  it.live("on the default clock: interrupting the caller interrupts the attempt", () =>
    Effect.gen(function* () {
      const interrupted = yield* Ref.make(false);
      const fiber = yield* Effect.forkChild(
        withDeadline(hanging(interrupted), Duration.seconds(30), "late"),
        {
          startImmediately: true,
        },
      );
      yield* Fiber.interrupt(fiber);
      assert.isTrue(yield* Ref.get(interrupted));
    }),
  );

  it.effect("under a TestClock: the limit passes when the clock is moved, not in real time", () =>
    Effect.gen(function* () {
      const interrupted = yield* Ref.make(false);
      const fiber = yield* Effect.forkChild(
        withDeadline(hanging(interrupted), Duration.minutes(10), "late"),
        {
          startImmediately: true,
        },
      );
      yield* TestClock.adjust(Duration.minutes(9));
      assert.isUndefined(fiber.pollUnsafe());
      yield* TestClock.adjust(Duration.minutes(1));
      assert.strictEqual(yield* Fiber.join(fiber), "late");
      assert.isTrue(yield* Ref.get(interrupted));
    }),
  );
});
