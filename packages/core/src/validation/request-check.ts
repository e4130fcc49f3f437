// Pre-flight request validation: everything the spec (and its prose, see tools/codegen/src/prose-facts.ts)
// says about a request that can be checked without asking Square. The clients run it before sending; the
// emulator runs it on what it receives and answers each issue as a 400 with the issue's code and field.
// The schema walk is in schema-walk.ts, the prose rules in square-rules.ts, formats in formats.ts, query
// parameters in query-params.ts; what they all report is a `ValidationIssue` (issue.ts).
//
// A body is checked against the request rules (request-rules.ts: the constraint table and the prose
// rules), which the caller passes: `validateRequest` (validate.ts) has them at hand, a client loads them
// when it first sends a body (call/prepare.ts), so that a program that only reads never loads them.
import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "./issue.js";
import { checkQuery } from "./query-params.js";
import type { RequestRules } from "./schema-node.js";
import { checkNode } from "./schema-walk.js";

/**
 * Checks path arguments and the body or query of a call; `rules` are needed for an operation that takes a
 * body (a TypeError without them: a programming error). An empty array means the request may be sent.
 */
export function checkRequest(
  rules: RequestRules | undefined,
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
    if (rules === undefined) throw new TypeError(`${name} takes a body: checking it needs the request rules`);
    checkNode({ ref: op.body }, input ?? {}, "", issues, rules);
  } else {
    checkQuery(op, input ?? {}, issues);
  }
  return issues;
}
