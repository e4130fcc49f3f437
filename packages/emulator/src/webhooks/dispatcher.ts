// Webhook delivery, apart from the API: an API request only hands its committed changes to `publish`,
// which builds the events and queues one delivery per subscription that wants each (a few synchronous
// steps, no I/O). Deliveries are then sent in the background, in the order they were queued, at most
// MAX_ACTIVE at a time and MAX_ACTIVE_PER_SUBSCRIPTION to any one subscription, so a receiver that hangs
// holds a few of its own slots and never the API or the other receivers. A failed attempt is retried on
// Square's schedule (schedule.ts). At most MAX_PENDING deliveries wait at once; past that, new ones are
// dropped (and logged as `dropped`) rather than making the API wait or memory grow without bound.
import type { CustomerEventType, SubscriptionTestResult } from "@square-customers/core";
import { type Clock, type ClockTimer, SystemClock } from "../clock.js";
import { sequenceUuid } from "../data/ids.js";
import type { Store } from "../data/store.js";
import { INJECTED_FAILURE_REASON, NO_ANSWER_STATUS_CODE, type RetryReason } from "../square-choices.js";
import type { Change } from "./changes.js";
import { type DeliveryAttempt, DeliveryLog, type DeliveryRecord } from "./delivery-log.js";
import { eventOf, eventTypesOf, sampleChange } from "./events.js";
import {
  type WebhookFaultDecision,
  type WebhookFaultKind,
  type WebhookFaultRule,
  WebhookFaults,
} from "./faults.js";
import { answerTimeoutMs, checkRetryScale, retryDelayMs } from "./schedule.js";
import { type AttemptResult, Connections, sendAttempt } from "./send.js";
import {
  EVENT_TYPES,
  enabledSubscriptions,
  isNotificationUrl,
  loadSubscription,
  type StoredSubscription,
} from "./subscriptions.js";

/** Deliveries in flight at once, in all. */
export const MAX_ACTIVE = 16;
/** Deliveries in flight at once to one subscription. */
export const MAX_ACTIVE_PER_SUBSCRIPTION = 4;
/** Deliveries waiting at once (first attempts, held, delayed and retries together). */
export const MAX_PENDING = 10_000;

/** The subscription id deliveries to the startup subscription (`--webhook-url`) are logged under. */
export const STARTUP_SUBSCRIPTION_ID = "startup";

/** A URL that receives every merchant's events, given at startup. */
export interface StartupSubscription {
  /** The notification URL; signatures cover it exactly as given. */
  readonly url: string;
  /** The signature key deliveries are signed with. */
  readonly signatureKey: string;
  /** The event types it receives (default: all of them). */
  readonly eventTypes?: readonly string[];
}

/** What configures delivery, as `startEmulator` takes it. */
export interface WebhookOptions {
  readonly startup?: StartupSubscription | undefined;
  /** Shrinks the retry schedule and the answer timeout (0 < scale ≤ 1; default 1). */
  readonly retryScale?: number | undefined;
  readonly faults?: readonly WebhookFaultRule[] | undefined;
  /** Seeds the fault rules' random streams. */
  readonly seed: number;
  /** Overrides MAX_PENDING (tests). */
  readonly maxPending?: number;
  /**
   * The emulator's clock: event times, the delivery log's times, and every wait (retries, faults);
   * default: the system clock.
   */
  readonly clock?: Clock;
}

/** Checked options (checked before the emulator opens its store, so a bad one fails first). */
export interface WebhookSettings {
  readonly startup: StartupSubscription | undefined;
  readonly scale: number;
  readonly faults: WebhookFaults;
  readonly maxPending: number;
  readonly clock: Clock;
}

/** Checks the options; a TypeError names the first problem. */
export function webhookSettings(options: WebhookOptions): WebhookSettings {
  return {
    startup: options.startup === undefined ? undefined : checkStartup(options.startup),
    scale: checkRetryScale(options.retryScale),
    faults: new WebhookFaults(options.faults ?? [], options.seed),
    maxPending: options.maxPending ?? MAX_PENDING,
    clock: options.clock ?? new SystemClock(),
  };
}

/** The queue's state, as the admin API reports it. */
export interface QueueStats {
  /** Deliveries not finished yet (queued, held, delayed, sending or waiting for a retry). */
  readonly pending: number;
  /** Attempts in flight. */
  readonly sending: number;
  /** Deliveries dropped because the queue was full, since the start (or the last reset). */
  readonly dropped: number;
  readonly capacity: number;
  readonly retryScale: number;
  readonly timeoutMs: number;
}

