import { type OperationName, operations } from "@square-customers/core";
import { seededRandom } from "./ids.js";

/** What an injected fault does to a request. */
export type FaultKind =
  /** 429 RATE_LIMITED with `Retry-After`; the request is not processed. */
  | "rate_limit"
  /** 500 INTERNAL_SERVER_ERROR; the request is not processed. */
  | "server_error"
  /** 503 SERVICE_UNAVAILABLE (with `Retry-After` when `retryAfterSeconds` is set); not processed. */
  | "unavailable"
  /** Waits `latencyMs` (default 100) before handling the request normally. Latency rules add up. */
  | "latency"
  /**
   * The request IS processed (a write is applied and durable), then the socket is destroyed without an
   * answer: the client cannot tell whether it worked, which is what idempotent retries are for.
   */
  | "drop_connection"
  /** Processed; the answer's headers promise the full body but only half arrives before the socket closes. */
  | "truncated_body"
  /** Processed; the answer has the real status but a body that is not valid JSON. */
  | "malformed_body";

export const FAULT_KINDS: readonly FaultKind[] = [
  "rate_limit",
  "server_error",
  "unavailable",
  "latency",
  "drop_connection",
  "truncated_body",
  "malformed_body",
];

/**
 * One fault-injection rule. It applies to requests for `operations` (default: every operation) and fires
 * on the `nth` matching requests (1-based, counted per rule), or at random with probability `rate` from
 * a PRNG seeded by the emulator's `seed`, or — with neither — on every matching request.
 */
export interface FaultRule {
  readonly kind: FaultKind;
  readonly operations?: readonly OperationName[];
  readonly rate?: number;
  readonly nth?: readonly number[];
  /** `Retry-After` seconds (rounded up) for rate_limit (default 1) and unavailable (sent only when set). */
  readonly retryAfterSeconds?: number;
  /** Delay for latency rules (default 100 ms). */
  readonly latencyMs?: number;
}

/** What to do with one request: wait `latencyMs`, then apply `fault` (if any). */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault: FaultRule | undefined;
}

interface ArmedRule {
  readonly rule: FaultRule;
  readonly random: () => number;
  count: number;
}

/** Holds the active rules and their per-rule request counters. */
export class FaultInjector {
  private armed: ArmedRule[] = [];
  private readonly seed: number;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.seed = seed;
    this.set(rules);
  }

  /** Replaces the rules (validating them first); counters and random streams start afresh. */
  set(rules: readonly FaultRule[]): void {
    const checked = validateFaultRules(rules);
    this.armed = checked.map((rule, index) => ({
      rule,
      // Each rule gets its own stream so adding a rule does not change when another one fires.
      random: seededRandom(this.seed * 7919 + index + 1),
      count: 0,
    }));
  }

  rules(): FaultRule[] {
    return this.armed.map((a) => a.rule);
  }

  /** Restarts every rule's counter and random stream. */
  rewind(): void {
    this.set(this.rules());
  }

  /** Counts the request against every matching rule and says which faults fire for it. */
  decide(operation: OperationName): FaultDecision {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const armed of this.armed) {
      const { rule } = armed;
      if (rule.operations !== undefined && !rule.operations.includes(operation)) continue;
      armed.count += 1;
      const byCount = rule.nth?.includes(armed.count) ?? false;
      // Draw on every matching request, fired or not, so the sequence depends only on the request count.
      const byRate = rule.rate !== undefined && armed.random() < rule.rate;
      const fires = rule.nth === undefined && rule.rate === undefined ? true : byCount || byRate;
      if (!fires) continue;
      if (rule.kind === "latency") latencyMs += rule.latencyMs ?? 100;
      else fault ??= rule;
    }
    return { latencyMs, fault };
  }
}

