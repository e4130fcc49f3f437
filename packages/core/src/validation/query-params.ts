// Query parameters: checking a client's typed query object, and reading the strings that arrive over HTTP
// (the emulator) into typed values.
import { operation } from "../table/operation.js";
import type { OperationDefinition, QueryParamDefinition } from "../table/operation-definition.js";
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "./issue.js";
import type { SchemaNode } from "./schema-node.js";
import { checkNode, NO_REQUEST_RULES } from "./schema-walk.js";
import { didYouMean } from "./suggest.js";

type Issues = ValidationIssue[];

/**
 * Reads query parameters as they arrive over HTTP (strings) into typed values, reporting parameters that
 * are unknown, given more than once (**choice**: which one would count is not documented) or not of their
 * type. Run `validateRequest` on the result for ranges and enums.
 */
export function parseQuery(
  name: OperationName,
  entries: Iterable<readonly [string, string]>,
): { query: Record<string, string | number | boolean>; issues: ValidationIssue[] } {
  const defs = operation(name).query;
  const query: Record<string, string | number | boolean> = {};
  const issues: Issues = [];
  const seen = new Set<string>();
  for (const [key, raw] of entries) {
    const def = definitionOf(defs, key);
    if (seen.has(key)) {
      issues.push({
        field: key,
        code: "CONFLICTING_PARAMETERS",
        message: `${key} is given more than once`,
      });
      continue;
    }
    seen.add(key);
    if (!def) {
      issues.push(unknownParameter(defs, key));
    } else if (def.type === "integer" || def.type === "number") {
      if (
        /^-?\d+$/.test(raw) ||
        (def.type === "number" && Number.isFinite(Number(raw)) && raw.trim() !== "")
      ) {
        query[key] = Number(raw);
      } else {
        issues.push({ field: key, code: "EXPECTED_INTEGER", message: `${key} must be an integer` });
      }
    } else if (def.type === "boolean") {
      if (raw === "true" || raw === "false") query[key] = raw === "true";
      else issues.push({ field: key, code: "EXPECTED_BOOLEAN", message: `${key} must be true or false` });
    } else {
      query[key] = raw;
    }
  }
  return { query, issues };
}

/** Checks a query object against the operation's parameter definitions. */
export function checkQuery(op: OperationDefinition, input: unknown, issues: Issues): void {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    issues.push({ field: "", code: "EXPECTED_OBJECT", message: "query parameters must be an object" });
    return;
  }
  const values = input as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const def = definitionOf(op.query, key);
    if (!def) issues.push(unknownParameter(op.query, key));
    else checkNode(queryNode(def), value, key, issues, NO_REQUEST_RULES);
  }
  for (const [key, def] of Object.entries(op.query)) {
    if (def.required && values[key] === undefined) {
      issues.push({ field: key, code: "MISSING_REQUIRED_PARAMETER", message: `${key} is required` });
    }
  }
}

/** The definition of parameter `key` (own keys only: `?constructor=` names no parameter). */
function definitionOf(defs: OperationDefinition["query"], key: string): QueryParamDefinition | undefined {
  return Object.hasOwn(defs, key) ? defs[key] : undefined;
}

/** A query parameter the operation does not take, with the one it most likely means. */
function unknownParameter(defs: OperationDefinition["query"], key: string): ValidationIssue {
  return {
    field: key,
    code: "UNKNOWN_QUERY_PARAMETER",
    message: `unknown query parameter ${key}${didYouMean(key, Object.keys(defs))}`,
  };
}

function queryNode(def: QueryParamDefinition): SchemaNode {
  return {
    type: def.type,
    ...(def.enum ? { enum: def.enum } : {}),
    ...(def.min !== undefined ? { minimum: def.min } : {}),
    ...(def.max !== undefined ? { maximum: def.max } : {}),
  };
}
