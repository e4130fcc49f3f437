// What configures webhook delivery, as `startEmulator` takes it, checked before the emulator opens its
// store (so a bad option fails first): the startup subscription (`--webhook-url`), the retry scale, the
// delivery faults, the clock, and the queue's bound.
import { type Clock, SystemClock } from "../clock.js";
import { type WebhookFaultRule, WebhookFaults } from "./faults.js";
import { checkRetryScale } from "./schedule.js";
import { EVENT_TYPES, isNotificationUrl } from "./subscriptions.js";

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
