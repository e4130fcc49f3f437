// `validateRequest`: pre-flight validation (request-check.ts) with the request rules at hand, for code
// that checks requests of every kind: the emulator, tools, createMany's planning, the customer files.
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "./issue.js";
import { checkRequest } from "./request-check.js";
import { requestRules } from "./request-rules.js";

export type { ValidationIssue };

/** Checks path arguments and the body or query of a call. An empty array means the request may be sent. */
export function validateRequest(
  name: OperationName,
  pathArgs: readonly unknown[],
  input?: unknown,
): ValidationIssue[] {
  return checkRequest(requestRules, name, pathArgs, input);
}
