// Faults of webhook delivery, for testing receivers: what Square's at-least-once, unordered delivery can
// do to them, on demand. Rules fire like the API's fault rules (api/faults.ts): on the `nth` deliveries, at a
// seeded `rate`, or on every delivery; the decision is made once per delivery, when it is queued.
import {
  type ArmedRule,
  armRules,
  checkRule,
  countAndFire,
  parseRuleText,
  type RuleOption,
} from "../api/faults.js";

export type WebhookFaultKind =
  /** The delivery is sent twice: a second, independent copy (same body, same `event_id`) follows it. */
  | "duplicate"
  /**
   * The delivery is held back until a later delivery to the same subscription has been answered, so
   * the later event arrives first (or for at most `ms`, default 1,000, if no later one comes).
   */
  | "reorder"
  /** The first attempt waits `ms` (default 1,000) before it is sent. */
  | "delay"
  /**
   * The emulator pretends the first attempt failed (sends nothing, logs it as a timeout) and retries on
   * the schedule, so the receiver's first sight of the event is a retry.
   */
  | "fail_first";

export const WEBHOOK_FAULT_KINDS: readonly WebhookFaultKind[] = [
  "duplicate",
  "reorder",
  "delay",
  "fail_first",
];

/** One webhook fault rule: fires on the `nth` deliveries (1-based, per rule), at `rate`, or always. */
export interface WebhookFaultRule {
  readonly kind: WebhookFaultKind;
  readonly rate?: number;
  readonly nth?: readonly number[];
  /** For `delay`, the wait; for `reorder`, the longest hold (default 1,000 ms each). */
  readonly ms?: number;
}

export const DEFAULT_FAULT_MS = 1_000;

/** The faults that fired for one delivery. */
export interface WebhookFaultDecision {
  readonly kinds: ReadonlySet<WebhookFaultKind>;
  /** Delay before the first attempt (0 without a `delay` fault). */
  readonly delayMs: number;
  /** Longest hold of a `reorder` fault. */
  readonly holdMs: number;
}

/** Keeps webhook faults' random streams apart from the API fault rules' (same seed). */
const WEBHOOK_FAULT_STREAM = 500_000;

export class WebhookFaults {
  private armed: ArmedRule<WebhookFaultRule>[] = [];

  constructor(
    rules: readonly WebhookFaultRule[],
    private readonly seed: number,
  ) {
    this.set(rules);
  }

  /** Replaces the rules (validated first); counters and random streams start afresh. */
  set(rules: readonly WebhookFaultRule[]): void {
    this.armed = armRules(validateWebhookFaultRules(rules), this.seed, WEBHOOK_FAULT_STREAM);
  }

  rules(): WebhookFaultRule[] {
    return this.armed.map((a) => a.rule);
  }

  rewind(): void {
    this.set(this.rules());
  }

  /** Counts one more delivery against every rule and says which faults fire for it. */
  decide(): WebhookFaultDecision {
    const kinds = new Set<WebhookFaultKind>();
    let delayMs = 0;
    let holdMs = 0;
    for (const armed of this.armed) {
      if (!countAndFire(armed)) continue;
      const { kind, ms = DEFAULT_FAULT_MS } = armed.rule;
      kinds.add(kind);
      if (kind === "delay") delayMs += ms;
      if (kind === "reorder") holdMs = Math.max(holdMs, ms);
    }
    return { kinds, delayMs, holdMs };
  }
}

/** Checks webhook fault rules given through the API or CLI; the message names the first problem. */
export function validateWebhookFaultRules(rules: readonly unknown[]): WebhookFaultRule[] {
  if (!Array.isArray(rules)) throw new TypeError("webhook faults must be an array of rules");
  return rules.map(
    (raw, i) =>
      checkRule(
        raw,
        `webhookFaults[${i}]`,
        WEBHOOK_FAULT_KINDS,
        ["rate", "nth", "ms"],
        ["ms"],
      ) as unknown as WebhookFaultRule,
  );
}

const WEBHOOK_FAULT_OPTIONS: Record<string, RuleOption> = {
  nth: { key: "nth", read: "integers" },
  rate: { key: "rate", read: "number" },
  ms: { key: "ms", read: "number" },
};

/**
 * Parses the CLI's `--webhook-faults` text: rules separated by spaces, each `KIND` or
 * `KIND:OPTION;OPTION…` with options `nth=1,3`, `rate=0.1`, `ms=500`, e.g.
 * `"duplicate:rate=0.1 reorder:rate=0.1 delay:rate=0.1;ms=300 fail_first:nth=1"`; or a JSON array.
 */
export function parseWebhookFaults(text: string): WebhookFaultRule[] {
  return parseRuleText(text, "--webhook-faults", WEBHOOK_FAULT_OPTIONS, validateWebhookFaultRules);
}