/** Who a delivery goes to: a subscription of the merchant, or the startup one. */
interface Target {
  readonly subscriptionId: string;
  readonly merchant: string;
}

/** One event on its way to one subscription. */
interface Delivery {
  readonly record: DeliveryRecord;
  readonly target: Target;
  readonly body: string;
  /** The dispatcher's generation it belongs to: a reset ends every delivery of the one before. */
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

const NO_FAULTS: WebhookFaultDecision = { kinds: new Set(), delayMs: 0, holdMs: 0 };

export class WebhookDispatcher {
  readonly log: DeliveryLog;
  readonly faults: WebhookFaults;
  private readonly clock: Clock;
  private readonly store: Store;
  private readonly startup: StartupSubscription | undefined;
  private readonly startupTypes: ReadonlySet<string>;
  private readonly scale: number;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Set<ClockTimer>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly connections = new Connections();
  private idleWaiters: Array<() => void> = [];
  private quietWaiters: Array<() => void> = [];
  private generation = 0;
  private pending = 0;
  private active = 0;
  private dropped = 0;
  private closed = false;

  constructor(store: Store, settings: WebhookSettings) {
    this.store = store;
    this.startup = settings.startup;
    this.startupTypes = new Set(this.startup?.eventTypes ?? EVENT_TYPES);
    this.scale = settings.scale;
    this.timeoutMs = answerTimeoutMs(this.scale);
    this.maxPending = settings.maxPending;
    this.faults = settings.faults;
    this.clock = settings.clock;
    this.log = new DeliveryLog(() => this.clock.now());
  }

  stats(): QueueStats {
    return {
      pending: this.pending,
      sending: this.active,
      dropped: this.dropped,
      capacity: this.maxPending,
      retryScale: this.scale,
      timeoutMs: this.timeoutMs,
    };
  }

  /**
   * Queues the events of a request's committed changes for every subscription of the merchant that wants
   * them (and the startup one), in the order of the changes. Synchronous and without I/O beyond one
   * read of the merchant's subscriptions.
   */
  publish(merchant: string, changes: readonly Change[]): void {
    if (this.closed || changes.length === 0) return;
    const targets = this.targetsOf(merchant);
    if (targets.length === 0) return;
    const events = changes
      .flatMap((change) => eventTypesOf(change).map((type) => ({ change, type })))
      .map((e) => ({ ...e, wanted: targets.filter((t) => t.types.has(e.type)) }))
      .filter((e) => e.wanted.length > 0);
    if (events.length === 0) return;
    // Event ids come from the merchant's id sequence (ids.ts), all taken at once.
    const { salt, first } = this.store.takeIdNumbers(merchant, events.length);
    events.forEach(({ change, type, wanted }, i) => {
      const event = eventOf(change, type, merchant, this.eventTime(), sequenceUuid(salt, first + i));
      const body = JSON.stringify(event);
      for (const { target, url } of wanted) this.enqueue(target, { id: event.event_id, type, body }, url);
    });
  }

  /**
   * Sends a subscription a test event of `type` at once (no queue, no faults, no retry) and reports what
   * its receiver answered, as Square's test operation does.
   */
  async test(
    merchant: string,
    s: StoredSubscription,
    type: CustomerEventType,
  ): Promise<SubscriptionTestResult> {
    // Called inside the request's transaction (before its first await): the event's and the result's
    // ids come from the merchant's id sequence like any other.
    const { salt, first } = this.store.takeIdNumbers(merchant, 2);
    const at = this.eventTime();
    const event = eventOf(sampleChange(type, at), type, merchant, at, sequenceUuid(salt, first));
    const body = JSON.stringify(event);
    const record = this.log.add({
      eventId: event.event_id,
      eventType: type,
      merchantId: merchant,
      subscriptionId: s.id,
      notificationUrl: s.notification_url,
      test: true,
      faults: [],
      state: "sending",
    });
    const started = this.isoNow();
    const result = await sendAttempt(
      {
        url: s.notification_url,
        body,
        signatureKey: s.signature_key,
        timeoutMs: this.timeoutMs,
        shutdown: this.shutdown.signal,
      },
      this.connections,
    );
    const state = result.abandoned ? "cancelled" : result.failure === undefined ? "delivered" : "failed";
    this.log.attempted(record, attemptOf(0, started, result), state);
    return {
      id: sequenceUuid(salt, first + 1),
      status_code: result.status ?? NO_ANSWER_STATUS_CODE,
      payload: body,
      created_at: at,
      updated_at: at,
    };
  }

