// The recent webhook deliveries, for the admin API and the dashboard: one record per delivery (an event
// to one subscription), updated as its attempts happen. A bounded ring (the emulator may run for days).
// Every change gives the record a new revision number, so a reader can ask for "everything that changed
// after revision N" and poll cheaply. Records never hold a signature key.
import type { RetryReason } from "../square-choices.js";
import type { WebhookFaultKind } from "./faults.js";

/**
 * Where a delivery stands: `queued` (waiting for its first attempt, a free slot, or a delay or reorder
 * fault), `sending`, `retrying` (failed, waiting for its next retry), `delivered` (a 2xx), `failed`
 * (no retry left in the 72 hours), `dropped` (the queue was full), `cancelled` (its subscription was
 * deleted or disabled, or the emulator was reset).
 */
export type DeliveryState =
  | "queued"
  | "sending"
  | "retrying"
  | "delivered"
  | "failed"
  | "dropped"
  | "cancelled";

/** One attempt to deliver. */
export interface DeliveryAttempt {
  /** 0 for the first attempt, else the retry's number (its `square-retry-number`). */
  readonly retry: number;
  readonly at: string;
  /** The receiver's HTTP status; absent when it did not answer (or nothing was sent). */
  readonly status?: number;
  readonly latencyMs: number;
  /** The `square-retry-reason` this attempt carried (retries only). */
  readonly retryReason?: RetryReason;
  /** Why it failed, as its retry will say it; absent when delivered. */
  readonly failure?: RetryReason;
  /** What went wrong, in words (refused connection, timeout, status). */
  readonly error?: string;
  /** Set when a `fail_first` fault pretended this attempt failed: nothing was sent. */
  readonly injected?: true;
}

/** A delivery as the admin API shows it. */
export interface DeliveryView {
  /** Numbered in the order deliveries were queued. */
  readonly seq: number;
  /** Changes with every update of the record (see `DeliveryLog.since`). */
  readonly rev: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly merchantId: string;
  /** The subscription's id, or `startup` for the one given at startup (`--webhook-url`). */
  readonly subscriptionId: string;
  /** Where the delivery goes: its latest attempt's URL (a repointed subscription's retries go to the new one). */
  readonly notificationUrl: string;
  /** Sent by the subscription test operation (one attempt, no retries). */
  readonly test: boolean;
  /** Faults that shaped it (`duplicate` marks the extra copy). */
  readonly faults: readonly WebhookFaultKind[];
  readonly state: DeliveryState;
  readonly attempts: readonly DeliveryAttempt[];
  /** When the next attempt is due (retrying, or held by a delay fault). */
  readonly nextAttemptAt?: string;
  readonly createdAt: string;
}

/** The fields a delivery is created with. */
export type NewDelivery = Omit<DeliveryView, "seq" | "rev" | "attempts" | "createdAt">;

/** A record the log can change. */
export type DeliveryRecord = { -readonly [K in keyof DeliveryView]: DeliveryView[K] };

/** How many deliveries the log keeps. */
export const DELIVERY_LOG_CAPACITY = 500;

export class DeliveryLog {
  private readonly records: DeliveryRecord[] = [];
  private nextSeq = 1;
  private rev = 0;

  /** `now`: the emulator's clock, in milliseconds since the epoch. */
  constructor(
    private readonly now: () => number,
    private readonly capacity = DELIVERY_LOG_CAPACITY,
  ) {}

  /** The latest revision: a reader that has seen it has seen everything. */
  revision(): number {
    return this.rev;
  }

  add(delivery: NewDelivery): DeliveryRecord {
    const record: DeliveryRecord = {
      ...delivery,
      seq: this.nextSeq++,
      rev: ++this.rev,
      attempts: [],
      createdAt: new Date(this.now()).toISOString(),
    };
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.shift();
    return record;
  }

  /** Changes a record (kept or already evicted: the delivery goes on either way). */
  update(
    record: DeliveryRecord,
    change: Partial<Pick<DeliveryRecord, "state" | "nextAttemptAt" | "notificationUrl">>,
  ): void {
    Object.assign(record, change);
    if (change.nextAttemptAt === undefined) delete record.nextAttemptAt;
    record.rev = ++this.rev;
  }

  /** Deliveries of a subscription that are not over yet now go to `url` (see `WebhookDispatcher.repointed`). */
  repoint(merchantId: string, subscriptionId: string, url: string): void {
    for (const record of this.records) {
      const open = record.state === "queued" || record.state === "retrying" || record.state === "sending";
      if (open && record.merchantId === merchantId && record.subscriptionId === subscriptionId) {
        record.notificationUrl = url;
        record.rev = ++this.rev;
      }
    }
  }

  /** Adds an attempt to a record, with the state it leaves the delivery in. */
  attempted(record: DeliveryRecord, attempt: DeliveryAttempt, state: DeliveryState, nextAttemptAt?: string) {
    record.attempts = [...record.attempts, attempt];
    this.update(record, nextAttemptAt === undefined ? { state } : { state, nextAttemptAt });
  }

  /** The kept records changed after revision `rev`, in queueing order. */
  since(rev: number): DeliveryView[] {
    return this.records.filter((r) => r.rev > rev).map((r) => ({ ...r }));
  }

  /** Forgets every record (numbering goes on, so a reader's "after N" stays meaningful). */
  clear(): void {
    this.records.length = 0;
  }
}
