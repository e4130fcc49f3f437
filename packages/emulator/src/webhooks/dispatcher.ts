// Webhook delivery, apart from the API. An API request only hands its committed changes to `publish`:
// the fan-out, which builds the events and queues one delivery per subscription that wants each, with
// the faults that fire for it (a few synchronous steps, no I/O). The queue (queue.ts) then sends them in
// the background, in order and within its limits; each attempt (attempts.ts) is retried on Square's
// schedule after a failure. The dispatcher also owns the lifecycle: waiting until delivery is quiet or
// idle, a reset, and closing.
import type { CustomerEventType, SubscriptionTestResult } from "@square-customers/core";
import type { Clock } from "../clock.js";
import { sequenceUuid } from "../data/ids.js";
import type { Store } from "../data/store.js";
import { DeliveryAttempts } from "./attempts.js";
import type { Change } from "./changes.js";
import { DeliveryLog } from "./delivery-log.js";
import { eventOf, eventTime, eventTypesOf } from "./events.js";
import type { WebhookFaultDecision, WebhookFaults } from "./faults.js";
import { DeliveryQueue, type QueuedEvent, type Target } from "./queue.js";
import { answerTimeoutMs } from "./schedule.js";
import { STARTUP_SUBSCRIPTION_ID, type StartupSubscription, type WebhookSettings } from "./settings.js";
import { EVENT_TYPES, enabledSubscriptions, type StoredSubscription } from "./subscriptions.js";

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

/** A subscription an event may go to: where it is logged, where it goes now, and what it wants. */
interface Subscriber {
  readonly target: Target;
  readonly url: string;
  readonly types: ReadonlySet<string>;
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
  private readonly queue: DeliveryQueue;
  private readonly attempts: DeliveryAttempts;

  constructor(store: Store, settings: WebhookSettings) {
    this.store = store;
    this.startup = settings.startup;
    this.startupTypes = new Set(this.startup?.eventTypes ?? EVENT_TYPES);
    this.scale = settings.scale;
    this.timeoutMs = answerTimeoutMs(this.scale);
    this.faults = settings.faults;
    this.clock = settings.clock;
    this.log = new DeliveryLog(() => this.clock.now());
    this.attempts = new DeliveryAttempts({
      store,
      startup: this.startup,
      log: this.log,
      clock: this.clock,
      scale: this.scale,
      timeoutMs: this.timeoutMs,
    });
    this.queue = new DeliveryQueue(this.log, this.clock, settings.maxPending, (d) =>
      this.attempts.attempt(d, this.queue),
    );
  }

  stats(): QueueStats {
    return {
      ...this.queue.counts(),
      capacity: this.queue.capacity,
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
    if (this.queue.closed || changes.length === 0) return;
    const subscribers = this.subscribersOf(merchant);
    if (subscribers.length === 0) return;
    const events = changes
      .flatMap((change) => eventTypesOf(change).map((type) => ({ change, type })))
      .map((e) => ({ ...e, wanted: subscribers.filter((s) => s.types.has(e.type)) }))
      .filter((e) => e.wanted.length > 0);
    if (events.length === 0) return;
    // Event ids come from the merchant's id sequence (ids.ts), all taken at once.
    const { salt, first } = this.store.takeIdNumbers(merchant, events.length);
    events.forEach(({ change, type, wanted }, i) => {
      const event = eventOf(change, type, merchant, eventTime(this.clock), sequenceUuid(salt, first + i));
      const queued = { id: event.event_id, type, body: JSON.stringify(event) };
      for (const { target, url } of wanted) this.enqueue(target, queued, url);
    });
  }

  /**
   * Sends a subscription a test event of `type` at once (no queue, no faults, no retry) and reports what
   * its receiver answered, as Square's test operation does.
   */
  test(merchant: string, s: StoredSubscription, type: CustomerEventType): Promise<SubscriptionTestResult> {
    return this.attempts.test(merchant, s, type);
  }

  /**
   * A subscription was pointed at another URL: its deliveries still on their way go there from their
   * next attempt (each attempt reads the subscription then), and the log says so now.
   */
  repointed(merchant: string, subscriptionId: string, url: string): void {
    this.log.repoint(merchant, subscriptionId, url);
  }

  /**
   * Resolves once no attempt is in flight (at once when none is): what a manual clock waits for before
   * it moves on, so that a failed attempt schedules its retry from the time it was made.
   */
  whenQuiet(): Promise<void> {
    return this.queue.whenQuiet();
  }

  /** Resolves once no delivery is pending (at once when none is). */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** Ends every delivery (they are logged `cancelled`), forgets the log, restarts the fault rules. */
  reset(): void {
    this.queue.reset();
    this.log.clear();
    this.faults.rewind();
  }

  /** Stops delivering: no new deliveries, no more attempts, attempts in flight abandoned. */
  async close(): Promise<void> {
    if (this.queue.closed) return;
    this.queue.stop();
    this.attempts.abandon();
    await this.queue.settled();
    this.attempts.close();
    this.queue.drain();
  }

  /** The merchant's enabled subscriptions, and the startup one first when there is one. */
  private subscribersOf(merchant: string): Subscriber[] {
    const subscribers: Subscriber[] = enabledSubscriptions(this.store, merchant).map((s) => ({
      target: { subscriptionId: s.id, merchant },
      url: s.notification_url,
      types: new Set(s.event_types),
    }));
    if (this.startup !== undefined) {
      subscribers.unshift({
        target: { subscriptionId: STARTUP_SUBSCRIPTION_ID, merchant },
        url: this.startup.url,
        types: this.startupTypes,
      });
    }
    return subscribers;
  }

  /** Queues one event for one target, with the faults that fire for it (and a copy for `duplicate`). */
  private enqueue(target: Target, event: QueuedEvent, url: string): void {
    const decision = this.faults.decide();
    this.queue.add(target, event, url, decision, [...decision.kinds]);
    if (decision.kinds.has("duplicate")) this.queue.add(target, event, url, NO_FAULTS, ["duplicate"]);
  }
}
