// The emulator's sense of time. Everything that reads the time or waits goes through one Clock: the
// timestamps of writes (`created_at`, `updated_at`), the `created_at` of webhook events, the delivery log,
// and the waits of webhook delivery (retries on Square's schedule, delay and reorder faults).
//
// - The system clock is the machine's: time passes by itself and waits are timers.
// - A manual clock stands still until it is advanced. Waits are kept in a queue instead of timers;
//   `advance(ms)` moves the time to each due wait in turn, runs it, and lets the work it started (a
//   delivery attempt, which is real HTTP) finish before going on, so a failed attempt's next retry is
//   scheduled from the time the attempt was made, exactly as Square's schedule says. A test sees an
//   hour of retries in milliseconds of real time.
//
// What stays in real time under a manual clock: a receiver's 10 s to answer a delivery (network I/O),
// and injected API latency (it delays an answer the test is already waiting for).

/** How the emulator keeps time. */
export type ClockMode = "system" | "manual";

/** A wait handed to the clock, to cancel it. */
export interface ClockTimer {
  readonly due: number;
}

export interface Clock {
  readonly mode: ClockMode;
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * The time of a write or event, in milliseconds. The system clock never gives the same value twice
   * (every write gets its own instant, so `updated_at` moves forward even within a millisecond); a
   * manual clock gives its time as it is, so everything done while it stands still shares one instant.
   */
  stamp(): number;
  /** Runs `run` once `ms` have passed on this clock. */
  setTimer(ms: number, run: () => void): ClockTimer;
  clearTimer(timer: ClockTimer): void;
}

/** `clock` as `startEmulator` takes it: a mode, or a manual clock's starting time. */
export type ClockOption = ClockMode | { readonly mode: "manual"; readonly start: string | number | Date };

export class SystemClock implements Clock {
  readonly mode = "system";
  private last = 0;
  private readonly timers = new Map<ClockTimer, NodeJS.Timeout>();

  /** `unref`: waits do not keep the process alive (an emulator embedded in a test runner). */
  constructor(private readonly unref = false) {}

  now(): number {
    return Date.now();
  }

  stamp(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  setTimer(ms: number, run: () => void): ClockTimer {
    const timer: ClockTimer = { due: Date.now() + ms };
    const handle = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    if (this.unref) handle.unref();
    this.timers.set(timer, handle);
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    clearTimeout(this.timers.get(timer));
    this.timers.delete(timer);
  }
}

interface QueuedWait extends ClockTimer {
  /** Order of scheduling: waits due at the same instant run in the order they were set. */
  readonly order: number;
  readonly run: () => void;
}

/** Resolves once the work started by a wait (a delivery attempt, say) has finished. */
export type Settle = () => Promise<void>;

export class ManualClock implements Clock {
  readonly mode = "manual";
  private time: number;
  private waits: QueuedWait[] = [];
  private nextOrder = 0;
  private readonly settlers = new Set<Settle>();
  /** Advances run one after the other: a second one starts where the first ended. */
  private advancing: Promise<unknown> = Promise.resolve();

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  stamp(): number {
    return this.time;
  }

  setTimer(ms: number, run: () => void): ClockTimer {
    const wait: QueuedWait = { due: this.time + Math.max(0, ms), order: this.nextOrder++, run };
    // Kept sorted by (due, order); a new wait usually goes at or near the end.
    let i = this.waits.length;
    while (i > 0 && this.waits[i - 1]!.due > wait.due) i--;
    this.waits.splice(i, 0, wait);
    return wait;
  }

  clearTimer(timer: ClockTimer): void {
    const i = this.waits.indexOf(timer as QueuedWait);
    if (i !== -1) this.waits.splice(i, 1);
  }

  /** Waits set and not yet due. */
  pendingWaits(): number {
    return this.waits.length;
  }

  /** Registers work that `advance` lets finish after each step (webhook delivery). */
  onSettle(settle: Settle): void {
    this.settlers.add(settle);
  }

