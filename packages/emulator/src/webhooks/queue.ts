// The delivery queue: every delivery from the moment its event is queued for a subscription until it is
// delivered, fails for good, or is cancelled. Deliveries are sent in the order they were queued, at most
// MAX_ACTIVE at a time and MAX_ACTIVE_PER_SUBSCRIPTION to any one subscription (a lane each, taken in
// turn), so a receiver that hangs holds a few of its own slots and never the API or the other receivers.
// At most `capacity` deliveries wait at once; past that, new ones are dropped (and logged as `dropped`)
// rather than making the API wait or memory grow without bound. Two delivery faults act here: `delay`
// holds a delivery back before it joins its lane, and `reorder` holds it until a later delivery to the
// same subscription has been answered (or the hold runs out). Sending is the `attempt` function's.
import type { Clock, ClockTimer } from "../clock.js";
import type { RetryReason } from "../square-choices.js";
import type { DeliveryLog, DeliveryRecord } from "./delivery-log.js";
import type { WebhookFaultDecision, WebhookFaultKind } from "./faults.js";
import { Timers } from "./timers.js";

/** Deliveries in flight at once, in all. */
export const MAX_ACTIVE = 16;
/** Deliveries in flight at once to one subscription. */
export const MAX_ACTIVE_PER_SUBSCRIPTION = 4;

/** Who a delivery goes to: a subscription of the merchant, or the startup one. */
export interface Target {
  readonly subscriptionId: string;
  readonly merchant: string;
}

/** An event as it is queued: its id and type, and the body every delivery of it sends. */
export interface QueuedEvent {
  readonly id: string;
  readonly type: string;
  readonly body: string;
}

/** One event on its way to one subscription. */
export interface Delivery {
  readonly record: DeliveryRecord;
  readonly target: Target;
  readonly body: string;
  /** The queue's generation it belongs to: a reset ends every delivery of the one before. */
  readonly generation: number;
  readonly failFirst: boolean;
  /** A reorder fault's longest hold (0: not reordered). */
  readonly holdMs: number;
  /** Attempts made so far. */
  attempts: number;
  lastFailure?: RetryReason;
  initialAt?: string;
  /** Held back by a reorder fault until a later delivery to the same subscription is answered. */
  held: boolean;
  holdTimer?: ClockTimer;
  done: boolean;
}

/** The deliveries of one subscription: ready to go (in order), held back, and in flight. */
interface Lane {
  readonly ready: Delivery[];
  readonly held: Delivery[];
  active: number;
}

