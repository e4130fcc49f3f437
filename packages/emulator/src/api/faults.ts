import { type OperationName, operations } from "@square-customers/core";
import { seededRandom } from "../random.js";

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

/** When a rule fires: on its `nth` matching occurrences, at random with probability `rate`, or always. */
export interface Trigger {
  readonly rate?: number;
  readonly nth?: readonly number[];
}

/** A rule with its own occurrence counter and its own random stream. */
export interface ArmedRule<R extends Trigger> {
  readonly rule: R;
  readonly random: () => number;
  count: number;
}

/**
 * Arms rules for counting. Each rule gets its own random stream so adding a rule does not change when
 * another one fires; `stream` keeps one family of rules (API faults, webhook faults) apart from another.
 */
export function armRules<R extends Trigger>(rules: readonly R[], seed: number, stream = 0): ArmedRule<R>[] {
  return rules.map((rule, index) => ({
    rule,
    random: seededRandom(seed * 7919 + stream + index + 1),
    count: 0,
  }));
}

/**
 * Counts one more occurrence against a rule and says whether the rule fires for it. It draws from the
 * rule's stream on every occurrence, fired or not, so the sequence depends only on the count.
 */
export function countAndFire(armed: ArmedRule<Trigger>): boolean {
  const { rule } = armed;
  armed.count += 1;
  const byCount = rule.nth?.includes(armed.count) ?? false;
  const byRate = rule.rate !== undefined && armed.random() < rule.rate;
  return rule.nth === undefined && rule.rate === undefined ? true : byCount || byRate;
}

/** Holds the active rules and their per-rule request counters. */
export class FaultInjector {
  private armed: ArmedRule<FaultRule>[] = [];
  private readonly seed: number;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.seed = seed;
    this.set(rules);
  }

  /** Replaces the rules (validating them first); counters and random streams start afresh. */
  set(rules: readonly FaultRule[]): void {
    this.armed = armRules(validateFaultRules(rules), this.seed);
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
      if (!countAndFire(armed)) continue;
      if (rule.kind === "latency") latencyMs += rule.latencyMs ?? 100;
      else fault ??= rule;
    }
    return { latencyMs, fault };
  }
}

/**
 * Checks one rule given through the API or CLI: an object with only `allowed` keys, a `kind` from
 * `kinds`, and well-formed `rate`, `nth` and `numbers` options. The message names the first problem.
 */
export function checkRule(
  raw: unknown,
  where: string,
  kinds: readonly string[],
  allowed: readonly string[],
  numbers: readonly string[],
): Record<string, unknown> {
  if (raw === null || typeof raw !== "object") throw new TypeError(`${where} must be an object`);
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key !== "kind" && !allowed.includes(key)) throw new TypeError(`${where}: unknown option "${key}"`);
  }
  if (!kinds.includes(r.kind as string))
    throw new TypeError(`${where}.kind must be one of ${kinds.join(", ")}`);
  if (r.rate !== undefined && !(typeof r.rate === "number" && r.rate >= 0 && r.rate <= 1)) {
    throw new TypeError(`${where}.rate must be a number from 0 to 1`);
  }
  if (r.nth !== undefined) {
    if (!Array.isArray(r.nth) || !r.nth.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      throw new TypeError(`${where}.nth must be an array of positive integers`);
    }
  }
  for (const key of numbers) {
    const v = r[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 3_600_000)) {
      throw new TypeError(`${where}.${key} must be a non-negative number`);
    }
  }
  return r;
}

/** Checks rules given through the API or CLI, with a readable message for the first problem. */
export function validateFaultRules(rules: readonly unknown[]): FaultRule[] {
  if (!Array.isArray(rules)) throw new TypeError("faults must be an array of rules");
  return rules.map((raw, i) => {
    const where = `faults[${i}]`;
    const r = checkRule(
      raw,
      where,
      FAULT_KINDS,
      ["operations", "rate", "nth", "retryAfterSeconds", "latencyMs"],
      ["retryAfterSeconds", "latencyMs"],
    );
    if (r.operations !== undefined) {
      if (!Array.isArray(r.operations)) throw new TypeError(`${where}.operations must be an array`);
      for (const op of r.operations) {
        if (typeof op !== "string" || !Object.hasOwn(operations, op)) {
          throw new TypeError(`${where}.operations: unknown operation "${String(op)}"`);
        }
      }
    }
    return r as unknown as FaultRule;
  });
}

/** How rule text names an option: the rule's key, and how its value reads. */
export interface RuleOption {
  readonly key: string;
  readonly read: "names" | "integers" | "number";
}

const FAULT_OPTIONS: Record<string, RuleOption> = {
  op: { key: "operations", read: "names" },
  ops: { key: "operations", read: "names" },
  operations: { key: "operations", read: "names" },
  nth: { key: "nth", read: "integers" },
  rate: { key: "rate", read: "number" },
  retry_after: { key: "retryAfterSeconds", read: "number" },
  retryAfterSeconds: { key: "retryAfterSeconds", read: "number" },
  ms: { key: "latencyMs", read: "number" },
  latency: { key: "latencyMs", read: "number" },
  latencyMs: { key: "latencyMs", read: "number" },
};

/**
 * Parses the CLI's `--faults` text. Rules are separated by spaces; each is `KIND` or
 * `KIND:OPTION;OPTION…` with options `nth=1,3`, `rate=0.2`, `op=createCustomer,listCustomers`,
 * `retry_after=2`, `ms=250`. Example: `"rate_limit:nth=1,2;op=createCustomer latency:ms=50"`.
 * A JSON array of rules (text starting with `[`) is accepted as well.
 */
export function parseFaults(text: string): FaultRule[] {
  return parseRuleText(text, "--faults", FAULT_OPTIONS, validateFaultRules);
}

/**
 * Reads rule text (`KIND` or `KIND:OPTION;OPTION…`, rules separated by spaces, options named by
 * `options`; or a JSON array) and checks the rules with `validate`. `flag` names the text in messages.
 */
export function parseRuleText<R>(
  text: string,
  flag: string,
  options: Record<string, RuleOption>,
  validate: (rules: unknown[]) => R[],
): R[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new TypeError(`${flag}: invalid JSON`);
    }
    return validate(parsed as unknown[]);
  }
  const rules = trimmed.split(/\s+/).map((spec) => {
    const colon = spec.indexOf(":");
    const rule: Record<string, unknown> = { kind: colon === -1 ? spec : spec.slice(0, colon) };
    for (const option of colon === -1 ? [] : spec.slice(colon + 1).split(";")) {
      if (option === "") continue;
      const eq = option.indexOf("=");
      const name = eq === -1 ? option : option.slice(0, eq);
      const known = Object.hasOwn(options, name) ? options[name] : undefined;
      const value = option.slice(eq + 1);
      // An empty value would otherwise read as 0 (`rate=`) or as "never" (`nth=`).
      if (eq === -1 || known === undefined || value === "")
        throw new TypeError(`${flag}: cannot read option "${option}" in "${spec}"`);
      const list = value.split(",").filter((v) => v !== "");
      rule[known.key] =
        known.read === "names" ? list : known.read === "integers" ? list.map(Number) : Number(value);
    }
    return rule;
  });
  return validate(rules);
}