  /**
   * Moves the time forward by `ms`: every wait due by then runs at its own time, in order, and the
   * work each starts finishes before the clock moves on. Resolves with the new time.
   */
  advance(ms: number): Promise<number> {
    if (!Number.isFinite(ms) || ms < 0) {
      return Promise.reject(new RangeError("the clock only moves forward: give a duration of 0 or more"));
    }
    const run = this.advancing.then(() => this.step(this.time + ms));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  private async step(target: number): Promise<number> {
    await this.settle();
    for (let next = this.waits[0]; next !== undefined && next.due <= target; next = this.waits[0]) {
      // Every wait due at this instant runs before the work they start is awaited, as they would
      // have run together in real time.
      this.time = Math.max(this.time, next.due);
      while (this.waits[0] !== undefined && this.waits[0].due <= this.time) this.waits.shift()!.run();
      await this.settle();
    }
    this.time = Math.max(this.time, target);
    return this.time;
  }

  private async settle(): Promise<void> {
    await Promise.all([...this.settlers].map((settle) => settle()));
  }
}

/**
 * The clock an option asks for (a TypeError names a bad one). A manual clock without a start of its own
 * starts at `manualStart` when given (a snapshot's time), else now. `unref`: see SystemClock.
 */
export function createClock(
  option: ClockOption | undefined,
  settings: { readonly unref?: boolean; readonly manualStart?: number } = {},
): Clock {
  if (option === undefined || option === "system") return new SystemClock(settings.unref);
  if (option === "manual") return new ManualClock(settings.manualStart ?? Date.now());
  if (typeof option === "object" && option !== null && option.mode === "manual") {
    return new ManualClock(startTime(option.start));
  }
  throw new TypeError('clock must be "system", "manual" or { mode: "manual", start }');
}

/** A manual clock's starting time: an RFC 3339 date-time, milliseconds since the epoch, or a Date. */
function startTime(start: string | number | Date): number {
  const ms =
    start instanceof Date ? start.getTime() : typeof start === "number" ? start : parseTimestamp(start);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) {
    throw new TypeError(
      `clock start ${JSON.stringify(String(start))} is not a time: use an ISO date-time such as "2025-01-01T00:00:00Z"`,
    );
  }
  return ms;
}

/** The last time a JavaScript Date can show (and so an ISO timestamp can say). */
const MAX_TIME_MS = 8.64e15;

function parseTimestamp(text: string): number {
  return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A duration to advance a clock by: milliseconds, or text such as "2h", "90m", "1h30m", "45s", "250ms",
 * "3d" (parts in any order of units, each a whole or decimal number).
 */
export function parseDuration(by: number | string): number {
  if (typeof by === "number") {
    if (Number.isFinite(by) && by >= 0) return by;
  } else if (typeof by === "string") {
    const text = by.trim();
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
    if (parts.length > 0 && parts.map((p) => p[0]).join("") === text) {
      return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0));
    }
    if (/^\d+$/.test(text)) return Number(text);
  }
  throw new RangeError(
    `${JSON.stringify(by)} is not a duration: give milliseconds (0 or more) or a number with a unit ` +
      '(ms, s, m, h, d), e.g. "2h" or "1h30m"',
  );
}

/** The clock as `emulator.clock` shows it. */
export interface EmulatorClock {
  /** `"system"`: the machine's time; `"manual"`: stands still until advanced. */
  readonly mode: ClockMode;
  /** The emulator's time now. */
  now(): Date;
  /**
   * Moves a manual clock forward by `by` (milliseconds, or text such as "2h", "90m", "1h30m"). Webhook
   * retries and delayed deliveries due in that span are made in order, each at its own time; resolves
   * with the new time once every attempt made has been answered (delivered, failed, or set to retry
   * after the span). Rejects for the system clock, which cannot be moved.
   */
  advance(by: number | string): Promise<Date>;
}

/** The message for advancing a clock that cannot be moved. */
export const SYSTEM_CLOCK_CANNOT_ADVANCE =
  'the emulator runs on the system clock, which cannot be advanced: start it with clock: "manual" (--clock manual)';

export function emulatorClock(clock: Clock): EmulatorClock {
  return {
    mode: clock.mode,
    now: () => new Date(clock.now()),
    async advance(by) {
      if (!(clock instanceof ManualClock)) throw new TypeError(SYSTEM_CLOCK_CANNOT_ADVANCE);
      return new Date(await clock.advance(parseDuration(by)));
    },
  };
}