export class DeliveryQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly timers: Timers;
  private readonly inFlight = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];
  private quietWaiters: Array<() => void> = [];
  private generation = 0;
  private pending = 0;
  private active = 0;
  private dropped = 0;
  private stopped = false;

  /**
   * `capacity`: how many deliveries may wait at once. `attempt` makes one attempt of a delivery, which
   * ends with `finish` or `retryLater` (or with nothing, when the delivery is no longer current).
   */
  constructor(
    private readonly log: DeliveryLog,
    private readonly clock: Clock,
    readonly capacity: number,
    private readonly attempt: (d: Delivery) => Promise<void>,
  ) {
    this.timers = new Timers(clock);
  }

  /** Deliveries not finished yet, attempts in flight, and deliveries dropped since the start or reset. */
  counts(): { readonly pending: number; readonly sending: number; readonly dropped: number } {
    return { pending: this.pending, sending: this.active, dropped: this.dropped };
  }

  /** Whether the queue has stopped (the emulator is closing): it takes no deliveries and sends nothing. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Whether a delivery still belongs to the queue (no reset has ended it). */
  isCurrent(d: Delivery): boolean {
    return d.generation === this.generation;
  }

  /**
   * Queues one delivery of `event` to `target` at `url`, with the faults that fired for it (`faults`: the
   * kinds its log record shows); dropped, and logged so, when the queue is full.
   */
  add(
    target: Target,
    event: QueuedEvent,
    url: string,
    decision: WebhookFaultDecision,
    faults: WebhookFaultKind[],
  ): void {
    const full = this.pending >= this.capacity;
    const record = this.log.add({
      eventId: event.id,
      eventType: event.type,
      merchantId: target.merchant,
      subscriptionId: target.subscriptionId,
      notificationUrl: url,
      test: false,
      faults,
      state: full ? "dropped" : "queued",
    });
    if (full) {
      this.dropped += 1;
      return;
    }
    this.pending += 1;
    const d: Delivery = {
      record,
      target,
      body: event.body,
      generation: this.generation,
      failFirst: decision.kinds.has("fail_first"),
      holdMs: decision.kinds.has("reorder") ? decision.holdMs : 0,
      attempts: 0,
      held: false,
      done: false,
    };
    if (decision.delayMs > 0) {
      this.log.update(record, {
        state: "queued",
        nextAttemptAt: new Date(this.clock.now() + decision.delayMs).toISOString(),
      });
      this.timers.later(decision.delayMs, () => this.admit(d));
    } else {
      this.admit(d);
    }
  }

  /** Sends a failed delivery again once `ms` have passed on the clock. */
  retryLater(d: Delivery, ms: number): void {
    this.timers.later(ms, () => this.ready(d));
  }

  /** A delivery is over (delivered, failed for good, or cancelled). */
  finish(d: Delivery): void {
    if (d.done || d.generation !== this.generation) return;
    d.done = true;
    this.pending -= 1;
    if (this.pending === 0) this.notifyIdle();
  }

  /** Resolves once no attempt is in flight (at once when none is). */
  whenQuiet(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  /** Resolves once no delivery is pending (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ends every delivery (they are logged `cancelled`) and starts a new generation. */
  reset(): void {
    this.generation += 1;
    this.timers.clear();
    for (const lane of this.lanes.values()) {
      for (const d of [...lane.ready, ...lane.held]) this.log.update(d.record, { state: "cancelled" });
    }
    this.lanes.clear();
    this.pending = 0;
    this.dropped = 0;
    this.notifyIdle();
  }

  /** Takes no more deliveries and sends nothing more; attempts in flight go on (see `settled`). */
  stop(): void {
    this.stopped = true;
    this.timers.clear();
    this.lanes.clear();
  }

  /** Resolves once every attempt in flight has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** After `stop` and `settled`: nothing is pending any more; whoever waits for that is told. */
  drain(): void {
    this.pending = 0;
    this.notifyIdle();
    this.notifyQuiet();
  }

  // ---- from queued to sent -----------------------------------------------------------------------------

  /** After any delay: held back by a reorder fault, or ready to go. */
  private admit(d: Delivery): void {
    if (d.holdMs === 0) {
      this.ready(d);
      return;
    }
    d.held = true;
    this.lane(d.target).held.push(d);
    d.holdTimer = this.timers.later(d.holdMs, () => this.release(d));
  }

  /** Ends a reorder hold (a later delivery was answered, or the hold ran out). */
  private release(d: Delivery): void {
    if (!d.held || d.generation !== this.generation) return;
    d.held = false;
    const held = this.lane(d.target).held;
    const index = held.indexOf(d);
    if (index !== -1) held.splice(index, 1);
    if (d.holdTimer !== undefined) this.timers.cancel(d.holdTimer);
    this.ready(d);
  }

  private ready(d: Delivery): void {
    if (d.generation !== this.generation || this.stopped) return;
    this.lane(d.target).ready.push(d);
    this.pump();
  }

  private lane(target: Target): Lane {
    let lane = this.lanes.get(target.subscriptionId);
    if (lane === undefined) {
      lane = { ready: [], held: [], active: 0 };
      this.lanes.set(target.subscriptionId, lane);
    }
    return lane;
  }

  /** Starts what the limits allow, taking one from each subscription in turn. */
  private pump(): void {
    let started = true;
    while (started && this.active < MAX_ACTIVE) {
      started = false;
      for (const lane of this.lanes.values()) {
        if (this.active >= MAX_ACTIVE) break;
        if (lane.ready.length === 0 || lane.active >= MAX_ACTIVE_PER_SUBSCRIPTION) continue;
        const d = lane.ready.shift()!;
        lane.active += 1;
        this.active += 1;
        const attempt = this.attempt(d)
          .catch((error: unknown) => this.broke(d, error))
          .finally(() => {
            lane.active -= 1;
            this.active -= 1;
            this.inFlight.delete(attempt);
            this.releaseHeldBefore(lane, d);
            this.pump();
            if (this.active === 0) this.notifyQuiet();
          });
        this.inFlight.add(attempt);
        started = true;
      }
    }
  }

  /** A delivery to the subscription was answered: those held back before it may go now. */
  private releaseHeldBefore(lane: Lane, answered: Delivery): void {
    for (const h of lane.held.filter((x) => x.record.seq < answered.record.seq)) this.release(h);
  }

  /** An attempt that threw (a bug of the emulator's): the delivery ends as failed, the emulator goes on. */
  private broke(d: Delivery, error: unknown): void {
    const at = new Date(this.clock.now()).toISOString();
    this.log.attempted(d.record, { retry: d.attempts, at, latencyMs: 0, error: String(error) }, "failed");
    this.finish(d);
  }

  private notifyQuiet(): void {
    const waiters = this.quietWaiters;
    this.quietWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