  /**
   * A subscription was pointed at another URL: its deliveries still on their way go there from their
   * next attempt (`endpoint` reads the subscription then), and the log says so now.
   */
  repointed(merchant: string, subscriptionId: string, url: string): void {
    this.log.repoint(merchant, subscriptionId, url);
  }

  /**
   * Resolves once no attempt is in flight (at once when none is): what a manual clock waits for before
   * it moves on, so that a failed attempt schedules its retry from the time it was made.
   */
  whenQuiet(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  /** Resolves once no delivery is pending (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ends every delivery (they are logged `cancelled`), forgets the log, restarts the fault rules. */
  reset(): void {
    this.generation += 1;
    this.clearTimers();
    for (const lane of this.lanes.values()) {
      for (const d of [...lane.ready, ...lane.held]) this.log.update(d.record, { state: "cancelled" });
    }
    this.lanes.clear();
    this.pending = 0;
    this.dropped = 0;
    this.log.clear();
    this.faults.rewind();
    this.notifyIdle();
  }

  /** Stops delivering: no new deliveries, no more attempts, attempts in flight abandoned. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shutdown.abort();
    this.clearTimers();
    this.lanes.clear();
    await Promise.allSettled([...this.inFlight]);
    this.connections.close();
    this.pending = 0;
    this.notifyIdle();
    this.notifyQuiet();
  }

  // ---- queueing ----------------------------------------------------------------------------------------

  private targetsOf(merchant: string): Array<{ target: Target; url: string; types: ReadonlySet<string> }> {
    const targets: Array<{ target: Target; url: string; types: ReadonlySet<string> }> = enabledSubscriptions(
      this.store,
      merchant,
    ).map((s) => ({
      target: { subscriptionId: s.id, merchant },
      url: s.notification_url,
      types: new Set(s.event_types),
    }));
    if (this.startup !== undefined) {
      targets.unshift({
        target: { subscriptionId: STARTUP_SUBSCRIPTION_ID, merchant },
        url: this.startup.url,
        types: this.startupTypes,
      });
    }
    return targets;
  }

  /**
   * `created_at` of a new event: the clock's stamp (with the system clock, always after the previous
   * one, so commit order shows).
   */
  private eventTime(): string {
    return new Date(this.clock.stamp()).toISOString();
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Queues one event for one target, with the faults that fire for it (and a copy for `duplicate`). */
  private enqueue(target: Target, event: { id: string; type: string; body: string }, url: string): void {
    const decision = this.faults.decide();
    this.queue(target, event, url, decision, [...decision.kinds]);
    if (decision.kinds.has("duplicate")) this.queue(target, event, url, NO_FAULTS, ["duplicate"]);
  }

  private queue(
    target: Target,
    event: { id: string; type: string; body: string },
    url: string,
    decision: WebhookFaultDecision,
    faults: WebhookFaultKind[],
  ): void {
    const full = this.pending >= this.maxPending;
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
      this.later(decision.delayMs, () => this.admit(d));
    } else {
      this.admit(d);
    }
  }

  /** After any delay: held back by a reorder fault, or ready to go. */
  private admit(d: Delivery): void {
    if (d.holdMs === 0) {
      this.ready(d);
      return;
    }
    d.held = true;
    this.lane(d.target).held.push(d);
    d.holdTimer = this.later(d.holdMs, () => this.release(d));
  }

  /** Ends a reorder hold (a later delivery was answered, or the hold ran out). */
  private release(d: Delivery): void {
    if (!d.held || d.generation !== this.generation) return;
    d.held = false;
    const held = this.lane(d.target).held;
    const index = held.indexOf(d);
    if (index !== -1) held.splice(index, 1);
    if (d.holdTimer !== undefined) this.cancelTimer(d.holdTimer);
    this.ready(d);
  }

  private ready(d: Delivery): void {
    if (d.generation !== this.generation || this.closed) return;
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

  // ---- attempts ----------------------------------------------------------------------------------------

  /** The subscription's URL and key as they are now; undefined once it is deleted or disabled. */
  private endpoint(target: Target): { url: string; signatureKey: string } | undefined {
    if (target.subscriptionId === STARTUP_SUBSCRIPTION_ID) return this.startup;
    const s = loadSubscription(this.store, target.merchant, target.subscriptionId);
    return s?.enabled ? { url: s.notification_url, signatureKey: s.signature_key } : undefined;
  }

  private async attempt(d: Delivery): Promise<void> {
    if (d.generation !== this.generation || this.closed) return;
    const endpoint = this.endpoint(d.target);
    if (endpoint === undefined) {
      this.log.update(d.record, { state: "cancelled" });
      this.finish(d);
      return;
    }
    const at = this.isoNow();
    d.initialAt ??= at;
    // The subscription may have been repointed since the event was queued: the log shows where it goes now.
    this.log.update(d.record, { state: "sending", notificationUrl: endpoint.url });
    const retry = d.attempts;
    const result: AttemptResult =
      d.failFirst && retry === 0
        ? {
            latencyMs: 0,
            failure: INJECTED_FAILURE_REASON,
            error: "injected failure (fail_first): nothing was sent",
          }
        : await sendAttempt(
            {
              url: endpoint.url,
              body: d.body,
              signatureKey: endpoint.signatureKey,
              ...(retry > 0
                ? { retry: { number: retry, reason: d.lastFailure!, initialAt: d.initialAt } }
                : {}),
              timeoutMs: this.timeoutMs,
              shutdown: this.shutdown.signal,
            },
            this.connections,
          );
    if (result.abandoned || d.generation !== this.generation) return;
    d.attempts += 1;
    const attempt: DeliveryAttempt = {
      ...attemptOf(retry, at, result),
      ...(retry > 0 ? { retryReason: d.lastFailure! } : {}),
      ...(d.failFirst && retry === 0 ? { injected: true as const } : {}),
    };
    if (result.failure === undefined) {
      this.log.attempted(d.record, attempt, "delivered");
      this.finish(d);
      return;
    }
    d.lastFailure = result.failure;
    const delay = retryDelayMs(d.attempts, this.scale);
    if (delay === undefined) {
      this.log.attempted(d.record, attempt, "failed");
      this.finish(d);
      return;
    }
    this.log.attempted(d.record, attempt, "retrying", new Date(this.clock.now() + delay).toISOString());
    this.later(delay, () => this.ready(d));
  }

  /** An attempt that threw (a bug of the emulator's): the delivery ends as failed, the emulator goes on. */
  private broke(d: Delivery, error: unknown): void {
    const attempt = { retry: d.attempts, at: this.isoNow(), latencyMs: 0, error: String(error) };
    this.log.attempted(d.record, attempt, "failed");
    this.finish(d);
  }

  private finish(d: Delivery): void {
    if (d.done || d.generation !== this.generation) return;
    d.done = true;
    this.pending -= 1;
    if (this.pending === 0) this.notifyIdle();
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

  // ---- timers ------------------------------------------------------------------------------------------

  private later(ms: number, run: () => void): ClockTimer {
    const timer = this.clock.setTimer(ms, () => {
      this.timers.delete(timer);
      run();
    });
    this.timers.add(timer);
    return timer;
  }

  private cancelTimer(timer: ClockTimer): void {
    this.clock.clearTimer(timer);
    this.timers.delete(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) this.clock.clearTimer(timer);
    this.timers.clear();
  }
}

/** An attempt as the log keeps it. */
function attemptOf(retry: number, at: string, result: AttemptResult): DeliveryAttempt {
  return {
    retry,
    at,
    ...(result.status === undefined ? {} : { status: result.status }),
    latencyMs: result.latencyMs,
    ...(result.failure === undefined ? {} : { failure: result.failure }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

/** Checks the startup subscription (a usable URL, a key, known event types). */
function checkStartup(startup: StartupSubscription): StartupSubscription {
  if (typeof startup.url !== "string" || !isNotificationUrl(startup.url)) {
    throw new TypeError("webhooks.url must be an absolute http or https URL");
  }
  if (typeof startup.signatureKey !== "string" || startup.signatureKey === "") {
    throw new TypeError("webhooks.signatureKey must be a non-empty string");
  }
  for (const type of startup.eventTypes ?? []) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      throw new TypeError(`webhooks.eventTypes: unknown event type "${type}"`);
    }
  }
  return startup;
}
