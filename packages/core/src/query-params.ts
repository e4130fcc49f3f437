// Query parameters: checking a client's typed query object, and reading the strings that arrive over HTTP
// (the emulator) into typed values.
import { operation } from "./operation.js";
import type { OperationDefinition, QueryParamDefinition } from "./operation-definition.js";
import type { SchemaNode } from "./schema-node.js";
import { checkNode } from "./schema-walk.js";
import type { OperationName } from "./types.js";
import type { ValidationIssue } from "./validation.js";

type Issues = ValidationIssue[];

/**
 * Reads query parameters as they arrive over HTTP (strings) into typed values, reporting parameters that
 * are unknown or not of their type. Run `validateRequest` on the result for ranges and enums.
 */
export function parseQuery(
  name: OperationName,
  entries: Iterable<readonly [string, string]>,
): { query: Record<string, string | number | boolean>; issues: ValidationIssue[] } {
  const defs = operation(name).query;
  const query: Record<string, string | number | boolean> = {};
  const issues: Issues = [];
  for (const [key, raw] of entries) {
    const def = defs[key];
    if (!def) {
      issues.push({ field: key, code: "UNKNOWN_QUERY_PARAMETER", message: `unknown query parameter ${key}` });
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
    const def = op.query[key];
    if (!def)
      issues.push({ field: key, code: "UNKNOWN_QUERY_PARAMETER", message: `unknown query parameter ${key}` });
    else checkNode(queryNode(def), value, key, issues);
  }
  for (const [key, def] of Object.entries(op.query)) {
    if (def.required && values[key] === undefined) {
      issues.push({ field: key, code: "MISSING_REQUIRED_PARAMETER", message: `${key} is required` });
    }
  }
}

function queryNode(def: QueryParamDefinition): SchemaNode {
  return {
    type: def.type,
    ...(def.enum ? { enum: def.enum } : {}),
    ...(def.min !== undefined ? { minimum: def.min } : {}),
    ...(def.max !== undefined ? { maximum: def.max } : {}),
  };
}
