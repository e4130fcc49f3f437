// Sending: one attempt of a queued delivery, to where its subscription points now, and what its answer
// means — delivered, retried on Square's schedule (schedule.ts) after a failure, or failed for good once
// the schedule is over — and a subscription's test event, sent at once. The `fail_first` fault acts here:
// a delivery's first attempt fails without anything being sent.
import type { CustomerEventType, SubscriptionTestResult } from "@square-customers/core";
import type { Clock } from "../clock.js";
import { sequenceUuid } from "../data/ids.js";
import type { Store } from "../data/store.js";
import { INJECTED_FAILURE_REASON, NO_ANSWER_STATUS_CODE } from "../square-choices.js";
import type { DeliveryAttempt, DeliveryLog } from "./delivery-log.js";
import { eventOf, eventTime, sampleChange } from "./events.js";
import type { Delivery, DeliveryQueue, Target } from "./queue.js";
import { retryDelayMs } from "./schedule.js";
import { type AttemptResult, Connections, sendAttempt } from "./send.js";
import { STARTUP_SUBSCRIPTION_ID, type StartupSubscription } from "./settings.js";
import { loadSubscription, type StoredSubscription } from "./subscriptions.js";

/** What sending needs: where subscriptions are, how long a receiver has, and the log to write to. */
export interface SendingEnv {
  readonly store: Store;
  readonly startup: StartupSubscription | undefined;
  readonly log: DeliveryLog;
  readonly clock: Clock;
  /** Multiplies the retry schedule (0 < scale ≤ 1). */
  readonly scale: number;
  /** How long a receiver has to answer. */
  readonly timeoutMs: number;
}

export class DeliveryAttempts {
  private readonly shutdown = new AbortController();
  private readonly connections = new Connections();

  constructor(private readonly env: SendingEnv) {}

  /** Makes one attempt of a delivery of `queue`, then finishes it there or has it retried. */
  async attempt(d: Delivery, queue: DeliveryQueue): Promise<void> {
    if (!queue.isCurrent(d) || queue.closed) return;
    const { log, clock } = this.env;
    const endpoint = this.endpoint(d.target);
    if (endpoint === undefined) {
      log.update(d.record, { state: "cancelled" });
      queue.finish(d);
      return;
    }
    const at = new Date(clock.now()).toISOString();
    d.initialAt ??= at;
    // The subscription may have been repointed since the event was queued: the log shows where it goes now.
    log.update(d.record, { state: "sending", notificationUrl: endpoint.url });
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
              timeoutMs: this.env.timeoutMs,
              shutdown: this.shutdown.signal,
            },
            this.connections,
          );
    if (result.abandoned || !queue.isCurrent(d)) return;
    d.attempts += 1;
    const attempt: DeliveryAttempt = {
      ...attemptOf(retry, at, result),
      ...(retry > 0 ? { retryReason: d.lastFailure! } : {}),
      ...(d.failFirst && retry === 0 ? { injected: true as const } : {}),
    };
    if (result.failure === undefined) {
      log.attempted(d.record, attempt, "delivered");
      queue.finish(d);
      return;
    }
    d.lastFailure = result.failure;
    const delay = retryDelayMs(d.attempts, this.env.scale);
    if (delay === undefined) {
      log.attempted(d.record, attempt, "failed");
      queue.finish(d);
      return;
    }
    log.attempted(d.record, attempt, "retrying", new Date(clock.now() + delay).toISOString());
    queue.retryLater(d, delay);
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
    const { store, log, clock } = this.env;
    // Called inside the request's transaction (before its first await): the event's and the result's
    // ids come from the merchant's id sequence like any other.
    const { salt, first } = store.takeIdNumbers(merchant, 2);
    const at = eventTime(clock);
    const event = eventOf(sampleChange(type, at), type, merchant, at, sequenceUuid(salt, first));
    const body = JSON.stringify(event);
    const record = log.add({
      eventId: event.event_id,
      eventType: type,
      merchantId: merchant,
      subscriptionId: s.id,
      notificationUrl: s.notification_url,
      test: true,
      faults: [],
      state: "sending",
    });
    const started = new Date(clock.now()).toISOString();
    const result = await sendAttempt(
      {
        url: s.notification_url,
        body,
        signatureKey: s.signature_key,
        timeoutMs: this.env.timeoutMs,
        shutdown: this.shutdown.signal,
      },
      this.connections,
    );
    const state = result.abandoned ? "cancelled" : result.failure === undefined ? "delivered" : "failed";
    log.attempted(record, attemptOf(0, started, result), state);
    return {
      id: sequenceUuid(salt, first + 1),
      status_code: result.status ?? NO_ANSWER_STATUS_CODE,
      payload: body,
      created_at: at,
      updated_at: at,
    };
  }

  /** Abandons the attempts in flight (they end as neither delivered nor failed). */
  abandon(): void {
    this.shutdown.abort();
  }

  /** Closes the kept-alive connections (once no attempt is in flight). */
  close(): void {
    this.connections.close();
  }

  /** The subscription's URL and key as they are now; undefined once it is deleted or disabled. */
  private endpoint(target: Target): { url: string; signatureKey: string } | undefined {
    if (target.subscriptionId === STARTUP_SUBSCRIPTION_ID) return this.env.startup;
    const s = loadSubscription(this.env.store, target.merchant, target.subscriptionId);
    return s?.enabled ? { url: s.notification_url, signatureKey: s.signature_key } : undefined;
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
