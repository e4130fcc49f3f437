// Pre-flight request validation: everything the spec (and its prose, see tools/codegen/src/prose-facts.ts)
// says about a request that can be checked without asking Square. The clients run it before sending; the
// emulator runs it on what it receives and answers each issue as a 400 with the issue's code and field.
// The schema walk is in schema-walk.ts, the prose rules in square-rules.ts, formats in formats.ts, query
// parameters in query-params.ts; what they all report is a `ValidationIssue` (issue.ts).
import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "./issue.js";
import { checkQuery } from "./query-params.js";
import { checkNode } from "./schema-walk.js";

export type { ValidationIssue };

/** Checks path arguments and the body or query of a call. An empty array means the request may be sent. */
export function validateRequest(
  name: OperationName,
  pathArgs: readonly unknown[],
  input?: unknown,
): ValidationIssue[] {
  const op = operation(name);
  const issues: ValidationIssue[] = [];
  op.pathParams.forEach((param, i) => {
    const value = pathArgs[i];
    if (typeof value !== "string" || value.trim() === "") {
      issues.push({
        field: param,
        code: "MISSING_REQUIRED_PARAMETER",
        message: `${param} must be a non-empty string`,
      });
    }
  });
  if (op.body !== null) {
    checkNode({ ref: op.body }, input ?? {}, "", issues);
  } else {
    checkQuery(op, input ?? {}, issues);
  }
  return issues;
}
