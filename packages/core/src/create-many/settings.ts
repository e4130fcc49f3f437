// `createMany`'s options: each checked and defaulted the same way in both clients, and an issue for each
// option out of range (reported as the client's request-validation error: nothing is sent).
import type { ValidationIssue } from "../validation/issue.js";

/** Square takes at most this many customers per bulk-create call. */
export const CREATE_MANY_MAX_CHUNK = 100;

export interface CreateManySettings {
  /** Items per bulk-create call, 1..100 (default 100). */
  readonly chunkSize: number;
  /** Bulk-create calls in flight at once (default 1). */
  readonly concurrency: number;
}

export const CREATE_MANY_DEFAULTS: CreateManySettings = { chunkSize: CREATE_MANY_MAX_CHUNK, concurrency: 1 };

/** The most bulk calls in flight that `concurrency` may ask for. */
export const CREATE_MANY_MAX_CONCURRENCY = 64;

/**
 * `createMany`'s settings with defaults filled in, and an issue for each option out of range (the clients
 * report them as their request-validation error, so a bad option fails the same way in both).
 */
export function createManySettings(options: {
  readonly chunkSize?: unknown;
  readonly concurrency?: unknown;
}): {
  settings: CreateManySettings;
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  const chunkSize = integerSetting(
    "chunkSize",
    options.chunkSize,
    CREATE_MANY_DEFAULTS.chunkSize,
    1,
    CREATE_MANY_MAX_CHUNK,
    issues,
  );
  const concurrency = integerSetting(
    "concurrency",
    options.concurrency,
    CREATE_MANY_DEFAULTS.concurrency,
    1,
    CREATE_MANY_MAX_CONCURRENCY,
    issues,
  );
  return { settings: { chunkSize, concurrency }, issues };
}

function integerSetting(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  issues: ValidationIssue[],
): number {
  if (value === undefined) return fallback;
  const message = `${field} must be an integer from ${min} to ${max}, got ${String(value)}`;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    issues.push({ field, code: "EXPECTED_INTEGER", message });
  } else if (value < min) {
    issues.push({ field, code: "VALUE_TOO_LOW", message });
  } else if (value > max) {
    issues.push({ field, code: "VALUE_TOO_HIGH", message });
  } else {
    return value;
  }
  return fallback;
}