/** Checks rules given through the API or CLI, with a readable message for the first problem. */
export function validateFaultRules(rules: readonly unknown[]): FaultRule[] {
  if (!Array.isArray(rules)) throw new TypeError("faults must be an array of rules");
  return rules.map((raw, i) => {
    const where = `faults[${i}]`;
    if (raw === null || typeof raw !== "object") throw new TypeError(`${where} must be an object`);
    const r = raw as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      if (!["kind", "operations", "rate", "nth", "retryAfterSeconds", "latencyMs"].includes(key)) {
        throw new TypeError(`${where}: unknown option "${key}"`);
      }
    }
    if (!FAULT_KINDS.includes(r.kind as FaultKind)) {
      throw new TypeError(`${where}.kind must be one of ${FAULT_KINDS.join(", ")}`);
    }
    if (r.operations !== undefined) {
      if (!Array.isArray(r.operations)) throw new TypeError(`${where}.operations must be an array`);
      for (const op of r.operations) {
        if (typeof op !== "string" || !Object.hasOwn(operations, op)) {
          throw new TypeError(`${where}.operations: unknown operation "${String(op)}"`);
        }
      }
    }
    if (r.rate !== undefined && !(typeof r.rate === "number" && r.rate >= 0 && r.rate <= 1)) {
      throw new TypeError(`${where}.rate must be a number from 0 to 1`);
    }
    if (r.nth !== undefined) {
      if (!Array.isArray(r.nth) || !r.nth.every((n) => Number.isSafeInteger(n) && n >= 1)) {
        throw new TypeError(`${where}.nth must be an array of positive integers`);
      }
    }
    for (const key of ["retryAfterSeconds", "latencyMs"] as const) {
      const v = r[key];
      if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 3_600_000)) {
        throw new TypeError(`${where}.${key} must be a non-negative number`);
      }
    }
    return r as unknown as FaultRule;
  });
}

const OPTION_NAMES: Record<string, keyof FaultRule> = {
  op: "operations",
  ops: "operations",
  operations: "operations",
  nth: "nth",
  rate: "rate",
  retry_after: "retryAfterSeconds",
  retryAfterSeconds: "retryAfterSeconds",
  ms: "latencyMs",
  latency: "latencyMs",
  latencyMs: "latencyMs",
};

/**
 * Parses the CLI's `--faults` text. Rules are separated by spaces; each is `KIND` or
 * `KIND:OPTION;OPTION…` with options `nth=1,3`, `rate=0.2`, `op=createCustomer,listCustomers`,
 * `retry_after=2`, `ms=250`. Example: `"rate_limit:nth=1,2;op=createCustomer latency:ms=50"`.
 * A JSON array of rules (text starting with `[`) is accepted as well.
 */
export function parseFaults(text: string): FaultRule[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new TypeError("--faults: invalid JSON");
    }
    return validateFaultRules(parsed as unknown[]);
  }
  const rules = trimmed.split(/\s+/).map((spec) => {
    const colon = spec.indexOf(":");
    const kind = colon === -1 ? spec : spec.slice(0, colon);
    const rule: Record<string, unknown> = { kind };
    const options = colon === -1 ? [] : spec.slice(colon + 1).split(";");
    for (const option of options) {
      if (option === "") continue;
      const eq = option.indexOf("=");
      const optionName = eq === -1 ? option : option.slice(0, eq);
      const name = Object.hasOwn(OPTION_NAMES, optionName) ? OPTION_NAMES[optionName] : undefined;
      const value = option.slice(eq + 1);
      // An empty value would otherwise read as 0 (`rate=`) or as "never" (`nth=`).
      if (eq === -1 || name === undefined || value === "")
        throw new TypeError(`--faults: cannot read option "${option}" in "${spec}"`);
      const list = value.split(",").filter((v) => v !== "");
      if (name === "operations") rule.operations = list;
      else if (name === "nth") rule.nth = list.map(Number);
      else rule[name] = Number(value);
    }
    return rule;
  });
  return validateFaultRules(rules);
}
