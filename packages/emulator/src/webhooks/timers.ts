// The waits of webhook delivery (retries, delay and reorder faults) on the emulator's clock, kept
// together so that a reset or close cancels them all at once.
import type { Clock, ClockTimer } from "../clock.js";

export class Timers {
  private readonly pending = new Set<ClockTimer>();

  constructor(private readonly clock: Clock) {}

  /** Runs `run` once `ms` have passed on the clock. */
  later(ms: number, run: () => void): ClockTimer {
    const timer = this.clock.setTimer(ms, () => {
      this.pending.delete(timer);
      run();
    });
    this.pending.add(timer);
    return timer;
  }

  cancel(timer: ClockTimer): void {
    this.clock.clearTimer(timer);
    this.pending.delete(timer);
  }

  /** Cancels every wait. */
  clear(): void {
    for (const timer of this.pending) this.clock.clearTimer(timer);
    this.pending.clear();
  }
}
